"""What the reverse proxies in front of Django say about the client: its address — the one
client address every per-address limit uses (allauth's through the account adapter, the admin
lockout's, the WebSocket's failed-authentication limit) and the logs and the ``/metrics`` guard.

``TRUSTED_PROXY_COUNT`` proxies append to ``X-Forwarded-For`` (the production profile's nginx
replaces the header with the peer it saw, so it is one); the client is the entry that many from
the right. Entries further left are whatever the client sent and are never believed; with fewer
entries than proxies the request did not come through them, and the peer is the client. An entry
that is not an address (a port is dropped) counts as no entry.
"""

import ipaddress
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:5000"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip_from(*, forwarded_for: str | None, remote_addr: str) -> str:
    """``client_ip`` from an ``X-Forwarded-For`` value and the peer's address."""
    count: int = settings.TRUSTED_PROXY_COUNT
    if count > 0 and forwarded_for:
        forwarded = [part.strip() for part in forwarded_for.split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            address = _address(forwarded[-count])
            if address is not None:
                return address
    return remote_addr


def client_ip(request: HttpRequest) -> str:
    return client_ip_from(
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"), remote_addr=request.META.get("REMOTE_ADDR", "")
    )


def scope_client_ip(scope: Mapping[str, object]) -> str:
    """``client_ip`` for an ASGI scope (a WebSocket handshake)."""
    headers: Iterable[tuple[bytes, bytes]] = scope.get("headers") or ()  # type: ignore[assignment]
    forwarded = b",".join(value for name, value in headers if name.lower() == b"x-forwarded-for")
    client = scope.get("client")
    remote = str(client[0]) if isinstance(client, (list, tuple)) and client else ""
    return client_ip_from(forwarded_for=forwarded.decode("latin-1") or None, remote_addr=remote)
