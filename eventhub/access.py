"""The one check behind every ``*_access`` selector: an object fetched by the id in a URL is
returned only if the user holds the permission on it (or on what owns it); a missing object,
another tenant's and one the user may not reach all raise the same ``NotFound`` (DESIGN §2)."""

from typing import Any, TypeVar

from eventhub import errors

T = TypeVar("T")


def reachable(obj: T | None, *, user: Any, permission: str | None, target: Any = None) -> T:
    """``obj`` if it exists and ``user`` holds ``permission`` on ``target`` (default: ``obj``
    itself); ``permission=None`` means the caller already checked ownership."""
    if obj is None:
        raise errors.NotFound()
    if permission is not None and not user.has_perm(permission, obj if target is None else target):
        raise errors.NotFound()
    return obj
