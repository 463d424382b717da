"""Request limits for ticketing's writes and scans, counted in the shared cache (Redis when
configured, so every server process counts together).

A limit is ``settings.TICKETING_RATE_LIMITS[scope]``: rates like ``"10/m/user,600/m/ip"`` —
``<n>/<period>/<key>`` with periods ``s``, ``m``, ``h``, ``d`` (optionally counted, ``15m``) and
keys ``user`` (the account), ``ip`` (the client address, ``eventhub.proxy.client_ip``: the
``TRUSTED_PROXY_COUNT`` rule the login limits and axes follow) and ``device`` (a scanner device, else the signed-in
operator). Each rate is a fixed window counted with one atomic ``INCR``; past it the request is
refused with :class:`eventhub.errors.RateLimited` (429 ``rate_limited``, ``Retry-After`` = the
seconds until the window ends). A scope that is not configured is not limited, and a cache that
cannot be reached limits nothing (a Redis outage must not stop ticket sales).

The API (``api/ratelimits.py``: ``RateLimitMixin``) and the web shop (``public/``) count in the
same windows, so buying on the web is no way around the limits of the phone's API."""

from __future__ import annotations

import logging
import math
import re
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from eventhub import errors
from eventhub.proxy import client_ip

from .models import ScannerDevice

logger = logging.getLogger(__name__)

# A DRF Request or a plain Django HttpRequest (the web shop): both have ``user`` and the address.
AnyRequest = Any

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)([smhd])\s*/\s*(user|ip|device)\s*$")
_PREFIX = "ticketing:rl"


@dataclass(frozen=True)
class Rate:
    amount: int
    seconds: int
    key: str


def rates(scope: str) -> list[Rate]:
    spec = (settings.TICKETING_RATE_LIMITS or {}).get(scope) or ""
    parsed = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        match = _RATE.match(part)
        if match is None:
            raise ValueError(f"TICKETING_RATE_LIMITS[{scope!r}]: cannot read {part!r}")
        amount, count, unit, key = match.groups()
        parsed.append(Rate(amount=int(amount), seconds=int(count or 1) * _PERIODS[unit], key=key))
    return parsed


def _identity(request: AnyRequest, key: str) -> str | None:
    if key == "ip":
        return f"ip:{client_ip(request) or 'unknown'}"
    if key == "device" and isinstance(getattr(request, "auth", None), ScannerDevice):
        return f"device:{request.auth.token_hash}"  # unique across databases sharing one Redis
    if request.user is not None and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return None


def _window(rate: Rate, identity: str, scope: str, now: float) -> tuple[str, int]:
    window = int(now // rate.seconds)
    retry_after = max(1, math.ceil((window + 1) * rate.seconds - now))
    return f"{_PREFIX}:{scope}:{identity}:{rate.seconds}:{window}", retry_after


def _count(key: str, seconds: int, *, add: bool) -> int:
    if not add:
        return int(cache.get(key) or 0)
    cache.add(key, 0, timeout=seconds + 1)
    try:
        return cache.incr(key)
    except ValueError:  # the window expired between add and incr
        cache.set(key, 1, timeout=seconds + 1)
        return 1


def _apply(request: AnyRequest, scope: str, *, add: bool, refuse: bool) -> None:
    now = time.time()
    for rate in rates(scope):
        identity = _identity(request, rate.key)
        if identity is None:
            continue
        key, retry_after = _window(rate, identity, scope, now)
        try:
            count = _count(key, rate.seconds, add=add)
        except Exception:  # the cache is down: degrade to no limit, never fail the request
            logger.warning("rate limit %s not counted: the cache is unavailable", scope, exc_info=True)
            return
        used_up = count > rate.amount if add else count >= rate.amount
        if refuse and used_up:
            raise errors.RateLimited(
                f"Too many requests; try again in {retry_after} s.", code="rate_limited", retry_after=retry_after
            )


def consume(request: AnyRequest, scope: str) -> None:
    """Count this request against the scope's limits; ``RateLimited`` past any of them."""
    _apply(request, scope, add=True, refuse=True)


def check(request: AnyRequest, scope: str) -> None:
    """``RateLimited`` if the scope's limits are used up already, without counting this request
    (for limits on failures: :func:`count_failure` counts one when it happens)."""
    _apply(request, scope, add=False, refuse=True)


def count_failure(request: AnyRequest, scope: str) -> None:
    _apply(request, scope, add=True, refuse=False)
