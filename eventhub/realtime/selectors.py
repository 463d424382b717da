"""Reads of the stream log, shared by the consumer, the hub and the catch-up API."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Min

from .frames import entry_frame
from .models import StreamEntry, StreamHead

T = TypeVar("T")


@dataclass(frozen=True)
class StreamPosition:
    head: int
    """The last seq appended (0 for a stream with no entries yet)."""
    oldest: int | None
    """The oldest seq still kept, None when nothing is kept."""

    def can_replay_from(self, since: int) -> bool:
        """Whether every entry after ``since`` up to the head is still in the log."""
        if since > self.head or since < 0:
            return False
        if since == self.head:
            return True
        return self.oldest is not None and self.oldest <= since + 1


def stream_position(*, stream: str) -> StreamPosition:
    head = StreamHead.objects.filter(stream=stream).values_list("seq", flat=True).first() or 0
    oldest = StreamEntry.objects.filter(stream=stream).aggregate(oldest=Min("seq"))["oldest"]
    return StreamPosition(head=head, oldest=oldest)


def stream_heads(*, streams: list[str]) -> dict[str, int]:
    heads = dict(StreamHead.objects.filter(stream__in=streams).values_list("stream", "seq"))
    return {stream: heads.get(stream, 0) for stream in streams}


def read_at_head(*, stream: str, read: Callable[[], T], attempts: int = 3) -> tuple[T, int]:
    """``read()`` and the head of ``stream`` it corresponds to. Every change that the read
    reflects appends to the stream in its own transaction, so a read between two equal heads is
    exactly the state at that head: a page that shows it subscribes with ``since=head`` and gets
    every later change once. After ``attempts`` moving heads the last pair is returned (the page
    then may show one change twice, never miss one)."""
    head = stream_heads(streams=[stream])[stream]
    for _ in range(attempts):
        result = read()
        head_after = stream_heads(streams=[stream])[stream]
        if head_after == head:
            break
        head = head_after
    return result, head


def stream_entries_since(*, stream: str, since: int, limit: int) -> list[StreamEntry]:
    return list(StreamEntry.objects.filter(stream=stream, seq__gt=since).order_by("seq")[:limit])


def stream_frames_since(*, stream: str, since: int, limit: int) -> list[tuple[int, str]]:
    """Entries after ``since`` as (seq, wire frame) pairs, oldest first."""
    return [
        (
            entry.seq,
            entry_frame(stream=stream, seq=entry.seq, type=entry.type, data=entry.data, created_at=entry.created_at),
        )
        for entry in stream_entries_since(stream=stream, since=since, limit=limit)
    ]
