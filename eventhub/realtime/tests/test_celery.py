from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from eventhub.testing.factories import EventFactory
from eventhub.testing.live import celery_worker, ws_url
from eventhub.testing.ws import StreamClient
from events.enums import EventStatus
from events.tasks import advance_event_statuses

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


async def test_task_in_a_real_celery_worker_reaches_a_websocket_subscriber(server, tmp_path):
    starts_now = await database_sync_to_async(
        lambda: EventFactory(status=EventStatus.PUBLISHED, start=timezone.now() - timedelta(minutes=1))
    )()
    client = await StreamClient.open(ws_url(server))
    await client.subscribe(starts_now.stream)

    with celery_worker(tmp_path):
        result = advance_event_statuses.delay()
        changed = await database_sync_to_async(result.get)(timeout=20)
        entries = await client.entries(starts_now.stream, 1)

    assert changed == [starts_now.pk]
    assert [(e["seq"], e["type"], e["data"]) for e in entries] == [
        (1, "event.updated", {"id": starts_now.pk, "changes": {"status": {"old": "published", "new": "live"}}})
    ]
    await client.close()
