"""The agenda in a real browser against a real daphne: the organizer's main path on the schedule
grid (create with a double-booking error first, move to another room, publish, read the version
in the changelog, delay +15 with cascade over htmx), a colleague's grid updating live when
someone publishes, and a door display (authenticated by its link, on a private event) updating
from the stream, catching up by seq after a network drop and blanking once revoked.
Screenshots land in var/screenshots/agenda-*.png."""

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from eventhub.realtime.selectors import stream_heads
from eventhub.realtime.streams import event_stream
from eventhub.testing.factories import EventFactory, MemberFactory, OrganizationFactory, RoomFactory, UserFactory
from eventhub.testing.live import BIN, ROOT, _stop, _wait_for_port, free_port, process_env, session_token_for
from events.enums import AnnouncementPriority, EventVisibility, MemberRole, SessionStatus
from events.models import PublishedSession, Session, Speaker, Track
from events.services import displays
from events.services.agenda import announcement_post, session_cancel, session_create, session_delay, session_update
from events.services.schedule import schedule_publish

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]

BERLIN = ZoneInfo("Europe/Berlin")


def at(clock: str, day: int = 1) -> datetime:
    hour, minute = map(int, clock.split(":"))
    return datetime(2031, 5, day, hour, minute, tzinfo=BERLIN)


def _login_with_cookie(page: Page, server: str, user) -> None:
    page.context.add_cookies([{"name": "sessionid", "value": session_token_for(user), "url": server}])


def _sessions() -> dict[str, tuple]:
    with scopes_disabled():
        return {
            s.title: (s.start.astimezone(BERLIN).strftime("%H:%M"), s.room.name if s.room else None, s.status)
            for s in Session.objects.select_related("room")
        }


@pytest.fixture
def conf(browser_passwords):
    owner = UserFactory(email="olivia@example.org")
    org = OrganizationFactory(name="Acme Events", slug="acme")
    MemberFactory(organization=org, user=owner, role=MemberRole.OWNER)
    colleague = MemberFactory(organization=org, role=MemberRole.EDITOR, user__email="carl@example.org").user
    event = EventFactory(
        organization=org, name="Acme Conf", slug="acme-conf", timezone="Europe/Berlin", start=at("09:00"),
        end=at("18:00", day=2),
    )  # fmt: skip
    hall_a = RoomFactory(event=event, name="Hall A", position=0, capacity=300)
    hall_b = RoomFactory(event=event, name="Hall B", position=1, capacity=120)
    web = Track.objects.create(event=event, name="Web", colour="#2f7de1")
    data = Track.objects.create(event=event, name="Data", colour="#d9822b")
    ada = Speaker.objects.create(event=event, name="Ada Lovelace")
    grace = Speaker.objects.create(event=event, name="Grace Hopper")
    with scopes_disabled():
        for title, start, room, track, speakers in [
            ("Opening keynote", "09:30", hall_a, web, [ada]),
            ("Coffee and code", "10:30", hall_a, data, [grace]),
            ("Scaling Postgres", "11:30", hall_a, data, []),
            ("CSS grid tricks", "10:00", hall_b, web, []),
        ]:
            session_create(
                actor=owner, event=event, title=title, start=at(start), end=at(start) + timedelta(minutes=45),
                room=room, track=track, speakers=speakers,
            )  # fmt: skip
        schedule_publish(actor=owner, event=event, comment="First cut")
    return {"owner": owner, "colleague": colleague, "event": event, "hall_a": hall_a, "hall_b": hall_b}


GRID = "/portal/acme/events/acme-conf/agenda/"


