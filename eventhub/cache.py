"""The Redis cache, failing open for rate-limit counters.

Login limits (allauth's ``allauth:rl:`` keys), DRF throttles (``throttle_``) and our own
counters (``eventhub.ratelimit``'s ``eventhub:rl:``, ticketing's limits among them) live in the
cache. During a Redis outage a rate limit that cannot be counted lets the request through (with
a warning) rather than failing it: a login must not be a 500 because Redis is down. Every other
key behaves as before (errors raise). After a failure the counters are skipped for ``_PAUSE``
seconds, so an outage does not cost every login a connection timeout per counter.
"""

import logging
import time
from typing import Any

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RATE_LIMIT_PREFIXES = ("allauth:rl:", "throttle_", "eventhub:rl:")
# Rendered bodies shared between processes (``eventhub.api.rendered``): during an outage a
# read renders its body itself, as if nothing were stored.
FAIL_OPEN_PREFIXES = (*RATE_LIMIT_PREFIXES, "eventhub:rendered:")
_PAUSE = 5.0
_ERRORS = (redis.RedisError, OSError)


# Redis location -> monotonic time until which its counters are skipped (shared by the
# per-thread cache instances of one process).
_down_until: dict[str, float] = {}


class FailOpenRedisCache(RedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)

    def _fails_open(self, key: Any) -> bool:
        return isinstance(key, str) and key.startswith(FAIL_OPEN_PREFIXES)

    def _guarded(self, key: Any, default: Any, call: Any) -> Any:
        if not self._fails_open(key):
            return call()
        if time.monotonic() < _down_until.get(self._location, 0.0):
            return default
        try:
            return call()
        except _ERRORS as exc:
            _down_until[self._location] = time.monotonic() + _PAUSE
            logger.warning("rate limits are not counted: the cache is unavailable (%s)", exc)
            return default

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._guarded(key, True, lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version))

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._guarded(key, default, lambda: super(FailOpenRedisCache, self).get(key, default, version))

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> None:
        self._guarded(key, None, lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version))

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._guarded(key, False, lambda: super(FailOpenRedisCache, self).touch(key, timeout, version))

    def delete(self, key: Any, version: Any = None) -> Any:
        return self._guarded(key, False, lambda: super(FailOpenRedisCache, self).delete(key, version))

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        return self._guarded(key, delta, lambda: super(FailOpenRedisCache, self).incr(key, delta, version))
