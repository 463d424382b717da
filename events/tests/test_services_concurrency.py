"""Concurrent writes: joins of one event each publish the true total; two writers of one
unique key (organization slug, event slug, membership) get one success and ``Invalid`` errors.

Real concurrency (threads, each with its own database connection) released together by a
barrier; the negative controls turn the protection off and show that the race then happens, so
the positive tests do not pass by luck of timing."""

import contextlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django_scopes import scope, scopes_disabled

from eventhub.errors import DomainError
from eventhub.realtime.models import StreamEntry
from eventhub.realtime.streams import event_staff_stream
from eventhub.testing.factories import EventFactory, MemberFactory, UserFactory
from eventhub.testing.live import session_token_for
from events.enums import MemberRole
from events.models import Event, Organization, OrganizationMember, Participant
from events.services import organizations as services

pytestmark = pytest.mark.django_db(transaction=True)

JOINERS = 8


def _join_concurrently(event, tokens: list[str]) -> list[int]:
    barrier = threading.Barrier(len(tokens))
    statuses: list[int] = []

    def join(token: str) -> None:
        try:
            client = Client(HTTP_X_SESSION_TOKEN=token)
            barrier.wait(timeout=10)
            statuses.append(client.post(f"/api/v1/events/{event.pk}/join").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=join, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


def _published_totals(event) -> list[int]:
    entries = StreamEntry.objects.filter(stream=event_staff_stream(event.pk)).order_by("seq")
    return [entry.data["participants"] for entry in entries]


def _round() -> tuple[list[int], list[int], int]:
    with scopes_disabled():
        event = EventFactory(open_registration=True)
    tokens = [session_token_for(UserFactory()) for _ in range(JOINERS)]
    statuses = _join_concurrently(event, tokens)
    with scopes_disabled():
        rows = Participant.objects.filter(event=event).count()
    return statuses, _published_totals(event), rows


def test_concurrent_joins_publish_every_total_once():
    statuses, totals, rows = _round()

    assert statuses == [201] * JOINERS
    assert rows == JOINERS
    # In seq order: the stream's order is commit order, and each join counted every earlier one.
    assert totals == list(range(1, JOINERS + 1))


def test_concurrent_joins_without_the_lock_publish_wrong_totals(monkeypatch):
    """Negative control: with the lock off, some joins miss each other's uncommitted rows."""
    monkeypatch.setattr(services, "_lock_event_participants", lambda event: None)

    reproduced = []
    for _ in range(5):  # the race is likely, not certain, in a single round
        statuses, totals, rows = _round()
        assert (statuses, rows) == ([201] * JOINERS, JOINERS)
        reproduced.append(totals != list(range(1, JOINERS + 1)))
        if reproduced[-1]:
            break

    assert reproduced[-1] is True


# --- unique keys written concurrently: a ValidationError for the loser, never a 500 ---------


def _concurrently(calls) -> list[str]:
    """Run the calls at once (each in its own thread and connection); each outcome is "ok" or
    the name of the exception it raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call) -> None:
        try:
            barrier.wait(timeout=10)
            with scopes_disabled():
                call()
            outcomes.append("ok")
        except Exception as error:  # the outcome is what the tests compare
            outcomes.append(f"{type(error).__name__}: {getattr(error, 'fields', error)}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def _creators(count: int) -> list:
    return [UserFactory() for _ in range(count)]


def test_concurrent_organization_create_with_one_slug_refuses_all_but_one():
    users = _creators(4)

    outcomes = _concurrently(
        [lambda user=user: services.organization_create(actor=user, name="Same", slug="same") for user in users]
    )

    assert outcomes == ["Invalid: {'slug': ['This address is taken.']}"] * 3 + ["ok"]
    assert Organization.objects.filter(slug="same").count() == 1
    with scopes_disabled():
        assert OrganizationMember.objects.filter(organization__slug="same").count() == 1


def test_concurrent_organization_create_without_the_guard_fails_with_integrity_errors(monkeypatch):
    """Negative control: the pre-check alone lets the losers through to the unique index."""
    monkeypatch.setattr(services, "unique_or_invalid", lambda **kwargs: contextlib.nullcontext())
    users = _creators(6)

    # The window between pre-check and insert is narrow: a round where the threads happen to run
    # one after another shows no race, so try a few rounds (each on its own slug).
    raced = False
    for round_number in range(10):
        slug = f"same-{round_number}"
        outcomes = _concurrently(
            [
                lambda user=user, slug=slug: services.organization_create(actor=user, name="Same", slug=slug)
                for user in users
            ]
        )
        if any(outcome.startswith("IntegrityError") for outcome in outcomes):
            raced = True
            break

    assert raced


def test_concurrent_member_add_of_one_person_refuses_all_but_one():
    with scopes_disabled():
        organization = MemberFactory(role=MemberRole.OWNER).organization
        admins = [MemberFactory(organization=organization, role=MemberRole.ADMIN).user for _ in range(4)]
    newcomer = UserFactory()

    outcomes = _concurrently(
        [
            lambda actor=actor: services.member_add(
                actor=actor, organization=organization, email=newcomer.email, role=MemberRole.EDITOR
            )
            for actor in admins
        ]
    )

    assert outcomes == ["Invalid: {'email': ['This person is already a member.']}"] * 3 + ["ok"]
    with scopes_disabled():
        assert OrganizationMember.objects.filter(organization=organization, user=newcomer).count() == 1


def test_concurrent_event_create_with_one_slug_refuses_all_but_one():
    with scopes_disabled():
        organization = MemberFactory(role=MemberRole.OWNER).organization
        editors = [MemberFactory(organization=organization, role=MemberRole.EDITOR).user for _ in range(4)]
    start = datetime(2031, 3, 1, 9, tzinfo=UTC)
    fields = {"name": "Same", "slug": "same", "timezone": "UTC", "start": start, "end": start + timedelta(hours=8)}

    outcomes = _concurrently(
        [
            lambda editor=editor: services.event_create(actor=editor, organization=organization, **fields)
            for editor in editors
        ]
    )

    assert outcomes == ["Invalid: {'slug': ['Another event of this organization uses this address.']}"] * 3 + ["ok"]
    with scopes_disabled():
        assert Event.objects.filter(organization=organization, slug="same").count() == 1


def _demote_each_other_concurrently() -> tuple[list[str], int]:
    with scopes_disabled():
        first = MemberFactory(role=MemberRole.OWNER)
        organization = first.organization
        second = MemberFactory(organization=organization, role=MemberRole.OWNER)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(actor_member: OrganizationMember, target_id: int) -> None:
        try:
            with scope(organization=organization.pk):
                target = OrganizationMember.objects.get(pk=target_id)
                barrier.wait(timeout=10)
                try:
                    services.member_change_role(actor=actor_member.user, member=target, role=MemberRole.EDITOR)
                    outcomes.append("demoted")
                except DomainError:
                    outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(first, second.pk)),
        threading.Thread(target=demote, args=(second, first.pk)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with scopes_disabled():
        owners = OrganizationMember.objects.filter(organization=organization, role=MemberRole.OWNER).count()
    return sorted(outcomes), owners


def test_two_owners_demoting_each_other_at_once_leave_one_owner():
    rounds = [_demote_each_other_concurrently() for _ in range(5)]
    assert [owners for _, owners in rounds] == [1] * 5
    assert all(outcomes in (["demoted", "refused"],) for outcomes, _ in rounds)


def test_two_owners_demoting_each_other_without_the_lock_can_leave_none(monkeypatch):
    monkeypatch.setattr(services, "_lock_organization", lambda organization: None)
    rounds = [_demote_each_other_concurrently() for _ in range(5)]
    assert 0 in [owners for _, owners in rounds]
