"""Bodies over ``REQUEST_BODY_MAX_BYTES`` are refused by the embedded server before they are
read (eventhub/bodylimit.py): a declared 30 MiB upload gets its 413 while the client has sent
nothing but headers, and a chunked body is cut off at the limit."""

import json
import socket
import time
from urllib.parse import urlsplit

import pytest

from eventhub.testing.live import daphne

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    return sock


def _read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    while len(body) < int(headers.get("content-length", "0")):
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def test_declared_oversized_body_is_refused_before_it_is_sent(tmp_path):
    with daphne(tmp_path) as url, _connect(url) as sock:
        size = 30 * 1024 * 1024
        sock.sendall(
            (
                "PATCH /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: multipart/form-data; boundary=zzz\r\n"
                f"Content-Length: {size}\r\nX-Session-Token: nobody\r\n\r\n"
            ).encode()
        )
        status, headers, body = _read_answer(sock)  # no byte of the body was sent

    assert status == 413
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["code"] == "payload_too_large"


def test_chunked_body_is_cut_off_at_the_limit(tmp_path):
    with daphne(tmp_path, REQUEST_BODY_MAX_BYTES=str(1024 * 1024)) as url, _connect(url) as sock:
        sock.sendall(
            b"POST /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        piece = b"x" * (256 * 1024)
        sent = 0
        deadline = time.monotonic() + 60
        try:
            while sent < 8 * 1024 * 1024 and time.monotonic() < deadline:
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: what we want
        try:
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass
        status, _, body = _read_answer(sock)

    assert status == 413
    assert json.loads(body)["error"]["code"] == "payload_too_large"
