"""What the reverse proxies in front of Django say about the client: its address.

``TRUSTED_PROXY_COUNT`` proxies append to ``X-Forwarded-For`` (the production profile's nginx
replaces the header with the peer it saw, so it is one); the client is the entry that many from
the right. Entries further left are whatever the client sent and are never believed. Used by the
admin lockout (axes), the logs and the ``/metrics`` guard; allauth applies the same rule itself
(``ALLAUTH_TRUSTED_PROXY_COUNT``).
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")
