"""Fixtures shared by the events tests that render portal pages for the "Acme Events"
organization (modules may define their own of the same names, which take precedence): the
organization ("acme_org", also "org"), its owner ("acme_owner", also "owner"; logged in with
``logged_in``), and the agenda tests' event "acme-conf" (1–2 May 2031, Berlin) with its Hall A."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from eventhub.testing.factories import EventFactory, MemberFactory, OrganizationFactory, RoomFactory
from events.enums import MemberRole


@pytest.fixture
def acme_org():
    return OrganizationFactory(name="Acme Events", slug="acme")


@pytest.fixture
def acme_owner(acme_org):
    return MemberFactory(organization=acme_org, role=MemberRole.OWNER, user__email="owner@example.org").user


@pytest.fixture
def org(acme_org):
    return acme_org


@pytest.fixture
def owner(acme_owner):
    return acme_owner


@pytest.fixture
def logged_in(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def agenda_event(org):
    berlin = ZoneInfo("Europe/Berlin")
    return EventFactory(
        organization=org,
        name="Acme Conf",
        slug="acme-conf",
        timezone="Europe/Berlin",
        start=datetime(2031, 5, 1, 9, 0, tzinfo=berlin),
        end=datetime(2031, 5, 2, 18, 0, tzinfo=berlin),
    )


@pytest.fixture
def hall_a(agenda_event):
    return RoomFactory(event=agenda_event, name="Hall A", position=0)
