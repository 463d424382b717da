"""Writes to the stream log, and word that readers changed. Apps call ``stream_append`` and
``stream_readers_changed``; nothing else touches the transport."""

import json
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from eventhub import metrics

from . import transport
from .frames import entry_frame
from .models import StreamEntry
from .streams import stream_kind

logger = logging.getLogger(__name__)

_NEXT_SEQ_SQL = """
INSERT INTO realtime_streamhead (stream, seq, updated_at) VALUES (%s, 1, %s)
ON CONFLICT (stream) DO UPDATE SET seq = realtime_streamhead.seq + 1, updated_at = excluded.updated_at
RETURNING seq
"""


def stream_append(*, stream: str, type: str, data: dict[str, Any]) -> StreamEntry:
    """Append an entry to ``stream`` inside the caller's transaction and broadcast it on commit.

    Side effects: locks the stream's head row until the surrounding transaction ends (so keep
    that transaction short); on commit, publishes the frame through the transport. A rollback
    discards the entry and its seq, so the stream stays gap-free and nothing is broadcast.
    """
    stream_kind(stream)  # raises InvalidStreamName for a name no app registered
    # Round-trip through JSON now so the broadcast frame and the stored entry are identical.
    data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute(_NEXT_SEQ_SQL, [stream, now])
            (seq,) = cursor.fetchone()
        entry = StreamEntry.objects.create(stream=stream, seq=seq, type=type, data=data, created_at=now)
        frame = entry_frame(stream=stream, seq=seq, type=type, data=data, created_at=now)
        transaction.on_commit(partial(transport.publish, stream=stream, seq=seq, frame=frame), robust=True)
        transaction.on_commit(partial(metrics.count_append, stream), robust=True)
    return entry


_NEXT_SEQS_SQL = """
INSERT INTO realtime_streamhead (stream, seq, updated_at)
SELECT name, count, %s FROM unnest(%s::varchar[], %s::integer[]) AS appended(name, count) ORDER BY name
ON CONFLICT (stream) DO UPDATE SET seq = realtime_streamhead.seq + excluded.seq, updated_at = excluded.updated_at
RETURNING stream, seq
"""


def stream_append_many(*, entries: list[tuple[str, str, dict[str, Any]]]) -> list[StreamEntry]:
    """Append many ``(stream, type, data)`` entries — typically one to each of many ``user:``
    streams — in two statements instead of two per entry, with the same guarantees as
    ``stream_append``: gap-free seqs in list order per stream, head rows locked (in name order,
    so concurrent writers cannot deadlock) until commit, broadcast on commit."""
    if not entries:
        return []
    if connection.vendor != "postgresql":
        return [stream_append(stream=stream, type=type, data=data) for stream, type, data in entries]
    counts: dict[str, int] = {}
    for stream, _type, _data in entries:
        stream_kind(stream)
        counts[stream] = counts.get(stream, 0) + 1
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute(_NEXT_SEQS_SQL, [now, list(counts), list(counts.values())])
            heads = dict(cursor.fetchall())
        next_seq = {stream: heads[stream] - counts[stream] + 1 for stream in counts}
        rows = []
        for stream, type, data in entries:
            data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
            rows.append(StreamEntry(stream=stream, seq=next_seq[stream], type=type, data=data, created_at=now))
            next_seq[stream] += 1
        StreamEntry.objects.bulk_create(rows)
        for row in rows:
            frame = entry_frame(stream=row.stream, seq=row.seq, type=row.type, data=row.data, created_at=now)
            transaction.on_commit(partial(transport.publish, stream=row.stream, seq=row.seq, frame=frame), robust=True)
        transaction.on_commit(partial(_count_appends, counts), robust=True)
    return rows


def _count_appends(counts: dict[str, int]) -> None:
    for stream, count in counts.items():
        metrics.count_append(stream, count)


def stream_purge_expired(*, now: datetime | None = None) -> int:
    """Delete entries older than their stream kind's retention. Deletes by seq (everything up to
    the newest expired entry of each stream), so the kept log is always one contiguous run and
    a reader either replays without holes or gets a ``reset``. Heads stay, so seqs never repeat.
    """
    now = now or timezone.now()
    deleted = 0
    for prefix, days in settings.STREAMS["RETENTION_DAYS"].items():
        expired = (
            StreamEntry.objects.filter(stream__startswith=f"{prefix}:", created_at__lt=now - timedelta(days=days))
            .values("stream")
            .annotate(upto=Max("seq"))
        )
        for row in expired:
            deleted += StreamEntry.objects.filter(stream=row["stream"], seq__lte=row["upto"]).delete()[0]
    return deleted


def stream_readers_changed(*, session_keys: Iterable[str] = (), user_ids: Iterable[int] = ()) -> None:
    """The sessions ended, or the users' rights changed: on commit, every server process
    re-authorizes their open sockets at once (``transport.publish_recheck``) — a logged-out
    socket is closed (4001), a stream its reader may no longer read ends (``forbidden``). The
    consumer's periodic re-check stays as the backstop should the message be lost."""
    recheck = transport.Recheck(
        sessions=frozenset(transport.session_digest(key) for key in session_keys), users=frozenset(user_ids)
    )
    if recheck.sessions or recheck.users:
        transaction.on_commit(partial(transport.publish_recheck, recheck), robust=True)
