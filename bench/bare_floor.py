#!/usr/bin/env python
"""Calibration: the floor of Python fan-out on this machine, measured with the same yardstick.

A bare `websockets` server (no Django, no auth, no log) answers every subscribe with
`subscribed`, holds one Redis Pub/Sub subscription per process and writes each message to all
its sockets. Run by bench/fanout.py with `--servers bare`, fed by the same appender
(`manage.py stream_append`, PostgreSQL commit, Redis publish), so the difference to daphne is
what EventHub's server costs.

    python bench/bare_floor.py PORT CHANNEL
"""

import asyncio
import json
import sys

import redis.asyncio as aioredis
from websockets.asyncio.server import broadcast, serve

clients: set = set()


async def handler(ws) -> None:
    async for raw in ws:
        frame = json.loads(raw)
        if frame.get("op") == "subscribe":
            clients.add(ws)
            await ws.send(
                json.dumps({"op": "subscribed", "stream": frame["stream"], "head": 0, "ref": frame.get("ref")})
            )
    clients.discard(ws)


async def relay(channel: str) -> None:
    pubsub = aioredis.Redis(host="127.0.0.1", port=6379, db=9).pubsub()
    await pubsub.subscribe(channel)
    async for message in pubsub.listen():
        if message["type"] == "message":
            broadcast(clients, message["data"].decode().split(" ", 1)[1])


async def main(port: int, channel: str) -> None:
    async with serve(handler, "127.0.0.1", port, max_size=2**16):
        await relay(channel)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
