"""``eventhub.proxy.client_ip``: the one client address every per-address limit uses (allauth's,
axes', DRF throttles', the WebSocket's). The counting rule itself is tested in
``test_operations.py``; these are the cases it does not cover."""

import pytest
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle

from accounts.adapter import AccountAdapter
from eventhub.proxy import client_ip, scope_client_ip


def _request(forwarded: str | None = None, remote: str = "10.0.0.9"):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.9"),  # no proxy trusted: the header is the client's word
        (1, None, "10.0.0.9"),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the leftmost entry is forged
        (2, "198.51.100.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (1, "2001:db8::1", "2001:db8::1"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        (1, "203.0.113.7:5000", "203.0.113.7"),
        (1, "not-an-address", "10.0.0.9"),
        (1, " , ", "10.0.0.9"),
    ],
)
def test_client_ip(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count

    assert client_ip(_request(forwarded)) == expected


@pytest.mark.parametrize("count", [0, 1, 2])
def test_allauth_axes_drf_and_the_socket_see_the_same_address(settings, count):
    settings.TRUSTED_PROXY_COUNT = count
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}
    forwarded = "198.51.100.1, 203.0.113.7, 10.0.0.2"
    request = _request(forwarded)
    scope = {"headers": [(b"x-forwarded-for", forwarded.encode())], "client": ("10.0.0.9", 50000)}

    seen = {
        AccountAdapter().get_client_ip(request),
        client_ip(request),  # AXES_CLIENT_IP_CALLABLE
        AnonRateThrottle().get_ident(Request(request)),
        scope_client_ip(scope),
    }

    assert seen == {["10.0.0.9", "10.0.0.2", "203.0.113.7"][count]}
