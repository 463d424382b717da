"""Request limits for ticketing's writes and scans, counted by the one mechanism
(``eventhub.ratelimit``: the shared cache, so every server process counts together).

A limit is ``settings.TICKETING_RATE_LIMITS[scope]``: rates like ``"10/m/user,600/m/ip"`` —
``<n>/<period>/<key>`` with periods ``s``, ``m``, ``h``, ``d`` (optionally counted, ``15m``) and
keys ``user`` (the account), ``ip`` (the client address, ``eventhub.proxy.client_ip``: the
``TRUSTED_PROXY_COUNT`` rule the login limits and axes follow) and ``device`` (a scanner device, else the signed-in
operator). Each rate is a window from its first hit (``eventhub.ratelimit``); past it the request is
refused with :class:`eventhub.errors.RateLimited` (429 ``rate_limited``, ``Retry-After`` = the
seconds until the window ends). A scope that is not configured is not limited, and a cache that
cannot be reached limits nothing (a Redis outage must not stop ticket sales).

The API (``api/ratelimits.py``: ``RateLimitMixin``) and the web shop (``public/``) count in the
same windows, so buying on the web is no way around the limits of the phone's API."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from eventhub import errors, ratelimit
from eventhub.proxy import client_ip

from .models import ScannerDevice

# A DRF Request or a plain Django HttpRequest (the web shop): both have ``user`` and the address.
AnyRequest = Any


def rates(scope: str) -> list[ratelimit.Rate]:
    spec = (settings.TICKETING_RATE_LIMITS or {}).get(scope) or ""
    return ratelimit.parse(spec, keys=("user", "ip", "device"), name=f"TICKETING_RATE_LIMITS[{scope!r}]")


def _identities(request: AnyRequest) -> dict[str, str | None]:
    user = f"user:{request.user.pk}" if request.user is not None and request.user.is_authenticated else None
    auth = getattr(request, "auth", None)
    # A device's token hash is unique across databases sharing one Redis.
    device = f"device:{auth.token_hash}" if isinstance(auth, ScannerDevice) else user
    return {"ip": f"ip:{client_ip(request) or 'unknown'}", "user": user, "device": device}


def _refuse(retry_after: int | None) -> None:
    if retry_after is not None:
        raise errors.RateLimited(
            f"Too many requests; try again in {retry_after} s.", code="rate_limited", retry_after=retry_after
        )


def consume(request: AnyRequest, scope: str) -> None:
    """Count this request against the scope's limits; ``RateLimited`` past any of them."""
    _refuse(ratelimit.consume(scope=f"ticketing:{scope}", rates=rates(scope), identities=_identities(request)))


def check(request: AnyRequest, scope: str) -> None:
    """``RateLimited`` if the scope's limits are used up already, without counting this request
    (for limits on failures: :func:`count_failure` counts one when it happens)."""
    _refuse(ratelimit.used_up(scope=f"ticketing:{scope}", rates=rates(scope), identities=_identities(request)))


def count_failure(request: AnyRequest, scope: str) -> None:
    ratelimit.count(scope=f"ticketing:{scope}", rates=rates(scope), identities=_identities(request))
