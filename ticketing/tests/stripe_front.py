"""A local stand-in for api.stripe.com at the network boundary, in front of localstripe.

Our server talks to it through the official SDK exactly as it would to Stripe. It forwards every
call to localstripe, answers the Checkout Session calls localstripe does not implement, and can
run a test's code after Stripe has answered a call but before our server receives the answer —
the moment a webhook can race our own response."""

from __future__ import annotations

import json
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from eventhub.testing.live import free_port

_FORWARDED_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key", "Stripe-Version", "User-Agent")


def form_to_dict(body: str) -> dict[str, Any]:
    """Stripe's form encoding (``metadata[order]=…``, ``line_items[0][quantity]=1``) as nested
    dicts (list indexes stay dict keys)."""
    result: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return result


class StripeFront:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.checkout_sessions: dict[str, dict[str, Any]] = {}
        self._after: dict[tuple[str, str], Callable[[dict[str, Any]], None]] = {}
        self._lock = threading.Lock()
        self.authorizations: list[str] = []  # the key each call came with, in order
        front = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                front._handle(self, "GET")

            def do_POST(self) -> None:
                front._handle(self, "POST")

            def do_DELETE(self) -> None:
                front._handle(self, "DELETE")

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def after_once(self, method: str, path: str, hook: Callable[[dict[str, Any]], None]) -> None:
        """Run ``hook(answer)`` once, after Stripe answered ``method path`` and before our server
        gets the answer."""
        with self._lock:
            self._after[(method, path)] = hook

    def reset(self) -> None:
        with self._lock:
            self._after.clear()
            self.authorizations.clear()

    # -- the wire ----------------------------------------------------------------------------
    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        with self._lock:
            self.authorizations.append(request.headers.get("Authorization", ""))
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        path = request.path.split("?", 1)[0]
        if path.startswith("/v1/checkout/sessions"):
            status, answer = self._checkout_session(method, path, body.decode())
        else:
            status, answer = self._forward(request, method, body)
        with self._lock:
            hook = self._after.pop((method, path), None)
        if hook is not None and status < 400:
            hook(answer)
        payload = json.dumps(answer).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        request.send_header("Request-Id", f"req_{secrets.token_hex(8)}")
        request.end_headers()
        request.wfile.write(payload)

    def _forward(self, request: BaseHTTPRequestHandler, method: str, body: bytes) -> tuple[int, dict[str, Any]]:
        headers = {name: request.headers[name] for name in _FORWARDED_HEADERS if request.headers.get(name)}
        upstream = urllib.request.Request(  # noqa: S310 (a local URL)
            self.upstream + request.path, data=body or None, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(upstream, timeout=30) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def _checkout_session(self, method: str, path: str, body: str) -> tuple[int, dict[str, Any]]:
        if method == "POST" and path == "/v1/checkout/sessions":
            params = form_to_dict(body)
            item = params["line_items"]["0"]
            price = item["price_data"]
            session_id = f"cs_test_{secrets.token_hex(12)}"
            session = {
                "id": session_id,
                "object": "checkout.session",
                "mode": params.get("mode"),
                "url": f"https://checkout.stripe.test/c/pay/{session_id}",
                "amount_total": int(price["unit_amount"]) * int(item.get("quantity", 1)),
                "currency": price["currency"],
                "customer_email": params.get("customer_email"),
                "metadata": params.get("metadata", {}),
                "payment_intent": None,
                "payment_status": "unpaid",
                "status": "open",
                "success_url": params.get("success_url"),
                "cancel_url": params.get("cancel_url"),
                "line_items_submitted": params["line_items"],
            }
            self.checkout_sessions[session_id] = session
            return 200, session
        session_id = path.rsplit("/", 1)[-1]
        if method == "GET" and session_id in self.checkout_sessions:
            return 200, self.checkout_sessions[session_id]
        return 404, {"error": {"type": "invalid_request_error", "message": f"No such checkout session: {session_id}"}}
