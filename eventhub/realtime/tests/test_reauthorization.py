import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session
from django_scopes import scopes_disabled
from websockets.exceptions import ConnectionClosed

from eventhub.realtime.streams import event_staff_stream, event_stream
from eventhub.testing.live import daphne, ws_url
from eventhub.testing.ws import StreamClient
from events.models import OrganizationMember

from .conftest import append

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quick_server(tmp_path, transactional_db):
    with daphne(tmp_path, STREAM_REAUTHORIZE_SECONDS="1") as url:
        yield ws_url(url)


async def test_removed_member_loses_the_staff_stream(event, organizer, organizer_token, quick_server):
    client = await StreamClient.open(quick_server, token=organizer_token)
    await client.subscribe(event_staff_stream(event.pk))
    await client.subscribe(event_stream(event.pk))

    def remove_membership() -> None:
        with scopes_disabled():
            OrganizationMember.objects.filter(user=organizer).delete()

    await database_sync_to_async(remove_membership)()
    revoked = await client.recv_op("error", timeout=5)
    await append(event_staff_stream(event.pk), 1)
    await append(event_stream(event.pk), 1)
    after = await client.quiet(2.5)

    assert revoked == {
        "op": "error",
        "code": "forbidden",
        "detail": f"You may no longer read {event_staff_stream(event.pk)}.",
        "ref": None,
    }
    assert [(f["stream"], f["seq"]) for f in after] == [(event_stream(event.pk), 1)]
    await client.close()


async def test_socket_of_a_logged_out_session_is_closed(event, organizer_token, quick_server):
    client = await StreamClient.open(quick_server, token=organizer_token)
    await client.subscribe(event_staff_stream(event.pk))

    await database_sync_to_async(lambda: Session.objects.filter(session_key=organizer_token).delete())()
    with pytest.raises(ConnectionClosed) as closed:
        await client.quiet(5)

    assert closed.value.rcvd.code == 4001
