"""What the embedded daphne itself answers (issue 11): the WebSocket handshake names EventHub,
not daphne (``--server-name``, as ``scripts/serve`` passes it), and a multipart body Twisted
cannot parse reaches Django — a JSON error — instead of Twisted's bare 400 that dropped the
connection (schemathesis found it on every multipart operation). TRACE is a JSON 405 before
authentication on every API path (it was a 401 without a token)."""

import asyncio

import httpx
import pytest
import websockets
from rest_framework.test import APIClient

from eventhub.testing.factories import UserFactory
from eventhub.testing.live import daphne, session_token_for, ws_url

EMPTY_MULTIPART = b"--c637e12e2b1a998d80d1b087531af51c--\r\n"


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_daphne_names_eventhub_on_the_handshake_and_lets_django_parse_multipart(tmp_path):
    async def handshake_server_header(url: str) -> str | None:
        async with websockets.connect(url, open_timeout=20) as socket:
            return socket.response.headers.get("Server")

    with daphne(tmp_path) as base_url:
        server = asyncio.run(handshake_server_header(ws_url(base_url)))
        response = httpx.post(
            base_url + "/api/v1/stripe/webhook",
            content=EMPTY_MULTIPART,
            headers={"Content-Type": "multipart/form-data; boundary=c637e12e2b1a998d80d1b087531af51c"},
            timeout=30,
        )

    assert server == "EventHub"
    assert (response.status_code, response.headers["Content-Type"], response.headers["Server"]) == (
        400,
        "application/json",
        "EventHub",
    )
    assert response.json()["error"]["code"] == "invalid_signature"


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_trace_is_a_json_405_naming_the_allowed_methods(signed_in):
    client = APIClient()
    if signed_in:
        client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(UserFactory()))

    response = client.generic("TRACE", "/api/v1/me")

    assert (response.status_code, response["Allow"]) == (405, "GET, PATCH, OPTIONS")
    assert response.json() == {
        "error": {"code": "method_not_allowed", "detail": 'Method "TRACE" not allowed.', "fields": {}}
    }