def test_agenda_main_path(page: Page, server, conf, screenshot, no_reload):
    _login_with_cookie(page, server, conf["owner"])
    page.goto(f"{server}/portal/acme/events/acme-conf/")
    page.get_by_role("link", name="Agenda").click()
    expect(page).to_have_url(f"{server}{GRID}")
    page.goto(f"{server}{GRID}?day=2031-05-01")
    expect(page.locator("#session-" + str(_id("Opening keynote")))).to_contain_text("09:30–10:15")
    expect(page.locator("#pending")).to_contain_text("All changes are published · version 1")
    expect(page.locator("[data-live-status]")).to_have_text("live")
    screenshot("agenda-01-grid")

    # Create: first a double booking (refused, nothing saved), then in the free room.
    page.get_by_role("link", name="New session", exact=True).click()
    page.get_by_label("Title", exact=True).fill("Deep dive: htmx")
    page.get_by_label("Start", exact=True).fill("2031-05-01T10:45")
    page.get_by_label("End", exact=True).fill("2031-05-01T11:30")
    page.get_by_label("Room", exact=True).select_option(label="Hall A")
    page.get_by_label("Track", exact=True).select_option(label="Web")
    page.get_by_label("Speakers", exact=True).select_option(label="Ada Lovelace")
    page.get_by_role("button", name="Add session").click()
    expect(page.get_by_text("Hall A is already booked then: “Coffee and code” Thu 10:30.")).to_be_visible()
    screenshot("agenda-02-double-booking-error")
    assert "Deep dive: htmx" not in _sessions()

    page.get_by_label("Room", exact=True).select_option(label="Hall B")
    page.get_by_role("button", name="Add session").click()
    expect(page).to_have_url(f"{server}{GRID}?day=2031-05-01")
    block = page.locator(f"#session-{_id('Deep dive: htmx')}")
    expect(block).to_contain_text("10:45–11:30")
    expect(block).to_contain_text("● draft")
    assert _sessions()["Deep dive: htmx"] == ("10:45", "Hall B", SessionStatus.SCHEDULED)

    # Move the keynote to Hall B after lunch.
    page.locator(f"#session-{_id('Opening keynote')}").get_by_role("link", name="Move “Opening keynote”").click()
    page.get_by_label("Room", exact=True).select_option(label="Hall B")
    page.get_by_label("New start", exact=True).fill("2031-05-01T14:00")
    screenshot("agenda-03-move-form")
    page.get_by_role("button", name="Move session").click()
    keynote = page.locator(f"#session-{_id('Opening keynote')}")
    expect(keynote).to_contain_text("14:00–14:45")
    expect(keynote).to_contain_text("Moved")
    expect(keynote).to_contain_text("● draft: moved")
    expect(page.get_by_test_id("pending-count")).to_have_text("2")
    with scopes_disabled():
        assert PublishedSession.objects.get(title="Opening keynote").room.name == "Hall A"  # attendees: unchanged
    screenshot("agenda-04-drafts-pending")

    # Publish over htmx.
    no_reload.set()
    page.get_by_label("Comment", exact=True).fill("Keynote moves to Hall B")
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_role("status").filter(has_text="Version 2 published.")).to_be_visible()
    expect(page.locator("#pending")).to_contain_text("All changes are published · version 2")
    no_reload.assert_same()
    with scopes_disabled():
        assert PublishedSession.objects.get(title="Opening keynote").room.name == "Hall B"
    screenshot("agenda-05-published")

    page.get_by_role("link", name="Versions").click()
    version = page.locator("#version-2")
    expect(version).to_contain_text("“Keynote moves to Hall B”")
    expect(version.locator("li.change-moved")).to_contain_text("Opening keynote")
    expect(version.locator("li.change-moved .old")).to_have_text(["Thu 1 May, 09:30–10:15", "Hall A"])
    expect(version.locator("li.change-moved .new")).to_have_text(["Thu 1 May, 14:00–14:45", "Hall B"])
    expect(version.locator("li.change-new")).to_contain_text("Deep dive: htmx")
    screenshot("agenda-06-versions")

    # Delay "Coffee and code" by 15 minutes, and the later session in Hall A with it.
    page.goto(f"{server}{GRID}?day=2031-05-01")
    no_reload.set()
    coffee = page.locator(f"#session-{_id('Coffee and code')}")
    coffee.get_by_label("Also shift the later sessions in this room after “Coffee and code”").check()
    coffee.get_by_role("button", name="Delay “Coffee and code” by 15 minutes").click()
    expect(page.get_by_text("“Coffee and code” and 1 later session shifted +15 min (draft).")).to_be_visible()
    expect(page.locator(f"#session-{_id('Coffee and code')}")).to_contain_text("10:45–11:30")
    expect(page.locator(f"#session-{_id('Scaling Postgres')}")).to_contain_text("11:45–12:30")
    no_reload.assert_same()
    sessions = _sessions()
    assert sessions["Coffee and code"] == ("10:45", "Hall A", SessionStatus.DELAYED)
    assert sessions["Scaling Postgres"] == ("11:45", "Hall A", SessionStatus.DELAYED)
    assert sessions["CSS grid tricks"] == ("10:00", "Hall B", SessionStatus.SCHEDULED)
    screenshot("agenda-07-delayed-cascade")


def _id(title: str) -> int:
    with scopes_disabled():
        return Session.objects.get(title=title).pk


