"""Request bodies over ``REQUEST_BODY_MAX_BYTES`` are refused before anything reads them.

Django caps only what it parses into memory (``DATA_UPLOAD_MAX_MEMORY_SIZE``: form fields and
``request.body``); file parts of a multipart body are spooled to disk whatever their size, and
under ASGI Django's handler reads the *whole* body before the first middleware runs — a 30 MiB
photo upload was read in full and only then refused. So the limit sits in front of Django:

- daphne (the embedded server, Twisted underneath) buffers a whole request body before it calls
  the application, so the ASGI application cannot stop it from reading. ``eventhub/asgi.py``
  installs :func:`install_daphne_body_limit`: a declared ``Content-Length`` over the limit is
  answered 413 as soon as the headers are in, and the connection closed unread.
- :class:`BodyLimitASGI` wraps the HTTP application for any ASGI server: the declared length is
  checked before the application runs; a chunked body is counted as it arrives and cut off at
  the limit (daphne has buffered a chunked body by then — on disk, in a temporary file — so in
  production nginx's limit is the one that keeps such a body out).
- :class:`BodyLimitMiddleware` does the ``Content-Length`` check for WSGI (gunicorn reads the
  body lazily, so the check comes first there too).
- In production nginx refuses the same sizes first (``client_max_body_size``, deploy/).

API paths get the API's JSON error; other paths a short text answer."""

import json
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext

JSON_PREFIXES = ("/api/", "/_allauth/")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _limit() -> int:
    return int(settings.REQUEST_BODY_MAX_BYTES)


def _detail(limit: int) -> str:
    return gettext("The request body exceeds %(limit)s bytes.") % {"limit": limit}


def _body(path: str, limit: int) -> tuple[bytes, bytes]:
    if path.startswith(JSON_PREFIXES):
        payload = {"error": {"code": "payload_too_large", "detail": _detail(limit), "fields": {}}}
        return json.dumps(payload).encode(), b"application/json"
    return _detail(limit).encode(), b"text/plain; charset=utf-8"


def _declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimitASGI:
    def __init__(self, app: Any) -> None:  # an ASGI application
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = _limit()
        declared = _declared_length(scope.get("headers") or [])
        if declared is not None and declared > limit:
            await self._refuse(scope, send, limit)
            return
        seen = 0
        cut_off = False
        started = False

        async def counted_receive() -> Message:
            nonlocal seen, cut_off
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    cut_off = True
                    return {"type": "http.disconnect"}  # Django stops reading and answers nothing
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        await self.app(scope, counted_receive, watched_send)
        if cut_off and not started:
            await self._refuse(scope, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, limit: int) -> None:
        body, content_type = _body(scope.get("path", ""), limit)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """The ``Content-Length`` check as Django middleware (WSGI, and the test client)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = _limit()
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            if request.path.startswith(JSON_PREFIXES):
                payload = {"error": {"code": "payload_too_large", "detail": _detail(limit), "fields": {}}}
                return JsonResponse(payload, status=413)
            return HttpResponse(_detail(limit), status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class _Discard:
    """The body sink of a refused request: what the client still sends goes nowhere."""

    def write(self, data: bytes) -> None:
        pass

    def seek(self, *args: Any) -> int:
        return 0

    def read(self, *args: Any) -> bytes:
        return b""

    def close(self) -> None:
        pass


def install_daphne_body_limit() -> None:
    """Refuse an oversized declared body in daphne itself, when its headers arrive (daphne
    4.2.3 on Twisted: ``WebRequest.gotLength`` is called before any body byte is read and
    creates the buffer the body goes to). Under another server (or in a test process) daphne is
    not loaded and nothing changes."""
    module = sys.modules.get("daphne.http_protocol")
    if module is None or getattr(module.WebRequest, "_eventhub_body_limit", False):
        return
    request_class = module.WebRequest
    got_length = request_class.gotLength
    process = request_class.process

    def limited_got_length(self: Any, length: int | None) -> None:
        limit = _limit()
        if length is None or length <= limit:
            got_length(self, length)
            return
        self._eventhub_refused = True
        self.content = _Discard()
        path = (getattr(self.channel, "_path", b"") or b"").decode("latin-1").split("?", 1)[0]
        body, content_type = _body(path, limit)
        head = (
            b"HTTP/1.1 413 Payload Too Large\r\nContent-Type: "
            + content_type
            + b"\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n"
            + b"Server: EventHub\r\n\r\n"
        )
        self.channel.transport.write(head + body)
        self.channel.loseConnection()

    def limited_process(self: Any) -> Any:
        if getattr(self, "_eventhub_refused", False):
            return None
        return process(self)

    request_class.gotLength = limited_got_length
    request_class.process = limited_process
    request_class._eventhub_body_limit = True
