"""The events app's part of ``seed_demo`` (``eventhub.seeding``): the demo organization, its
organizer and staff, the conference with 200 attendees, a speaker and a vendor, and its agenda —
3 days, 3 rooms, ~60 sessions, 40 speakers, tracks, bookmarks for the demo attendees and three
published schedule versions (the first agenda; a delay with cascade; a move and a
cancellation), announcements, a door-display link, and the staff admin account
``admin@example.com`` (Django admin). Idempotent: running it again changes nothing that exists.

Shares ``"events.event"`` (the demo event) and ``"events.attendees"`` (its 200 attendees, in
order) with the apps seeded after it."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from accounts.models import Profile, User
from eventhub.seeding import DemoContext

from .enums import (
    AnnouncementPriority,
    AnnouncementTarget,
    EventStatus,
    EventVisibility,
    MemberRole,
    ParticipantKind,
    SessionKind,
)
from .models import (
    Announcement,
    Bookmark,
    DisplayLink,
    Event,
    Organization,
    OrganizationMember,
    Participant,
    Room,
    ScheduleVersion,
    Session,
    Speaker,
)
from .services.agenda import (
    announcement_post,
    session_cancel,
    session_create,
    session_delay,
    session_update,
    speaker_save,
    track_save,
)
from .services.displays import display_link_create
from .services.schedule import schedule_publish

ATTENDEES = 200
ROOMS = [("Main Hall", 800, "Ground floor"), ("Workshop Room", 60, "First floor"), ("Room B", 150, "First floor")]

TRACKS = [("Operations", "#2f6fdb"), ("Engagement", "#c2410c"), ("Platform", "#047857"), ("Community", "#7c3aed")]
FIRST_NAMES = ["Ada", "Ben", "Chloé", "Dmitri", "Emeka", "Fatima", "Gustav", "Hana", "Ines", "Jonas"]
LAST_NAMES = ["Keller", "Okafor", "Nakamura", "Silva"]
TOPICS = [
    "Gate throughput at 20,000 people",
    "Schedules that survive reality",
    "Offline-first event apps",
    "Designing for bad venue Wi-Fi",
    "Live polls without the lag",
    "Accessibility at large venues",
    "Sponsors who come back",
    "Volunteer rosters that work",
    "Real-time dashboards for organizers",
    "Ticketing without overselling",
    "Hybrid events done right",
    "The hallway track, by design",
    "Measuring what attendees value",
    "Crowd flow and wayfinding",
    "Privacy in attendee data",
    "Keeping speakers happy",
]
# Per room: (start, minutes, kind) for every day.
DAY_PLAN = {
    "Main Hall": [
        (time(9), 60, SessionKind.KEYNOTE),
        (time(10, 15), 45, SessionKind.TALK),
        (time(11, 15), 45, SessionKind.TALK),
        (time(12), 60, SessionKind.BREAK),
        (time(13, 15), 45, SessionKind.TALK),
        (time(14, 15), 45, SessionKind.TALK),
        (time(15, 15), 45, SessionKind.TALK),
        (time(16, 15), 45, SessionKind.TALK),
    ],
    "Workshop Room": [
        (time(10, 15), 90, SessionKind.WORKSHOP),
        (time(13, 15), 90, SessionKind.WORKSHOP),
        (time(15, 15), 90, SessionKind.WORKSHOP),
        (time(17, 15), 45, SessionKind.TALK),
    ],
    "Room B": [
        (time(10, 15), 45, SessionKind.TALK),
        (time(11, 15), 45, SessionKind.TALK),
        (time(13, 15), 45, SessionKind.TALK),
        (time(14, 15), 45, SessionKind.TALK),
        (time(15, 15), 45, SessionKind.TALK),
        (time(16, 15), 45, SessionKind.TALK),
        (time(17, 15), 45, SessionKind.TALK),
    ],
}
# Evenings of the first two days (the last day ends at 18:00).
SOCIALS = [(time(18, 30), 90, "Community drinks"), (time(18, 30), 90, "Speakers' dinner & open stage")]
BOOKMARKS_PER_ATTENDEE = 5


def seed(context: DemoContext) -> None:
    organization, _ = Organization.objects.get_or_create(slug="demo", defaults={"name": "Demo Events"})
    tz = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 12, 8, 9, 0, tzinfo=tz)
    event, _ = Event.objects.get_or_create(
        organization=organization,
        slug="eventhub-conf-2026",
        defaults={
            "name": "EventHub Conf 2026",
            "timezone": "Europe/Berlin",
            "start": start,
            "end": start + timedelta(days=2, hours=9),
            "venue_name": "Berlin Congress Center",
            "venue_address": "Alexanderstraße 11, 10178 Berlin, Germany",
            "description": "Three days of talks, workshops and hallway track about running live events.",
            "status": EventStatus.PUBLISHED,
            "visibility": EventVisibility.PUBLIC,
            "open_registration": True,
        },
    )
    for position, (name, capacity, floor) in enumerate(ROOMS):
        Room.objects.get_or_create(
            event=event, name=name, defaults={"capacity": capacity, "floor": floor, "position": position}
        )

    def account(email: str, full_name: str) -> User:
        user, _ = User.objects.get_or_create(email=email, defaults={"password": context.password})
        Profile.objects.get_or_create(user=user, defaults={"full_name": full_name})
        return user

    members = [
        ("organizer@example.com", "Olivia Organizer", MemberRole.OWNER),
        ("staff@example.com", "Sam Staff", MemberRole.OPERATOR),
    ]
    for email, name, role in members:
        OrganizationMember.objects.get_or_create(
            organization=organization, user=account(email, name), defaults={"role": role}
        )
    participants = [
        ("speaker@example.com", "Sofia Speaker", ParticipantKind.SPEAKER),
        ("vendor@example.com", "Victor Vendor", ParticipantKind.VENDOR),
    ] + [(f"attendee{i}@example.com", f"Attendee {i}", ParticipantKind.ATTENDEE) for i in range(1, ATTENDEES + 1)]
    people = {}
    for email, name, kind in participants:
        people[email] = account(email, name)
        Participant.objects.get_or_create(event=event, user=people[email], defaults={"kind": kind})
    attendees = [people[f"attendee{i}@example.com"] for i in range(1, ATTENDEES + 1)]
    seed_agenda(
        event=event,
        organizer=User.objects.get(email="organizer@example.com"),
        speaker_user=people["speaker@example.com"],
        attendees=attendees,
    )
    organizer = User.objects.get(email="organizer@example.com")
    seed_schedule_changes(event=event, organizer=organizer)
    seed_announcements(event=event, organizer=organizer)
    display = seed_display(event=event, organizer=organizer)
    admin, _ = User.objects.get_or_create(
        email="admin@example.com", defaults={"password": context.password, "is_staff": True, "is_superuser": True}
    )
    Profile.objects.get_or_create(user=admin, defaults={"full_name": "Ada Admin"})
    context.shared["events.event"] = event
    context.shared["events.attendees"] = attendees
    context.messages.append(f"Door display (Main Hall): /displays/{display.token}")
    context.messages.append("Staff admin: admin@example.com (Django admin at /admin/)")
    context.messages.append(f"Demo event ready: {event.name} (id {event.pk}, organization '{organization.slug}')")
    context.messages.append(f"  Public event page: {context.base_url}/events/{event.pk}/")
    context.messages.append(f"  In the attendee app: {context.base_url}/app/#/e/{event.pk}/agenda")


def seed_agenda(*, event: Event, organizer: User, speaker_user: User, attendees: list[User]) -> None:
    """Create and publish the demo agenda once; a second run leaves everything as it is."""
    if Session.objects.filter(event=event).exists():
        return
    tracks = [
        track_save(actor=organizer, event=event, name=name, colour=colour, position=n)
        for n, (name, colour) in enumerate(TRACKS)
    ]
    speakers = [
        speaker_save(
            actor=organizer,
            event=event,
            name=f"{FIRST_NAMES[n % 10]} {LAST_NAMES[n // 10]}",
            company=["Stadium Ops GmbH", "Festival Labs", "Congress Tech", "Meetup Collective"][n % 4],
            job_title=["Head of Operations", "Product Lead", "Engineer", "Community Manager"][(n // 4) % 4],
            bio="Runs live events and talks about what breaks at the door.",
            links=[{"label": "Website", "url": f"https://speakers.example.org/{n}"}],
        )
        for n in range(39)
    ]
    speakers.append(
        speaker_save(
            actor=organizer,
            event=event,
            name="Sofia Speaker",
            user=speaker_user,
            company="EventHub",
            bio="Demo speaker.",
        )
    )
    rooms = {room.name: room for room in Room.objects.filter(event=event)}
    tz = event.tz
    slots = []
    for day in range(3):
        date = (event.start.astimezone(tz) + timedelta(days=day)).date()
        for room_name, plan in DAY_PLAN.items():
            for start, minutes, kind in plan:
                begin = datetime.combine(date, start, tzinfo=tz)
                slots.append((begin, begin + timedelta(minutes=minutes), rooms[room_name], kind))
        if day < len(SOCIALS):
            start, minutes, _title = SOCIALS[day]
            begin = datetime.combine(date, start, tzinfo=tz)
            slots.append((begin, begin + timedelta(minutes=minutes), rooms["Main Hall"], SessionKind.SOCIAL))
    slots.sort(key=lambda slot: (slot[0], slot[2].position))
    speaker_index = 0
    session_speakers: list[Speaker]
    for n, (begin, end, room, kind) in enumerate(slots):
        if kind == SessionKind.BREAK:
            title, session_speakers, track = "Lunch", [], None
        elif kind == SessionKind.SOCIAL:
            title, session_speakers, track = (
                SOCIALS[(begin.date() - event.start.astimezone(tz).date()).days][2],
                [],
                None,
            )
        elif kind == SessionKind.KEYNOTE:
            title, session_speakers, track = f"Keynote: {TOPICS[n % len(TOPICS)]}", [speakers[-1]], None
        else:
            title = TOPICS[n % len(TOPICS)] + (" (hands-on)" if kind == SessionKind.WORKSHOP else "")
            session_speakers = [speakers[speaker_index % 39]]
            speaker_index += 1
            track = tracks[n % len(tracks)]
        session_create(
            actor=organizer,
            event=event,
            title=title,
            abstract=f"{title}: what we learned, what we would do again, and what we never will.",
            kind=kind,
            start=begin,
            end=end,
            room=room,
            track=track,
            tags=[kind, track.name.lower()] if track else [kind],
            language="en" if n % 5 else "de",
            speakers=session_speakers,
        )
    if not ScheduleVersion.objects.filter(event=event).exists():
        schedule_publish(actor=organizer, event=event, comment="First public agenda")
    sessions = list(
        Session.objects.filter(event=event)
        .exclude(kind__in=[SessionKind.BREAK, SessionKind.SOCIAL])
        .order_by("start", "id")
    )
    Bookmark.objects.bulk_create(
        [
            Bookmark(user=user, session=sessions[(i * 7 + k * 11) % len(sessions)])
            for i, user in enumerate(attendees)
            for k in range(BOOKMARKS_PER_ATTENDEE)
        ],
        ignore_conflicts=True,
    )


def _session(event: Event, *, day: int, room: str, clock: time) -> Session:
    tz = event.tz
    date = (event.start.astimezone(tz) + timedelta(days=day)).date()
    return Session.objects.select_related("event").get(
        event=event, room__name=room, start=datetime.combine(date, clock, tzinfo=tz)
    )


def seed_schedule_changes(*, event: Event, organizer: User) -> None:
    """Versions 2 and 3 of the agenda, once (the live features need a history): Room B runs
    15 minutes late on the first afternoon (a delay that cascades), then a talk moves to the
    workshop room over lunch on day two and the last talk of day three is cancelled."""
    if ScheduleVersion.objects.filter(event=event).count() != 1:
        return
    late = _session(event, day=0, room="Room B", clock=time(13, 15))
    session_delay(actor=organizer, session=late, minutes=15, cascade=True)
    schedule_publish(actor=organizer, event=event, comment="Room B runs 15 minutes late this afternoon")
    moved = _session(event, day=1, room="Room B", clock=time(11, 15))
    tz = event.tz
    over_lunch = datetime.combine(moved.start.astimezone(tz).date(), time(12), tzinfo=tz)
    session_update(
        actor=organizer,
        session=moved,
        room=Room.objects.get(event=event, name="Workshop Room"),
        start=over_lunch,
        end=over_lunch + timedelta(minutes=45),
    )
    session_cancel(actor=organizer, session=_session(event, day=2, room="Room B", clock=time(17, 15)))
    schedule_publish(actor=organizer, event=event, comment="Speaker swap: one talk moves, one is cancelled")


def seed_announcements(*, event: Event, organizer: User) -> None:
    if Announcement.objects.filter(event=event).exists():
        return
    announcement_post(
        actor=organizer,
        event=event,
        text="Welcome to EventHub Conf! Badges are at the north entrance from 08:00.",
        priority=AnnouncementPriority.INFO,
    )
    announcement_post(
        actor=organizer,
        event=event,
        text="Room B runs 15 minutes late this afternoon.",
        priority=AnnouncementPriority.IMPORTANT,
    )
    cancelled = Session.objects.filter(event=event, status="cancelled").first()
    if cancelled is not None:
        announcement_post(
            actor=organizer,
            event=event,
            text=f"“{cancelled.title}” is cancelled; see the agenda for alternatives.",
            priority=AnnouncementPriority.URGENT,
            target=AnnouncementTarget.SESSION,
            session=cancelled,
        )


def seed_display(*, event: Event, organizer: User) -> DisplayLink:
    link = DisplayLink.objects.filter(event=event, name="Main Hall door", revoked_at__isnull=True).first()
    if link is not None:
        return link
    return display_link_create(
        actor=organizer, event=event, name="Main Hall door", room=Room.objects.get(event=event, name="Main Hall")
    )