def test_colleagues_grid_updates_live_when_someone_publishes(page: Page, server, conf, screenshot, no_reload):
    _login_with_cookie(page, server, conf["colleague"])
    page.goto(f"{server}{GRID}?day=2031-05-01")
    expect(page.locator("[data-live-status]")).to_have_text("live")
    no_reload.set()

    with scopes_disabled():
        session = Session.objects.get(title="CSS grid tricks")
        session_update(actor=conf["owner"], session=session, room=conf["hall_a"], start=at("12:30"),
                                end=at("13:15"))  # fmt: skip
        schedule_publish(actor=conf["owner"], event=conf["event"], comment="From the other desk")

    expect(page.locator("#live-notice")).to_have_text("Version 2 was published — the schedule is up to date.")
    block = page.locator(f"#session-{session.pk}")
    expect(block).to_contain_text("12:30–13:15")
    expect(block).to_contain_text("Moved")
    expect(page.locator("#pending")).to_contain_text("All changes are published · version 2")
    no_reload.assert_same()
    screenshot("agenda-08-live-grid")


def _midday_zone() -> str:
    offset = 12 - datetime.now(UTC).hour
    return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


@pytest.fixture
def live_conf(browser_passwords):
    """A private event happening now (anonymous readers may not read its stream: the display
    reads it through its link)."""
    owner = UserFactory(email="olivia@example.org")
    org = OrganizationFactory(name="Acme Events", slug="acme")
    MemberFactory(organization=org, user=owner, role=MemberRole.OWNER)
    now = timezone.now().replace(second=0, microsecond=0)
    event = EventFactory(
        organization=org, name="Live Conf", slug="live", timezone=_midday_zone(), start=now - timedelta(hours=3),
        end=now + timedelta(days=1), visibility=EventVisibility.PRIVATE,
    )  # fmt: skip
    hall = RoomFactory(event=event, name="Hall A")
    track = Track.objects.create(event=event, name="Web", colour="#2f7de1")
    ada = Speaker.objects.create(event=event, name="Ada Lovelace")

    def add(title, minutes, **fields):
        start = now + timedelta(minutes=minutes)
        return session_create(
            actor=owner, event=event, title=title, start=start, end=start + timedelta(minutes=30), room=hall, **fields
        )

    with scopes_disabled():
        sessions = [
            add("Live talk", -10, track=track, speakers=[ada]),
            add("Up next", 25),
            add("After that", 80),
        ]
        schedule_publish(actor=owner, event=event)
        link = displays.display_link_create(actor=owner, event=event, name="Hall A door", room=hall)
    return {"owner": owner, "event": event, "link": link, "sessions": sessions, "now": now}


@contextmanager
def _daphne_at(port: int, tmp_path, name: str) -> Iterator[str]:
    """A daphne on a given port, so that the test can stop it (every socket drops, as in a
    network outage) and start another on the same address."""
    log = tmp_path / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "eventhub.asgi:application"],
            cwd=ROOT,
            env=process_env(DJANGO_ALLOW_ASYNC_UNSAFE=""),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(port, proc, 30, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc)


def _publish_delay(conf, session, minutes: int) -> None:
    with scopes_disabled():
        session_delay(actor=conf["owner"], session=session, minutes=minutes)
        schedule_publish(actor=conf["owner"], event=conf["event"])


