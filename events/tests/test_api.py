"""The events API: my organizations, my events, event detail and visibility, joining an event."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from eventhub.models import IdempotencyRecord
from eventhub.realtime.models import StreamEntry
from eventhub.testing.factories import EventFactory, MemberFactory, OrganizationFactory, ParticipantFactory, UserFactory
from eventhub.testing.live import session_token_for
from events.enums import EventStatus, EventVisibility, MemberRole, ParticipantKind
from events.models import Event, Participant
from events.services.organizations import event_update

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOT_FOUND = {"error": {"code": "not_found", "detail": "Not found.", "fields": {}}}


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(user))
    return client


def _event(**fields) -> Event:
    fields.setdefault("start", datetime(2031, 1, 15, 9, 0, tzinfo=BERLIN))
    fields.setdefault("end", datetime(2031, 1, 16, 18, 0, tzinfo=BERLIN))
    with scopes_disabled():
        return EventFactory(**fields)


def _participant(**fields) -> Participant:
    with scopes_disabled():
        return ParticipantFactory(**fields)


def _member(**fields):
    with scopes_disabled():
        return MemberFactory(**fields)


def _event_body(event: Event, **extra) -> dict:
    organization = event.organization
    return {
        "id": event.pk,
        "organization": {"id": organization.pk, "slug": organization.slug, "name": organization.name},
        "name": event.name,
        "slug": event.slug,
        "timezone": event.timezone,
        "start": event.start.astimezone(event.tz).isoformat(),
        "end": event.end.astimezone(event.tz).isoformat(),
        "venue_name": event.venue_name,
        "venue_address": event.venue_address,
        "description": event.description,
        "status": event.status,
        "visibility": event.visibility,
        "open_registration": event.open_registration,
        "stream": f"event:{event.pk}",
        **extra,
    }


def _participants(event: Event) -> list[tuple[int, str]]:
    with scopes_disabled():
        return list(Participant.objects.filter(event=event).order_by("pk").values_list("user_id", "kind"))


# --- /api/v1/me/organizations ----------------------------------------------------------------


def test_my_organizations_lists_memberships_with_role():
    user = UserFactory()
    first = _member(user=user, organization=OrganizationFactory(name="Alpha", slug="alpha"), role=MemberRole.OWNER)
    second = _member(user=user, organization=OrganizationFactory(name="Beta", slug="beta"), role=MemberRole.ANALYST)
    _member(organization=OrganizationFactory(name="Gamma", slug="gamma"))  # someone else's

    response = _client(user).get("/api/v1/me/organizations")

    assert response.status_code == 200
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": [
            {"organization": {"id": second.organization_id, "slug": "beta", "name": "Beta"}, "role": "analyst"},
            {"organization": {"id": first.organization_id, "slug": "alpha", "name": "Alpha"}, "role": "owner"},
        ],
    }


@pytest.mark.parametrize("count", [1, 3])
def test_my_organizations_query_count_does_not_grow_with_memberships(django_assert_num_queries, count):
    user = UserFactory()
    for _ in range(count):
        _member(user=user)
    client = _client(user)

    # the session token and its user, the tenant keys of user_scope (2), the page
    with django_assert_num_queries(5):
        response = client.get("/api/v1/me/organizations")

    assert len(response.json()["results"]) == count


def test_my_organizations_unauthenticated_is_401():
    response = _client().get("/api/v1/me/organizations")

    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "not_authenticated", "detail": "Authentication credentials were not provided.", "fields": {}}
    }


# --- /api/v1/me/events -----------------------------------------------------------------------


def test_my_events_lists_participations_and_member_events_only():
    user = UserFactory()
    attended = _participant(user=user, event=_event(name="Attended")).event
    member = _member(user=user)
    organized = _event(name="Organized", organization=member.organization)
    _event(name="Elsewhere")  # public, but neither mine nor my organization's

    response = _client(user).get("/api/v1/me/events")

    assert response.status_code == 200
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": [_event_body(organized), _event_body(attended)],
    }


def test_my_events_hides_drafts_from_participants_like_event_detail():
    user = UserFactory()
    draft = _participant(user=user, event=_event(status=EventStatus.DRAFT, name="Secret draft")).event
    announced = _participant(user=user, event=_event(organization=draft.organization)).event
    client = _client(user)

    listed = client.get("/api/v1/me/events").json()["results"]
    detail = client.get(f"/api/v1/events/{draft.pk}")

    assert [event["id"] for event in listed] == [announced.pk]
    assert detail.status_code == 404


def test_my_events_shows_drafts_to_members():
    member = _member(role=MemberRole.EDITOR)
    draft = _event(status=EventStatus.DRAFT, organization=member.organization)

    listed = _client(member.user).get("/api/v1/me/events").json()["results"]

    assert listed == [_event_body(draft)]


def test_my_events_paginates_with_cursor_and_page_size():
    user = UserFactory()
    events = [_participant(user=user).event for _ in range(5)]
    client = _client(user)

    first = client.get("/api/v1/me/events", {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    pages = [[e["id"] for e in page["results"]] for page in (first, second, third)]
    newest_first = [e.pk for e in reversed(events)]
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:5]]
    assert third["next"] is None
    assert "cursor=" in first["next"]


@pytest.mark.parametrize("count", [1, 3])
def test_my_events_query_count_does_not_grow_with_events(django_assert_num_queries, count):
    user = UserFactory()
    for _ in range(count):
        _participant(user=user, event=_event(organization=OrganizationFactory()))
    client = _client(user)

    # the session token and its user, the tenant keys of user_scope (2), the page
    with django_assert_num_queries(5):
        response = client.get("/api/v1/me/events")

    assert len(response.json()["results"]) == count


# --- /api/v1/events/<id> ---------------------------------------------------------------------


def test_event_detail_public_event_is_visible_anonymously_in_its_time_zone():
    event = _event(
        timezone="Europe/Berlin",
        start=datetime(2031, 1, 15, 8, 0, tzinfo=ZoneInfo("UTC")),
        end=datetime(2031, 1, 16, 17, 0, tzinfo=ZoneInfo("UTC")),
    )

    response = _client().get(f"/api/v1/events/{event.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["start"], body["end"]) == ("2031-01-15T09:00:00+01:00", "2031-01-16T18:00:00+01:00")
    assert body == _event_body(event, my_role=None, my_participation=None)


def test_event_detail_summer_time_carries_summer_offset():
    event = _event(start=datetime(2031, 7, 15, 9, 0, tzinfo=BERLIN), end=datetime(2031, 7, 15, 17, 0, tzinfo=BERLIN))

    body = _client().get(f"/api/v1/events/{event.pk}").json()

    assert (body["timezone"], body["start"], body["end"]) == (
        "Europe/Berlin",
        "2031-07-15T09:00:00+02:00",
        "2031-07-15T17:00:00+02:00",
    )


def test_event_detail_shows_my_role_and_participation():
    event = _event()
    member = _member(organization=event.organization, role=MemberRole.EDITOR)
    speaker = _participant(event=event, kind=ParticipantKind.SPEAKER).user

    as_member = _client(member.user).get(f"/api/v1/events/{event.pk}").json()
    as_speaker = _client(speaker).get(f"/api/v1/events/{event.pk}").json()

    assert as_member == _event_body(event, my_role="editor", my_participation=None)
    assert as_speaker == _event_body(event, my_role=None, my_participation="speaker")


def test_event_detail_missing_event_is_404():
    response = _client(UserFactory()).get("/api/v1/events/987654321")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize("visibility", [EventVisibility.PUBLIC, EventVisibility.PRIVATE])
def test_event_detail_draft_is_404_like_missing_for_non_members(visibility):
    draft = _event(status=EventStatus.DRAFT, visibility=visibility)
    attendee = _participant(event=draft).user  # even a participant does not see a draft
    outsider = UserFactory()

    responses = [
        _client(user).get(f"/api/v1/events/{event_id}")
        for user in (None, outsider, attendee)
        for event_id in (draft.pk, 987654321)
    ]

    assert [(r.status_code, r.content) for r in responses] == [(404, responses[1].content)] * 6
    assert responses[0].json() == NOT_FOUND


def test_event_detail_draft_is_visible_to_members():
    draft = _event(status=EventStatus.DRAFT)
    member = _member(organization=draft.organization, role=MemberRole.ANALYST)

    response = _client(member.user).get(f"/api/v1/events/{draft.pk}")

    assert response.status_code == 200
    assert response.json() == _event_body(draft, my_role="analyst", my_participation=None)


def test_event_detail_private_is_visible_to_participants_and_members_only():
    private = _event(visibility=EventVisibility.PRIVATE)
    attendee = _participant(event=private).user
    member = _member(organization=private.organization).user
    outsider = UserFactory()
    other_org_member = _member().user

    statuses = {
        name: _client(user).get(f"/api/v1/events/{private.pk}").status_code
        for name, user in {
            "anonymous": None,
            "outsider": outsider,
            "other_org_member": other_org_member,
            "attendee": attendee,
            "member": member,
        }.items()
    }

    assert statuses == {"anonymous": 404, "outsider": 404, "other_org_member": 404, "attendee": 200, "member": 200}


def test_event_detail_unlisted_is_visible_by_link():
    unlisted = _event(visibility=EventVisibility.UNLISTED)

    response = _client(UserFactory()).get(f"/api/v1/events/{unlisted.pk}")

    assert response.status_code == 200
    assert response.json()["visibility"] == "unlisted"


# --- ETag / If-None-Match --------------------------------------------------------------------


def test_event_detail_etag_answers_304_until_the_event_changes():
    event = _event()
    client = _client()
    first = client.get(f"/api/v1/events/{event.pk}")
    etag = first["ETag"]

    unchanged = client.get(f"/api/v1/events/{event.pk}", HTTP_IF_NONE_MATCH=etag)
    with scopes_disabled():
        event_update(actor=None, event=event, name="Renamed")
    changed = client.get(f"/api/v1/events/{event.pk}", HTTP_IF_NONE_MATCH=etag)

    assert first.status_code == 200
    assert etag.startswith('"')
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["name"] == "Renamed"


# --- POST /api/v1/events/<id>/join -----------------------------------------------------------


def test_join_open_event_creates_participant_once():
    event = _event(open_registration=True)
    user = UserFactory()
    client = _client(user)

    first = client.post(f"/api/v1/events/{event.pk}/join")
    again = client.post(f"/api/v1/events/{event.pk}/join")

    assert (first.status_code, again.status_code) == (201, 200)
    with scopes_disabled():
        joined_at = Participant.objects.get(event=event, user=user).created_at
    assert first.json() == {
        "event": event.pk,
        "kind": "attendee",
        "joined_at": joined_at.astimezone(BERLIN).isoformat(),
    }
    assert first.json()["joined_at"][-6:] in ("+01:00", "+02:00")
    assert again.json() == first.json()
    assert _participants(event) == [(user.pk, "attendee")]


def test_join_appends_staff_and_user_stream_entries():
    event = _event(open_registration=True)
    user = UserFactory()

    _client(user).post(f"/api/v1/events/{event.pk}/join")

    entries = list(StreamEntry.objects.order_by("stream").values_list("stream", "seq", "type", "data"))
    with scopes_disabled():
        participant = Participant.objects.get(event=event, user=user)
    assert entries == [
        (
            f"event:{event.pk}:staff",
            1,
            "participant.joined",
            {"participant": participant.pk, "kind": "attendee", "participants": 1},
        ),
        (f"user:{user.pk}", 1, "participation.created", {"event": event.pk, "kind": "attendee"}),
    ]


@pytest.mark.parametrize(
    "fields",
    [
        {"open_registration": False},
        {"status": EventStatus.ENDED},
    ],
    ids=["registration-closed", "ended"],
)
def test_join_event_not_open_is_403_and_creates_nothing(fields):
    event = _event(**fields)
    user = UserFactory()

    response = _client(user).post(f"/api/v1/events/{event.pk}/join")

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "permission_denied",
            "detail": "You do not have permission to perform this action.",
            "fields": {},
        }
    }
    assert _participants(event) == []
    assert StreamEntry.objects.count() == 0


def test_join_private_event_is_404_like_missing_and_creates_nothing():
    private = _event(visibility=EventVisibility.PRIVATE, open_registration=True)
    client = _client(UserFactory())

    hidden = client.post(f"/api/v1/events/{private.pk}/join")
    missing = client.post("/api/v1/events/987654321/join")

    assert (hidden.status_code, hidden.content) == (missing.status_code, missing.content)
    assert hidden.json() == NOT_FOUND
    assert _participants(private) == []


def test_join_unauthenticated_is_401_and_creates_nothing():
    event = _event(open_registration=True)

    response = _client().post(f"/api/v1/events/{event.pk}/join")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'X-Session-Token realm="api"'
    assert _participants(event) == []


def test_join_with_idempotency_key_replays_the_first_response():
    event = _event(open_registration=True)
    user = UserFactory()
    client = _client(user)

    first = client.post(f"/api/v1/events/{event.pk}/join", HTTP_IDEMPOTENCY_KEY="join-1")
    retry = client.post(f"/api/v1/events/{event.pk}/join", HTTP_IDEMPOTENCY_KEY="join-1")

    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert (retry.status_code, retry.content) == (201, first.content)
    assert retry["Idempotent-Replayed"] == "true"
    assert retry["Content-Type"] == "application/json"
    assert _participants(event) == [(user.pk, "attendee")]


def test_join_with_reused_idempotency_key_for_another_path_is_422():
    event, other = _event(open_registration=True), _event(open_registration=True)
    user = UserFactory()
    client = _client(user)
    client.post(f"/api/v1/events/{event.pk}/join", HTTP_IDEMPOTENCY_KEY="join-1")

    response = client.post(f"/api/v1/events/{other.pk}/join", HTTP_IDEMPOTENCY_KEY="join-1")

    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "idempotency_key_reused",
            "detail": "This Idempotency-Key was used for a different request.",
            "fields": {},
        }
    }
    assert _participants(other) == []


def test_join_with_reused_idempotency_key_and_another_body_is_422():
    event = _event(open_registration=True)
    user = UserFactory()
    client = _client(user)
    client.post(f"/api/v1/events/{event.pk}/join", {}, format="json", HTTP_IDEMPOTENCY_KEY="join-1")

    response = client.post(
        f"/api/v1/events/{event.pk}/join", {"note": "other"}, format="json", HTTP_IDEMPOTENCY_KEY="join-1"
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"


def test_idempotency_keys_are_per_user():
    event = _event(open_registration=True)
    first_user, second_user = UserFactory(), UserFactory()

    first = _client(first_user).post(f"/api/v1/events/{event.pk}/join", HTTP_IDEMPOTENCY_KEY="same")
    second = _client(second_user).post(f"/api/v1/events/{event.pk}/join", HTTP_IDEMPOTENCY_KEY="same")

    assert (first.status_code, second.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in second
    assert _participants(event) == [(first_user.pk, "attendee"), (second_user.pk, "attendee")]
    assert IdempotencyRecord.objects.filter(key="same").count() == 2


# --- /api/v1/events/open ---------------------------------------------------------------------


def test_open_events_lists_joinable_listed_events_of_every_organization_soonest_first(django_assert_max_num_queries):
    later = _event(name="Later", open_registration=True, start=datetime(2031, 3, 1, 9, 0, tzinfo=BERLIN),
                   end=datetime(2031, 3, 2, 18, 0, tzinfo=BERLIN))  # fmt: skip
    sooner = _event(name="Sooner", open_registration=True)
    _event(name="Closed", open_registration=False)
    _event(name="Unlisted", open_registration=True, visibility=EventVisibility.UNLISTED)
    _event(name="Private", open_registration=True, visibility=EventVisibility.PRIVATE)
    _event(name="Draft", open_registration=True, status=EventStatus.DRAFT)
    _event(name="Over", open_registration=True, start=datetime(2020, 1, 1, 9, 0, tzinfo=BERLIN),
           end=datetime(2020, 1, 2, 9, 0, tzinfo=BERLIN))  # fmt: skip

    with django_assert_max_num_queries(3):
        anonymous = APIClient().get("/api/v1/events/open")
    signed_in = _client(UserFactory()).get("/api/v1/events/open")

    assert anonymous.status_code == 200
    assert anonymous.json() == {"next": None, "previous": None, "results": [_event_body(sooner), _event_body(later)]}
    assert signed_in.json() == anonymous.json()


def test_open_events_then_join_makes_the_event_mine():
    event = _event(name="Open conf", open_registration=True)
    client = _client(user := UserFactory())

    listed = client.get("/api/v1/events/open").json()["results"]
    joined = client.post(f"/api/v1/events/{listed[0]['id']}/join")
    mine = client.get("/api/v1/me/events").json()["results"]

    assert joined.status_code == 201
    assert [e["id"] for e in mine] == [event.pk]
    with scopes_disabled():
        assert Participant.objects.filter(user=user, event=event, kind=ParticipantKind.ATTENDEE).count() == 1
