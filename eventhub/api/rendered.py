"""A process-local cache of rendered response bodies, keyed by their strong ETag.

A strong ETag that is computed from everything a body depends on (stream heads, the request's
path, query and media type) names exactly one body, so a body rendered once can be sent again to
anyone who may read it, without a lock or an invalidation: a change makes a new ETag, and the old
entry ages out of the LRU. Only for reads that are the same for every reader (never personal ones).
"""

import threading
from collections import OrderedDict

from django.http import HttpResponse

_HEADERS = ("Content-Type", "Content-Disposition")


class RenderedBodies:
    def __init__(self, *, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[bytes, tuple[tuple[str, str], ...]]] = OrderedDict()
        self._lock = threading.Lock()

    def response(self, etag: str) -> HttpResponse | None:
        """A fresh response with the body stored under ``etag``, or None."""
        with self._lock:
            entry = self._entries.get(etag)
            if entry is None:
                return None
            self._entries.move_to_end(etag)
        content, headers = entry
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        return response

    def store(self, etag: str, response: HttpResponse) -> None:
        headers = tuple((name, response[name]) for name in _HEADERS if response.has_header(name))
        with self._lock:
            self._entries[etag] = (response.content, headers)
            self._entries.move_to_end(etag)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