def test_door_display_updates_catches_up_after_a_drop_and_blanks_when_revoked(
    page: Page, server, live_conf, screenshot, no_reload, tmp_path
):
    conf = live_conf
    up_next = conf["sessions"][1]
    port = free_port()
    with _daphne_at(port, tmp_path, "first") as display_server:
        page.goto(f"{display_server}/displays/{conf['link'].token}")
        expect(page.locator(".d-now")).to_contain_text("Live talk")
        expect(page.locator(".d-now")).to_contain_text("Ada Lovelace")
        expect(page.locator(".d-next")).to_contain_text("Up next")
        expect(page.locator("#display-conn")).to_have_text("live")
        no_reload.set()
        screenshot("agenda-10-display")

        # A published delay reaches the screen through the stream.
        _publish_delay(conf, up_next, 10)
        start = (conf["now"] + timedelta(minutes=35)).astimezone(conf["event"].tz).strftime("%H:%M")
        expect(page.locator(f".d-next [data-session='{up_next.pk}']")).to_contain_text(f"{start}–")
        expect(page.locator(f".d-next [data-session='{up_next.pk}']")).to_contain_text("Delayed")
        with scopes_disabled():
            announcement_post(
                actor=conf["owner"], event=conf["event"], text="Hall A: doors close in 5 minutes",
                priority=AnnouncementPriority.URGENT,
            )  # fmt: skip
        expect(page.locator(".d-announcements")).to_contain_text("Hall A: doors close in 5 minutes")
        screenshot("agenda-11-display-updated")

    # The server is gone (every socket dropped); changes published meanwhile must arrive after
    # the display reconnects and resubscribes with `since`.
    expect(page.locator("#display-conn")).to_contain_text("offline")
    _publish_delay(conf, up_next, 5)
    with scopes_disabled():
        session_cancel(actor=conf["owner"], session=conf["sessions"][2])
        schedule_publish(actor=conf["owner"], event=conf["event"])
    screenshot("agenda-12-display-offline")
    with _daphne_at(port, tmp_path, "second"):
        start = (conf["now"] + timedelta(minutes=40)).astimezone(conf["event"].tz).strftime("%H:%M")
        expect(page.locator(f".d-next [data-session='{up_next.pk}']")).to_contain_text(f"{start}–", timeout=40_000)
        expect(page.locator(".d-changes")).to_contain_text("After that")
        expect(page.locator("#display-conn")).to_have_text("live")
        stream = event_stream(conf["event"].pk)
        head = stream_heads(streams=[stream])[stream]
        expect(page.locator("#display")).to_have_attribute("data-last-seq", str(head))
        no_reload.assert_same()
        screenshot("agenda-13-display-caught-up")

        # Revoked: the next change makes the screen re-fetch its state, which is now a 404.
        with scopes_disabled():
            displays.display_link_revoke(actor=conf["owner"], link=conf["link"])
        _publish_delay(conf, up_next, 5)
        expect(page.locator("#display-revoked")).to_be_visible()
        screenshot("agenda-14-display-revoked")


def test_rooms_tracks_speakers_announcements_and_display_links(page: Page, server, conf, screenshot):
    UserFactory(email="grace@example.org")
    _login_with_cookie(page, server, conf["owner"])
    base = f"{server}{GRID}"

    page.goto(f"{base}rooms/")
    page.get_by_role("link", name="New room").click()
    page.get_by_label("Name", exact=True).fill("Hall A")
    page.get_by_role("button", name="Save room").click()
    expect(page.get_by_text("A room with this name already exists.")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Workshop room")
    page.get_by_label("Capacity").fill("40")
    page.get_by_label("Floor").fill("2")
    page.get_by_role("button", name="Save room").click()
    expect(page.locator("#rooms")).to_contain_text("Workshop room")
    screenshot("agenda-20-rooms")

    page.goto(f"{base}tracks/")
    page.get_by_role("link", name="New track").click()
    page.get_by_label("Name", exact=True).fill("Security")
    page.get_by_label("Colour").fill("#8e44ad")
    page.get_by_role("button", name="Save track").click()
    expect(page.locator("#tracks")).to_contain_text("#8e44ad")
    screenshot("agenda-21-tracks")

    page.goto(f"{base}speakers/")
    page.get_by_role("link", name="New speaker").click()
    page.get_by_label("Name", exact=True).fill("Grace Hopper II")
    page.get_by_label("Company").fill("Navy")
    page.get_by_label("Links").fill("Blog | https://grace.example.org")
    page.get_by_label("Account email").fill("grace@example.org")
    page.get_by_role("button", name="Save speaker").click()
    expect(page.locator("#speakers tr", has_text="Grace Hopper II")).to_contain_text("grace@example.org")
    screenshot("agenda-22-speakers")

    page.goto(f"{base}announcements/")
    page.get_by_label("Text").fill("Coffee is served in the foyer")
    page.get_by_label("Priority").select_option("important")
    page.get_by_role("button", name="Post announcement").click()
    expect(page.locator("#announcements")).to_contain_text("Coffee is served in the foyer")
    screenshot("agenda-23-announcements")

    page.goto(f"{base}displays/")
    page.get_by_label("Name", exact=True).fill("Hall A door")
    page.get_by_label("Room").select_option(label="Hall A")
    page.get_by_role("button", name="Create link").click()
    row = page.locator("#display-links tr", has_text="Hall A door")
    expect(row.locator(".display-url")).to_be_visible()
    display_url = row.locator(".display-url").get_attribute("href")
    screenshot("agenda-24-display-links")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke Hall A door").click()
    expect(page.locator("#display-links tr", has_text="Hall A door")).to_contain_text("Revoked")
    assert page.goto(display_url).status == 404
