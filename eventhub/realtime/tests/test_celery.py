from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from eventhub.realtime.models import StreamEntry
from eventhub.realtime.streams import event_stream
from eventhub.realtime.tasks import purge_expired_stream_entries
from eventhub.testing.factories import EventFactory
from eventhub.testing.live import celery_worker, ws_url
from eventhub.testing.ws import StreamClient
from events.enums import EventStatus
from events.tasks import advance_event_statuses

from .conftest import append_sync

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


async def test_task_in_a_real_celery_worker_reaches_a_websocket_subscriber(server, tmp_path):
    starts_now = await database_sync_to_async(
        lambda: EventFactory(status=EventStatus.PUBLISHED, start=timezone.now() - timedelta(minutes=1))
    )()
    client = await StreamClient.open(ws_url(server))
    await client.subscribe(event_stream(starts_now.pk))

    with celery_worker(tmp_path):
        result = advance_event_statuses.delay()
        changed = await database_sync_to_async(result.get)(timeout=20)
        entries = await client.entries(event_stream(starts_now.pk), 1)

    assert changed == [starts_now.pk]
    assert [(e["seq"], e["type"], e["data"]) for e in entries] == [
        (1, "event.updated", {"id": starts_now.pk, "changes": {"status": {"old": "published", "new": "live"}}})
    ]
    await client.close()


async def test_retention_task_in_a_real_worker_purges_only_expired_entries(event, tmp_path):
    def arrange() -> None:
        append_sync(event_stream(event.pk), 3)
        StreamEntry.objects.filter(stream=event_stream(event.pk), seq__lte=2).update(
            created_at=timezone.now() - timedelta(days=8)
        )

    await database_sync_to_async(arrange)()

    with celery_worker(tmp_path):
        purged = await database_sync_to_async(purge_expired_stream_entries.delay().get)(timeout=20)
    kept = await database_sync_to_async(
        lambda: list(StreamEntry.objects.filter(stream=event_stream(event.pk)).values_list("seq", flat=True))
    )()

    assert purged == 2
    assert kept == [3]
