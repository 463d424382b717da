"""Rendered response bodies, kept per process and shared between processes, keyed by what names
them exactly.

A strong ETag that is computed from everything a body depends on (stream heads, the request's
path, query and media type) names exactly one body, so a body rendered once can be sent again to
anyone who may read it, without a lock or an invalidation: a change makes a new ETag, and the old
entry ages out (of the LRU, and of the shared cache by its timeout). Only for reads that are the
same for every reader (never personal ones).

Two tiers: an LRU in the process (a dictionary lookup), then the shared cache (Redis with
``REDIS_URL``; keys under ``eventhub:rendered:``, which fail open — an outage is a miss). So
after a publish one process renders each read and every other process fetches it
(issue 12: "render once per published version").
"""

import threading
from collections import OrderedDict
from typing import Any

from django.core.cache import cache
from django.http import HttpResponse

_HEADERS = ("Content-Type", "Content-Disposition")
PREFIX = "eventhub:rendered:"


class SharedValues:
    """Values by key: a per-process LRU of ``size`` entries in front of the shared cache
    (``timeout`` seconds there). Values must be picklable."""

    def __init__(self, *, name: str, size: int, timeout: int = 600) -> None:
        self._prefix = f"{PREFIX}{name}:"
        self._size = size
        self._timeout = timeout
        self._entries: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
                return value
        value = cache.get(self._prefix + key)
        if value is not None:
            self._remember(key, value)
        return value

    def set(self, key: str, value: Any) -> None:
        self._remember(key, value)
        cache.set(self._prefix + key, value, self._timeout)

    def clear_local(self) -> None:
        """Forget this process's entries (tests, benchmarks); the shared ones age out."""
        with self._lock:
            self._entries.clear()

    def _remember(self, key: str, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


class RenderedBodies:
    """Whole response bodies (with their content type) by strong ETag."""

    def __init__(self, *, size: int, name: str = "body") -> None:
        self._values = SharedValues(name=name, size=size)

    def response(self, etag: str) -> HttpResponse | None:
        """A fresh response with the body stored under ``etag``, or None."""
        entry = self._values.get(etag)
        if entry is None:
            return None
        content, headers = entry
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        return response

    def store(self, etag: str, response: HttpResponse) -> None:
        headers = tuple((name, response[name]) for name in _HEADERS if response.has_header(name))
        self._values.set(etag, (response.content, headers))

    def clear_local(self) -> None:
        self._values.clear_local()
