"""The events portal of issue 10 in a real browser against a real daphne: the go-live checklist
guiding a new event from nothing to live; the schedule editor — a drag-and-drop move refused
inline for a double booking, then accepted, and the same move from the keyboard; and every
events-portal page at 390 px without sideways scrolling (``PHONE_PAGES``: a list other apps'
tests can extend with their own pages). Screenshots land in var/screenshots/portal-*.png."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from eventhub.testing.factories import EventFactory, MemberFactory, OrganizationFactory, RoomFactory, UserFactory
from eventhub.testing.live import session_token_for
from events.enums import EventStatus, MemberRole
from events.models import DisplayLink, Event, Session, Speaker, Track
from events.services.agenda import session_create
from events.services.schedule import schedule_publish
from ticketing.models import TicketType

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]

BERLIN = ZoneInfo("Europe/Berlin")


def at(clock: str, day: int = 1) -> datetime:
    hour, minute = map(int, clock.split(":"))
    return datetime(2031, 5, day, hour, minute, tzinfo=BERLIN)


def _login(page: Page, server: str, user) -> None:
    page.context.add_cookies([{"name": "sessionid", "value": session_token_for(user), "url": server}])


def _sessions() -> dict[str, tuple]:
    with scopes_disabled():
        return {
            s.title: (
                f"{s.start.astimezone(BERLIN):%H:%M}",
                f"{s.end.astimezone(BERLIN):%H:%M}",
                s.room.name if s.room else None,
            )
            for s in Session.objects.select_related("room")
        }


# --- the go-live checklist ---------------------------------------------------------------------


def test_checklist_guides_a_new_event_to_live(page: Page, server, screenshot, settings):
    owner = UserFactory(email="olivia@example.org")
    org = OrganizationFactory(name="Acme Events", slug="acme")
    MemberFactory(organization=org, user=owner, role=MemberRole.OWNER)
    _login(page, server, owner)

    page.goto(f"{server}/portal/acme/events/new")
    zone = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    expect(page.get_by_label("Time zone")).to_have_value(zone)  # the browser's zone by default
    page.get_by_label("Name", exact=True).fill("Launch Conf")
    page.get_by_label("Slug").fill("launch")
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_label("Start", exact=True).fill("2031-05-01T09:00")
    page.get_by_label("End", exact=True).fill("2031-05-01T18:00")
    page.get_by_label("Status").select_option("draft")
    page.get_by_role("button", name="Create event").click()

    checklist = page.get_by_test_id("golive")
    expect(checklist).to_contain_text("Before attendees can come: 6 things to do")
    screenshot("portal-checklist-01-new-event")

    def fix(label: str) -> None:
        page.goto(f"{server}/portal/acme/events/launch/")
        checklist.get_by_role("link", name=label).click()

    fix("Add a room")
    page.get_by_label("Name", exact=True).fill("Main hall")
    page.get_by_role("button", name="Save").click()

    fix("Add a session")
    page.get_by_label("Title", exact=True).fill("Opening")
    page.get_by_label("Start", exact=True).fill("2031-05-01T10:00")
    page.get_by_label("End", exact=True).fill("2031-05-01T11:00")
    page.get_by_label("Room", exact=True).select_option(label="Main hall")
    page.get_by_role("button", name="Add session").click()

    fix("Review and publish")
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.locator("#pending")).to_contain_text("All changes are published · version 1")

    fix("Add a ticket type")
    page.get_by_label("Name", exact=True).fill("Regular")
    page.get_by_label("Price").fill("0")
    page.get_by_role("button", name="Save").click()

    fix("Add a gate")
    page.get_by_label("Name", exact=True).fill("North entrance")
    page.get_by_role("button", name="Add gate").click()

    page.goto(f"{server}/portal/acme/events/launch/")
    expect(checklist).to_contain_text("Before attendees can come: 1 thing to do")
    screenshot("portal-checklist-02-one-left")
    fix("Publish the event")
    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Save event").click()

    expect(checklist).to_contain_text("Ready for attendees")
    with scopes_disabled():
        event = Event.objects.get(slug="launch")
    expect(page.get_by_test_id("public-urls")).to_contain_text(f"/api/v1/events/{event.pk}")
    screenshot("portal-checklist-03-live")
    assert event.status == EventStatus.PUBLISHED


# --- the schedule editor ---------------------------------------------------------------------------


@pytest.fixture
def grid(browser_passwords):
    owner = UserFactory(email="olivia@example.org")
    org = OrganizationFactory(name="Acme Events", slug="acme")
    MemberFactory(organization=org, user=owner, role=MemberRole.OWNER)
    event = EventFactory(
        organization=org, name="Acme Conf", slug="acme-conf", timezone="Europe/Berlin", start=at("09:00"),
        end=at("18:00"),
    )  # fmt: skip
    hall_a = RoomFactory(event=event, name="Hall A", position=0)
    hall_b = RoomFactory(event=event, name="Hall B", position=1)
    with scopes_disabled():
        session_create(actor=owner, event=event, title="Opening", start=at("09:30"), end=at("10:30"), room=hall_a)
        session_create(actor=owner, event=event, title="Workshop", start=at("11:00"), end=at("12:00"), room=hall_b)
        schedule_publish(actor=owner, event=event)
    return {"owner": owner, "event": event}


def _block(page: Page, title: str):
    return page.locator(f'.session-block[data-title="{title}"]')


def _lane(page: Page, room: str):
    return page.locator(f'.lane[data-room-name="{room}"]')


ROW_PX, SLOT = 12, 5  # events/portal/grid.py
GRAB = 6  # where the drag takes the block, from its top


def _drop_at(page: Page, title: str, room: str, clock: str) -> None:
    """Drag the session by its top edge to ``clock`` in ``room`` (the grid starts at 09:00)."""
    hour, minute = map(int, clock.split(":"))
    rows = ((hour - 9) * 60 + minute) // SLOT
    _block(page, title).drag_to(
        _lane(page, room),
        source_position={"x": 30, "y": GRAB},
        target_position={"x": 40, "y": rows * ROW_PX + GRAB},
        force=True,  # the drop point may lie on another session's block: the lane takes the drop
    )


def test_drag_and_drop_move_with_a_conflict_shown_inline(page: Page, server, grid, screenshot):
    _login(page, server, grid["owner"])
    page.set_viewport_size({"width": 1280, "height": 1400})  # the whole day in view: no scrolling mid-drag
    page.goto(f"{server}/portal/acme/events/acme-conf/agenda/?day=2031-05-01")
    expect(_block(page, "Opening")).to_contain_text("09:30–10:30")
    screenshot("portal-editor-01-grid")

    _drop_at(page, "Opening", "Hall B", "11:30")

    error = _block(page, "Opening").get_by_test_id("block-error")
    expect(error).to_contain_text("Not moved: Hall B is already booked then: “Workshop” Thu 11:00.")
    screenshot("portal-editor-02-conflict-inline")
    assert _sessions()["Opening"] == ("09:30", "10:30", "Hall A")

    _drop_at(page, "Opening", "Hall B", "13:00")

    expect(page.locator(".grid-notice.ok")).to_contain_text("“Opening” now Thu 13:00–14:00 in Hall B (draft).")
    expect(_block(page, "Opening")).to_contain_text("● draft: moved")
    screenshot("portal-editor-03-moved")
    assert _sessions()["Opening"] == ("13:00", "14:00", "Hall B")


def test_keyboard_alternative_moves_resizes_and_refuses_inline(page: Page, server, grid, screenshot):
    _login(page, server, grid["owner"])
    page.goto(f"{server}/portal/acme/events/acme-conf/agenda/?day=2031-05-01")

    block = _block(page, "Opening")
    block.focus()
    page.keyboard.press("Enter")  # pick up
    expect(block).to_have_class(re.compile(r"\blifted\b"))
    page.keyboard.press("ArrowRight")  # Hall B
    for _ in range(6):
        page.keyboard.press("Shift+ArrowDown")  # +90 minutes: 11:00, on the workshop
    page.keyboard.press("Enter")  # drop

    expect(_block(page, "Opening").get_by_test_id("block-error")).to_contain_text("Hall B is already booked then")
    assert _sessions()["Opening"] == ("09:30", "10:30", "Hall A")

    block = _block(page, "Opening")
    block.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowRight")
    for _ in range(2):
        page.keyboard.press("Shift+ArrowUp")  # 09:00
    page.keyboard.press("Alt+ArrowDown")  # 5 minutes longer
    page.keyboard.press("Enter")

    expect(page.locator(".grid-notice.ok")).to_contain_text("“Opening” now Thu 09:00–10:05 in Hall B (draft).")
    expect(_block(page, "Opening")).to_be_focused()
    screenshot("portal-editor-04-keyboard-moved")
    assert _sessions()["Opening"] == ("09:00", "10:05", "Hall B")


# --- 390 px: every events-portal page --------------------------------------------------------------

# (screenshot name, path) of every events-portal page; "{session}", "{speaker}", "{room}",
# "{track}" and "{version}" are filled from the world below. Add a page here when you add one.
PHONE_PAGES = [
    ("home", "/portal/"),
    ("organization-new", "/portal/organizations/new"),
    ("organization", "/portal/acme/"),
    ("members", "/portal/acme/members/"),
    ("audit-log", "/portal/acme/audit/"),
    ("event-new", "/portal/acme/events/new"),
    ("event", "/portal/acme/events/acme-conf/"),
    ("event-edit", "/portal/acme/events/acme-conf/edit"),
    ("agenda", "/portal/acme/events/acme-conf/agenda/"),
    ("agenda-sessions", "/portal/acme/events/acme-conf/agenda/sessions/"),
    ("session-new", "/portal/acme/events/acme-conf/agenda/sessions/new"),
    ("session-edit", "/portal/acme/events/acme-conf/agenda/sessions/{session}/"),
    ("session-move", "/portal/acme/events/acme-conf/agenda/sessions/{session}/move"),
    ("versions", "/portal/acme/events/acme-conf/agenda/versions/"),
    ("version", "/portal/acme/events/acme-conf/agenda/versions/{version}"),
    ("speakers", "/portal/acme/events/acme-conf/agenda/speakers/"),
    ("speaker-new", "/portal/acme/events/acme-conf/agenda/speakers/new"),
    ("speaker-edit", "/portal/acme/events/acme-conf/agenda/speakers/{speaker}/"),
    ("rooms", "/portal/acme/events/acme-conf/agenda/rooms/"),
    ("room-new", "/portal/acme/events/acme-conf/agenda/rooms/new"),
    ("room-edit", "/portal/acme/events/acme-conf/agenda/rooms/{room}/"),
    ("tracks", "/portal/acme/events/acme-conf/agenda/tracks/"),
    ("track-new", "/portal/acme/events/acme-conf/agenda/tracks/new"),
    ("track-edit", "/portal/acme/events/acme-conf/agenda/tracks/{track}/"),
    ("announcements", "/portal/acme/events/acme-conf/agenda/announcements/"),
    ("displays", "/portal/acme/events/acme-conf/agenda/displays/"),
    ("not-found", "/portal/acme/events/no-such-event/"),
]


@pytest.fixture
def phone_world(grid):
    event = grid["event"]
    with scopes_disabled():
        speaker = Speaker.objects.create(event=event, name="Ada Lovelace", company="Analytical Engines Ltd")
        track = Track.objects.create(event=event, name="Web", colour="#2f7de1")
        session = Session.objects.get(title="Opening")
        room = session.room
        DisplayLink.objects.create(event=event, name="Hall A door", room=room)
        TicketType.objects.create(event=event, name="Regular", price=Decimal("25.00"))
        session_create(
            actor=grid["owner"], event=event, title="A rather long session title about accessible schedules",
            start=at("14:00"), end=at("14:00") + timedelta(minutes=45), room=room, track=track, speakers=[speaker],
        )  # fmt: skip
    return {
        **grid,
        "ids": {"session": session.pk, "speaker": speaker.pk, "room": room.pk, "track": track.pk, "version": 1},
    }


def test_every_events_portal_page_fits_390_px(page: Page, server, phone_world, screenshot):
    _login(page, server, phone_world["owner"])
    page.set_viewport_size({"width": 390, "height": 844})
    overflowing = {}
    for name, path in PHONE_PAGES:
        page.goto(server + path.format(**phone_world["ids"]))
        expect(page.locator("main")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide = page.evaluate(
                """() => Array.from(document.querySelectorAll('main *'))
                    .filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.board-wrap, .table-wrap'))
                    .slice(0, 3).map(e => e.tagName + '.' + e.className)"""
            )
            overflowing[name] = (width, wide)
        screenshot(f"portal-390-{name}")
    assert overflowing == {}
