import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from eventhub.realtime.services import stream_append
from eventhub.testing.factories import EventFactory, MemberFactory, ParticipantFactory
from eventhub.testing.live import daphne, session_token_for, ws_url

# Servers outlive single tests (starting daphne costs ~1 s); ids are never reused after the
# per-test flush, so no stream of one test is seen by another.


@pytest.fixture(scope="module")
def server(tmp_path_factory, django_db_setup):
    with daphne(tmp_path_factory.mktemp("server")) as url:
        yield url


@pytest.fixture(scope="module")
def second_server(tmp_path_factory, django_db_setup):
    with daphne(tmp_path_factory.mktemp("second")) as url:
        yield url


@pytest.fixture
def ws(server):
    return ws_url(server)


@pytest.fixture
def event(transactional_db):
    return EventFactory()


@pytest.fixture
def organizer(event):
    return MemberFactory(organization=event.organization).user


@pytest.fixture
def attendee(event):
    return ParticipantFactory(event=event).user


@pytest.fixture
def organizer_token(organizer):
    return session_token_for(organizer)


@pytest.fixture
def attendee_token(attendee):
    return session_token_for(attendee)


def append_sync(stream: str, count: int, start: int = 0, type: str = "test.tick") -> list[int]:
    seqs = []
    for n in range(start, start + count):
        with transaction.atomic():
            seqs.append(stream_append(stream=stream, type=type, data={"n": n}).seq)
    return seqs


append = database_sync_to_async(append_sync)
