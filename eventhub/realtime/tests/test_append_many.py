"""``stream_append_many``: one publish notifying many people keeps every stream's contract."""

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from eventhub.realtime.models import StreamEntry
from eventhub.realtime.services import stream_append, stream_append_many
from eventhub.realtime.streams import user_stream
from eventhub.testing.live import session_token_for
from eventhub.testing.ws import StreamClient

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


async def test_entries_to_many_streams_arrive_in_order_gap_free_and_match_the_log(event, attendee, organizer, ws):
    mine, theirs = user_stream(attendee.pk), user_stream(organizer.pk)
    await database_sync_to_async(lambda: stream_append(stream=mine, type="earlier", data={}))()
    client = await StreamClient.open(ws, token=await database_sync_to_async(_token)(attendee))
    await client.subscribe(mine, since=1)

    def notify() -> None:
        with transaction.atomic():
            stream_append_many(
                entries=[(mine, "first", {"n": 1}), (theirs, "other", {"n": 2}), (mine, "second", {"n": 3})]
            )

    await database_sync_to_async(notify)()
    delivered = await client.entries(mine, 2)
    logged = await database_sync_to_async(
        lambda: list(StreamEntry.objects.order_by("stream", "seq").values_list("stream", "seq", "type"))
    )()

    assert [(f["seq"], f["type"], f["data"]) for f in delivered] == [(2, "first", {"n": 1}), (3, "second", {"n": 3})]
    assert sorted(logged) == sorted(
        [(theirs, 1, "other"), (mine, 1, "earlier"), (mine, 2, "first"), (mine, 3, "second")]
    )
    assert await client.quiet(1) == []
    await client.close()


async def test_rolled_back_batch_is_never_delivered_and_leaves_no_gap(event, attendee, ws):
    mine = user_stream(attendee.pk)
    client = await StreamClient.open(ws, token=await database_sync_to_async(_token)(attendee))
    await client.subscribe(mine, since=0)

    def rolled_back() -> None:
        with transaction.atomic():
            stream_append_many(entries=[(mine, "lost", {}), (mine, "lost", {})])
            transaction.set_rollback(True)

    await database_sync_to_async(rolled_back)()
    await database_sync_to_async(lambda: stream_append_many(entries=[(mine, "kept", {})]))()
    (kept,) = await client.entries(mine, 1)

    assert (kept["seq"], kept["type"]) == (1, "kept")
    assert await client.quiet(1) == []
    await client.close()


def _token(user) -> str:
    return session_token_for(user)
