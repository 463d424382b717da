"""A published conference agenda for the attendee API tests, built through the agenda services
(as organizers build it), plus the client helpers those tests share."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from eventhub.testing.factories import EventFactory, MemberFactory, ParticipantFactory, UserFactory
from eventhub.testing.live import session_token_for
from events.enums import MemberRole, SessionKind
from events.models import Event, Room, Session, Speaker, Track
from events.services.agenda import room_save, session_create, speaker_save, track_save
from events.services.schedule import schedule_publish

BERLIN = ZoneInfo("Europe/Berlin")
NOT_FOUND = {"error": {"code": "not_found", "detail": "Not found.", "fields": {}}}


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time on day 1–3 of the conference (10–12 June 2031, CEST)."""
    return datetime(2031, 6, 9 + day, hour, minute, tzinfo=BERLIN)


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(user))
    return client


@dataclass
class World:
    event: Event
    editor: Any
    attendee: Any
    other_attendee: Any
    speaker_user: Any
    rooms: dict[str, Room]
    tracks: dict[str, Track]
    speakers: dict[str, Speaker]
    sessions: dict[str, Session] = field(default_factory=dict)

    def url(self, path: str = "") -> str:
        return f"/api/v1/events/{self.event.pk}/{path}".rstrip("/")

    def publish(self, comment: str = "") -> None:
        with scopes_disabled():
            schedule_publish(actor=self.editor, event=self.event, comment=comment)

    def refresh(self) -> None:
        with scopes_disabled():
            self.event.refresh_from_db()
            for session in self.sessions.values():
                session.refresh_from_db()


def build_world(*, publish: bool = True, **event_fields: Any) -> World:
    with scopes_disabled():
        editor = MemberFactory(role=MemberRole.EDITOR).user
        event = EventFactory(
            organization=editor.memberships.get().organization,
            timezone="Europe/Berlin",
            start=berlin(1, 9),
            end=berlin(3, 18),
            **event_fields,
        )
        attendee = ParticipantFactory(event=event).user
        other_attendee = ParticipantFactory(event=event).user
        speaker_user = UserFactory()
        ParticipantFactory(event=event, user=speaker_user, kind="speaker")
        rooms = {
            name: room_save(actor=editor, event=event, name=name, capacity=capacity, position=position)
            for position, (name, capacity) in enumerate([("Hall A", 500), ("Hall B", 200), ("Workshop", 30)])
        }
        tracks = {
            name: track_save(actor=editor, event=event, name=name, colour=colour)
            for name, colour in [("Python", "#3056d3"), ("Data", "#d35630")]
        }
        ada = speaker_save(actor=editor, event=event, name="Ada Lovelace", bio="Analyst.", user=speaker_user)
        grace = speaker_save(actor=editor, event=event, name="Grace Hopper", company="Navy")
        linus = speaker_save(actor=editor, event=event, name="Linus Example")
        speakers = {"ada": ada, "grace": grace, "linus": linus}

        def create(key, title, start, end, *, room=None, track=None, speakers=(), **fields):
            return session_create(
                actor=editor,
                event=event,
                title=title,
                start=start,
                end=end,
                room=rooms.get(room) if room else None,
                track=tracks.get(track) if track else None,
                speakers=[{"ada": ada, "grace": grace, "linus": linus}[s] for s in speakers],
                **fields,
            )

        sessions = {
            "keynote": create(
                "keynote",
                "Opening keynote",
                berlin(1, 9),
                berlin(1, 10),
                room="Hall A",
                track="Python",
                speakers=["ada"],
                kind=SessionKind.KEYNOTE,
                tags=["keynote", "opening"],
                abstract="Welcome to the conference.",
            ),
            "async": create(
                "async",
                "Async Django",
                berlin(1, 10, 15),
                berlin(1, 11),
                room="Hall A",
                track="Python",
                speakers=["grace"],
                tags=["django"],
                abstract="Views that wait without blocking.",
            ),
            "pandas": create(
                "pandas",
                "Pandas tricks",
                berlin(1, 10, 30),
                berlin(1, 11, 15),
                room="Hall B",
                track="Data",
                speakers=["linus"],
                tags=["data"],
                abstract="Frames, fast.",
            ),
            "lunch": create("lunch", "Lunch", berlin(1, 12), berlin(1, 13), kind=SessionKind.BREAK),
            "day2": create(
                "day2",
                "Day two keynote",
                berlin(2, 9),
                berlin(2, 10),
                room="Hall A",
                speakers=["ada"],
                tags=["keynote"],
            ),
        }
    world = World(
        event=event,
        editor=editor,
        attendee=attendee,
        other_attendee=other_attendee,
        speaker_user=speaker_user,
        rooms=rooms,
        tracks=tracks,
        speakers=speakers,
        sessions=sessions,
    )
    if publish:
        world.publish("First agenda")
    return world
