"""Writes to the stream log. Apps call ``stream_append``; nothing else touches the broker."""

import json
import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from . import broker
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
    that transaction short); on commit, publishes the frame through the broker. A rollback
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
        transaction.on_commit(partial(broker.publish, stream=stream, seq=seq, frame=frame), robust=True)
    return entry


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
