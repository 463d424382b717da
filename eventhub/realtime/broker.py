"""How a committed entry reaches the hub of every server process — the one module that knows.

With ``REDIS_URL`` set: Redis Pub/Sub, one channel per stream; each process's hub subscribes
once per stream that has local subscribers (see ``hub.RedisTransport``). Without it (the embedded
default) the hub of this process is called directly. Either way the broadcast is only a hint:
a publish that fails or is lost is filled in from the log by the hubs (``hub.StreamHub``).
"""

import logging
from functools import cache

import redis
from django.conf import settings

logger = logging.getLogger(__name__)


def channel_for(stream: str) -> str:
    # Pub/Sub channels ignore Redis's database number, so installs sharing a Redis keep apart
    # by prefix.
    return settings.STREAMS["CHANNEL_PREFIX"] + stream


def stream_for(channel: str) -> str:
    return channel.removeprefix(settings.STREAMS["CHANNEL_PREFIX"])


def encode_message(*, seq: int, frame: str) -> str:
    # The seq travels in front of the frame so a hub routes without decoding the JSON.
    return f"{seq} {frame}"


def decode_message(message: str | bytes) -> tuple[int, str]:
    if isinstance(message, bytes):
        message = message.decode()
    seq, frame = message.split(" ", 1)
    return int(seq), frame


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1.0, socket_connect_timeout=1.0)


def publish(*, stream: str, seq: int, frame: str) -> None:
    """Broadcast a committed entry. Never raises: a lost broadcast is recovered from the log."""
    if settings.REDIS_URL:
        try:
            _redis().publish(channel_for(stream), encode_message(seq=seq, frame=frame))
        except redis.RedisError as exc:
            logger.warning("stream broadcast of %s#%s failed (%s); hubs will fill it from the log", stream, seq, exc)
        return
    from .hub import local_hub

    hub = local_hub()
    if hub is not None:
        hub.deliver_threadsafe(stream=stream, seq=seq, frame=frame)
