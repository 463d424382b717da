"""The one request-limit mechanism (issue 11): windows counted in the shared cache (Redis: every
process counts together), each starting with its first hit, one atomic ``INCR`` per rate,
failing open during a cache outage (``eventhub.cache`` and the guard here — a Redis outage must
stop neither logins nor ticket sales).

A rate is ``<n>/<period>/<key>`` (``"10/m/user,600/m/ip"``; periods ``s``, ``m``, ``h``, ``d``
with an optional count, ``15m``); its key names whose requests it counts, and the caller says
what each key is for this request (``identities``: ``{"user": "user:5", "ip": "ip:…"}``; a key
without an identity is not counted). Ticketing's request limits (``ticketing/ratelimits.py``)
and the socket's failed authentications (``eventhub/realtime/consumer.py``) both count here.
Past a rate the caller gets the seconds to wait, until the rate's window ends."""

import logging
import math
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)

PREFIX = "eventhub:rl:"
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)([smhd])\s*/\s*([a-z_]+)\s*$")


@dataclass(frozen=True)
class Rate:
    amount: int
    seconds: int
    key: str


def parse(spec: str, *, keys: Iterable[str], name: str = "rate") -> list[Rate]:
    """``"10/m/user,600/m/ip"`` → its rates; ``ValueError`` naming ``name`` for a bad one or a
    key not in ``keys`` (a misspelt key would silently count nothing)."""
    parsed = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        match = _RATE.match(part)
        if match is None or match[4] not in keys:
            raise ValueError(f"{name}: cannot read {part!r}")
        amount, count, unit, key = match.groups()
        parsed.append(Rate(amount=int(amount), seconds=int(count or 1) * _PERIODS[unit], key=key))
    return parsed


def _counter(rate: Rate, scope: str, identity: str, now: float, *, add: bool) -> tuple[int, int]:
    """This window's count (after counting one if ``add``) and the seconds until it ends. A
    window starts with its first hit (its start time is a key of its own), so a burst is never
    split by a clock boundary into two half-counted windows."""
    base = f"{PREFIX}{scope}:{identity}:{rate.seconds}"
    if add:
        cache.add(f"{base}:start", now, timeout=rate.seconds)
    start = cache.get(f"{base}:start")
    if not isinstance(start, int | float):
        return 0, rate.seconds
    retry_after = max(1, math.ceil(start + rate.seconds - now))
    key = f"{base}:{start!r}"
    if not add:
        return int(cache.get(key) or 0), retry_after
    cache.add(key, 0, timeout=rate.seconds + 1)
    try:
        return cache.incr(key), retry_after
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=rate.seconds + 1)
        return 1, retry_after


def _apply(*, scope: str, rates: Iterable[Rate], identities: Mapping[str, str | None], add: bool) -> int | None:
    now = time.time()
    wait: int | None = None
    for rate in rates:
        identity = identities.get(rate.key)
        if identity is None:
            continue
        try:
            count, retry_after = _counter(rate, scope, identity, now, add=add)
        except Exception:  # the cache is down: degrade to no limit, never fail the request
            logger.warning("rate limit %s not counted: the cache is unavailable", scope, exc_info=True)
            return None
        if (count > rate.amount) if add else (count >= rate.amount):
            wait = max(wait or 0, retry_after)
    return wait


def consume(*, scope: str, rates: Iterable[Rate], identities: Mapping[str, str | None]) -> int | None:
    """Count this request against every rate; the seconds to wait if it is past any of them."""
    return _apply(scope=scope, rates=rates, identities=identities, add=True)


def used_up(*, scope: str, rates: Iterable[Rate], identities: Mapping[str, str | None]) -> int | None:
    """The seconds to wait if any rate is used up already, without counting this request (for
    limits on failures, which :func:`count` counts when they happen)."""
    return _apply(scope=scope, rates=rates, identities=identities, add=False)


def count(*, scope: str, rates: Iterable[Rate], identities: Mapping[str, str | None]) -> None:
    """Count one (a failure) without refusing anything."""
    _apply(scope=scope, rates=rates, identities=identities, add=True)
