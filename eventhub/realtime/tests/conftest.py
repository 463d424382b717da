import pytest

from eventhub.testing.factories import EventFactory, MemberFactory, ParticipantFactory
from eventhub.testing.live import daphne, session_token_for


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
def server(tmp_path, transactional_db):
    with daphne(tmp_path) as url:
        yield url


@pytest.fixture
def second_server(tmp_path, transactional_db):
    with daphne(tmp_path) as url:
        yield url
