"""Our own counters in the shared cache (Redis: every process counts together), keyed by
``eventhub.proxy.client_ip`` or an account, failing open during a cache outage
(``eventhub.cache``). A window starts with its first hit and lasts ``window`` seconds."""

from django.core.cache import cache

PREFIX = "eventhub:rl:"


def _key(scope: str, key: str) -> str:
    return f"{PREFIX}{scope}:{key}"


def exceeded(*, scope: str, key: str, limit: int, window: int) -> int | None:
    """``window`` (an upper bound of the seconds to wait) if ``limit`` hits are counted in the
    current window, else None."""
    count = cache.get(_key(scope, key), 0)
    return window if isinstance(count, int) and count >= limit else None


def hit(*, scope: str, key: str, window: int) -> None:
    """Count one hit; the first one starts a window of ``window`` seconds."""
    cache_key = _key(scope, key)
    if not cache.add(cache_key, 1, timeout=window):
        try:
            cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=window)
