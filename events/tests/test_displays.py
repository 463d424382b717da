"""Door displays through Django's test client: no login, the published agenda only (now, next,
today's changes, announcements), a revoked or unknown link is a 404 on the page and its state."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from eventhub.testing.factories import EventFactory, MemberFactory, OrganizationFactory, RoomFactory
from events.enums import AnnouncementPriority, MemberRole
from events.models import Speaker, Track
from events.services import displays
from events.services.agenda import announcement_post, session_cancel, session_create, session_delay, session_update
from events.services.schedule import schedule_publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _portal_settings(page_settings):
    pass


def midday_zone() -> str:
    """A zone where it is about noon now, so that "today" has room before and after now."""
    offset = 12 - datetime.now(UTC).hour
    return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


@pytest.fixture
def world():
    org = OrganizationFactory(slug="acme")
    owner = MemberFactory(organization=org, role=MemberRole.OWNER).user
    now = timezone.now().replace(second=0, microsecond=0)
    event = EventFactory(
        organization=org,
        slug="conf",
        timezone=midday_zone(),
        start=now - timedelta(hours=3),
        end=now + timedelta(days=1),
    )
    hall_a = RoomFactory(event=event, name="Hall A", position=0)
    hall_b = RoomFactory(event=event, name="Hall B", position=1)
    track = Track.objects.create(event=event, name="Web", colour="#d03050")
    ada = Speaker.objects.create(event=event, name="Ada Lovelace")

    def add(title, start_minutes, length, room, **fields):
        start = now + timedelta(minutes=start_minutes)
        return session_create(
            actor=owner,
            event=event,
            title=title,
            start=start,
            end=start + timedelta(minutes=length),
            room=room,
            **fields,
        )

    with scopes_disabled():
        sessions = {
            "current": add("Current talk", -10, 30, hall_a, track=track, speakers=[ada]),
            "next": add("Next talk", 30, 30, hall_a),
            "later": add("Later talk", 70, 30, hall_a),
            "doomed": add("Doomed talk", 110, 30, hall_a),
            "b_now": add("B now", -20, 60, hall_b),
            "b_next": add("B next", 50, 30, hall_b),
            "b_after": add("B after", 90, 30, hall_b),
            "past": add("Morning talk", -150, 30, hall_a),
        }
        schedule_publish(actor=owner, event=event)
        session_cancel(actor=owner, session=sessions["doomed"])
        session_delay(actor=owner, session=sessions["b_next"], minutes=5)
        schedule_publish(actor=owner, event=event)
        # Drafts never reach a screen: a new session and a move, both unpublished.
        add("Unpublished talk", 150, 30, hall_a)
        session_update(actor=owner, session=sessions["next"], title="Renamed in draft")
        announcement_post(
            actor=owner, event=event, text="Lunch is served in the foyer", priority=AnnouncementPriority.IMPORTANT
        )
        door_a = displays.display_link_create(actor=owner, event=event, name="Hall A door", room=hall_a)
        lobby = displays.display_link_create(actor=owner, event=event, name="Lobby")
    return {"owner": owner, "event": event, "door_a": door_a, "lobby": lobby, "sessions": sessions}


def titles(slots) -> list[str]:
    return [slot["title"] for slot in slots]


def test_room_display_state_shows_now_next_changes_and_announcements(client, world):
    response = client.get(f"/displays/{world['door_a'].token}/state")

    assert response.status_code == 200
    state = response.json()
    assert state["display"] == {"name": "Hall A door", "room": "Hall A"}
    assert titles(state["now"]) == ["Current talk"]
    assert state["now"][0]["speakers"] == ["Ada Lovelace"]
    assert state["now"][0]["track"] == {"name": "Web", "colour": "#d03050"}
    assert titles(state["next"]) == ["Next talk", "Later talk"]  # published title, no cancelled one
    assert [(c["title"], c["status"]) for c in state["changes"]] == [("Doomed talk", "cancelled")]
    assert [a["text"] for a in state["announcements"]] == ["Lunch is served in the foyer"]
    assert state["head"] > 0
    assert "Current talk" in state["html"]


def test_venue_display_shows_every_room_with_its_next_session(client, world):
    state = client.get(f"/displays/{world['lobby'].token}/state").json()

    assert state["display"] == {"name": "Lobby", "room": None}
    assert sorted(titles(state["now"])) == ["B now", "Current talk"]
    assert titles(state["next"]) == ["Next talk", "B next"]
    assert [(c["title"], c["status"]) for c in state["changes"]] == [
        ("B next", "delayed"),
        ("Doomed talk", "cancelled"),
    ]
    assert state["next"][1]["room"] == "Hall B"


def test_display_page_renders_without_login_and_keeps_the_link_private(client, world):
    token = world["door_a"].token

    response = client.get(f"/displays/{token}")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Current talk" in content
    assert "Next talk" in content
    assert "Unpublished talk" not in content
    assert "Renamed in draft" not in content
    assert f'data-stream="event:{world["event"].pk}"' in content
    assert f'data-state-url="/displays/{token}/state"' in content
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_revoked_display_link_is_404(client, world):
    link = world["door_a"]
    assert client.get(f"/displays/{link.token}").status_code == 200

    with scopes_disabled():
        displays.display_link_revoke(actor=world["owner"], link=link)

    assert client.get(f"/displays/{link.token}").status_code == 404
    assert client.get(f"/displays/{link.token}/state").status_code == 404
    assert client.get(f"/displays/{world['lobby'].token}/state").status_code == 200  # only that link


def test_unknown_display_token_is_404(client, world):
    assert client.get("/displays/not-a-token").status_code == 404
    assert client.get("/displays/not-a-token/state").status_code == 404


def test_display_link_of_a_room_of_another_event_is_refused(world):
    other_room = RoomFactory(event=EventFactory(), name="Elsewhere")

    with scopes_disabled(), pytest.raises(Exception, match="Choose a room of this event."):
        displays.display_link_create(actor=world["owner"], event=world["event"], name="Sneaky", room=other_room)


def test_display_state_queries_do_not_grow_with_sessions(client, world, django_assert_max_num_queries):
    # Seven published sessions across two rooms: a handful of queries, not one per session.
    with django_assert_max_num_queries(10):
        assert client.get(f"/displays/{world['lobby'].token}/state").status_code == 200
