"""A small WebSocket test client for the stream protocol."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect


class StreamClient:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, url: str, *, token: str | None = None, headers: dict[str, str] | None = None) -> StreamClient:
        all_headers = dict(headers or {})
        if token:
            all_headers["X-Session-Token"] = token
        return cls(await connect(url, additional_headers=all_headers, max_size=2**22, open_timeout=10))

    async def send(self, frame: dict[str, Any] | str) -> None:
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def recv(self, timeout: float = 5.0) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))

    async def recv_op(self, op: str, timeout: float = 5.0) -> dict[str, Any]:
        """The next frame with this op, skipping heartbeats."""
        while True:
            frame = await self.recv(timeout)
            if frame.get("op") == op:
                return frame
            if frame.get("op") != "heartbeat":
                raise AssertionError(f"expected {op}, got {frame}")

    async def subscribe(self, stream: str, since: int | None = None, ref: Any = None) -> dict[str, Any]:
        frame: dict[str, Any] = {"op": "subscribe", "stream": stream, "ref": ref}
        if since is not None:
            frame["since"] = since
        await self.send(frame)
        while True:
            answer = await self.recv()
            if answer.get("op") != "heartbeat":
                return answer

    async def entries(self, stream: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The next ``count`` entries of ``stream`` (skipping heartbeats and other streams)."""
        got: list[dict[str, Any]] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(got) < count:
            frame = await self.recv(max(0.01, deadline - loop.time()))
            if frame.get("stream") == stream and "seq" in frame:
                got.append(frame)
        return got

    async def quiet(self, seconds: float) -> list[dict[str, Any]]:
        """Every non-heartbeat frame that arrives within ``seconds``."""
        got = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (left := deadline - loop.time()) > 0:
            try:
                frame = await self.recv(left)
            except TimeoutError:
                break
            if frame.get("op") != "heartbeat":
                got.append(frame)
        return got

    async def close(self) -> None:
        await self.ws.close()
