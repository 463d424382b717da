from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Stable under inserts, so phones that sync page through without skips or repeats."""

    ordering: str | list[str] | tuple[str, ...] = "-id"  # subclasses order by several fields
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
