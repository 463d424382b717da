"""The attendee app (/app/) in a real browser at 390 px against a real daphne, on exactly the
API a phone uses: sign up, onboarding, join an open event, bookmark two overlapping sessions
(conflict shown), a note; the organizer moves a bookmarked session in the portal and publishes,
and the open session page updates in place with a banner. Offline: the service worker and
IndexedDB render agenda, my agenda, the session with its note and the ticket QR after a reload;
a note edited offline lands once after reconnecting although its request is retried. Ten changes
published while the phone was offline leave it, after reconnecting, with exactly a fresh
bundle. A free ticket bought in the app shows a QR code that decodes to a payload the scan API
accepts. axe-core on every screen; the CSP header is present and nothing breaks it (the `page`
fixture fails on any CSP console message). Screenshots: var/screenshots/app-*.png."""

import io
import json
import time
import urllib.request
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from django.utils import timezone
from django_scopes import scopes_disabled
from PIL import Image
from playwright.sync_api import Page, expect

from accounts.models import User
from eventhub.realtime.models import StreamEntry
from eventhub.realtime.selectors import stream_heads
from eventhub.realtime.streams import event_stream, user_stream
from eventhub.testing.factories import EventFactory, MemberFactory, OrganizationFactory, RoomFactory, UserFactory
from eventhub.testing.live import session_token_for
from events.enums import AnnouncementPriority, EventVisibility, MemberRole
from events.models import Bookmark, Participant, Session, SessionNote, Speaker, Track
from events.services.agenda import (
    announcement_post,
    room_save,
    session_cancel,
    session_create,
    session_update,
    speaker_save,
    track_save,
)
from events.services.personal import bookmark_add, note_save
from events.services.schedule import schedule_publish
from ticketing.models import Quota, TicketType

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]

BERLIN = ZoneInfo("Europe/Berlin")
PHONE = {"width": 390, "height": 844}
AXE = "/static/vendor/axe-core/axe.min.js"


@pytest.fixture
def conf(browser_passwords):
    """An open event starting in an hour (so its tickets already scan), two overlapping sessions
    in Halls A and B, a free ticket type; the organizer owns it."""
    now = timezone.now().astimezone(BERLIN).replace(second=0, microsecond=0)
    start = now + timedelta(hours=1)
    owner = UserFactory(email="olivia@example.org")
    org = OrganizationFactory(name="Acme Events", slug="acme")
    MemberFactory(organization=org, user=owner, role=MemberRole.OWNER)
    event = EventFactory(
        organization=org, name="Acme Conf", slug="acme-conf", timezone="Europe/Berlin", start=start,
        end=start + timedelta(hours=9), visibility=EventVisibility.PUBLIC, open_registration=True,
    )  # fmt: skip
    rooms = {
        name: RoomFactory(event=event, name=name, position=i) for i, name in enumerate(["Hall A", "Hall B", "Hall C"])
    }
    web = Track.objects.create(event=event, name="Web", colour="#2f7de1")
    ada = Speaker.objects.create(event=event, name="Ada Lovelace", bio="Wrote the first program.")
    with scopes_disabled():
        for title, offset, room, speakers in [
            ("Opening keynote", 30, "Hall A", [ada]),
            ("CSS grid tricks", 60, "Hall B", []),
            ("Scaling Postgres", 150, "Hall A", []),
        ]:
            session_create(
                actor=owner, event=event, title=title, start=start + timedelta(minutes=offset),
                end=start + timedelta(minutes=offset + 45), room=rooms[room], track=web, speakers=speakers,
                abstract=f"All about {title.lower()}.",
            )  # fmt: skip
        schedule_publish(actor=owner, event=event, comment="First cut")
        free = TicketType.objects.create(event=event, name="Community", price=Decimal("0.00"))
        quota = Quota.objects.create(event=event, name="Everyone", size=100)
        quota.ticket_types.set([free])
    return {"owner": owner, "event": event, "rooms": rooms, "start": start}


def _session(title: str) -> Session:
    with scopes_disabled():
        return Session.objects.get(title=title)


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"app-{name}.png"))


def _axe(page: Page, screen: str) -> None:
    """No serious or critical axe-core violation on the screen now shown."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE)
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)"""
    )
    assert violations == [], f"axe on {screen}: {violations}"


def _screen(page: Page, name: str) -> None:
    _axe(page, name)
    _shot(page, name)


def _signed_in(page: Page, server: str, user, path: str) -> None:
    """The app with a session token, as after a login (the login itself is tested once)."""
    page.set_viewport_size(PHONE)
    page.goto(f"{server}/app/#/login")
    page.evaluate("token => localStorage.setItem('eventhub.sessionToken', token)", session_token_for(user))
    page.goto(f"{server}/app/#{path}")
    page.reload()


def _idb_bundle(page: Page, event_id: int) -> dict | None:
    return page.evaluate(
        """(id) => new Promise((resolve, reject) => {
            const open = indexedDB.open("eventhub-app");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const get = open.result.transaction("bundles").objectStore("bundles").get(id);
              get.onsuccess = () => resolve(get.result ? get.result.bundle : null);
            };
        })""",
        event_id,
    )


def _api_bundle(server: str, user, event_id: int) -> dict:
    request = urllib.request.Request(
        f"{server}/api/v1/events/{event_id}/bundle", headers={"X-Session-Token": session_token_for(user)}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the test's own server)
        return json.loads(response.read())


def _keyed(bundle: dict) -> dict:
    """The bundle with every list keyed by id (docs/realtime.md: the order is for display)."""
    out = dict(bundle)
    for name in ("rooms", "tracks", "speakers", "sessions", "announcements"):
        out[name] = {item["id"]: item for item in bundle[name]}
    out["notes"] = {note["session"]: note["text"] for note in bundle["notes"]}
    out["bookmarks"] = sorted(bundle["bookmarks"])
    return out


def _wait_for_worker(page: Page) -> None:
    """The service worker controls the page (it claims it once installed)."""
    deadline = time.monotonic() + 30
    while not page.evaluate("navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)"):
        assert time.monotonic() < deadline, "the service worker never took control"
        time.sleep(0.2)


def _decode_qr(page: Page) -> str:
    image = Image.open(io.BytesIO(page.locator("#qr").screenshot()))
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1, "exactly one QR code on the ticket screen"
    return results[0].text


# --- 1. the main path, live -------------------------------------------------------------------


def test_app_signup_join_bookmark_conflict_note_then_live_move_with_banner(page: Page, server, conf, no_reload):
    event = conf["event"]
    page.set_viewport_size(PHONE)
    response = page.goto(f"{server}/app/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "style-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert "default-src 'none'" in csp
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    _screen(page, "01-login")

    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("E-mail").fill("nina@example.org")
    page.get_by_label("Password").fill("a-long-enough-passphrase")
    _screen(page, "02-signup")
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", name="Welcome to EventHub")).to_be_visible(timeout=30_000)
    page.get_by_label("Name", exact=True).fill("Nina Attendee")
    page.get_by_label("Interests").fill("Web, CSS")
    _screen(page, "03-onboarding")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="My events")).to_be_visible()
    expect(page.get_by_text("You have not joined an event yet.")).to_be_visible()
    _screen(page, "04-events")
    page.get_by_role("button", name="Join Acme Conf").click()

    expect(page.get_by_role("heading", name="Acme Conf")).to_be_visible()
    expect(page.locator("#list .session")).to_have_count(3)
    agenda = page.locator("#list")
    agenda.get_by_role("button", name="Add “Opening keynote” to my agenda").click()
    agenda.get_by_role("button", name="Add “CSS grid tricks” to my agenda").click()
    expect(page.locator("#session-" + str(_session("CSS grid tricks").pk))).to_contain_text(
        "Conflicts with Opening keynote"
    )
    _screen(page, "05-agenda")

    page.get_by_role("link", name="My agenda").click()
    expect(page.get_by_text("2 sessions overlap each other.")).to_be_visible()
    expect(page.locator(".session .conflict")).to_have_count(2)
    _screen(page, "06-my-agenda")

    keynote = _session("Opening keynote")
    page.locator(f"#session-{keynote.pk} a").click()
    expect(page.get_by_role("heading", name="Opening keynote")).to_be_visible()
    page.get_by_label("My private note").fill("Ask Ada about the engine")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#note-status")).to_have_text("Saved.")
    expect(page.locator("#room")).to_have_text("Hall A")
    _screen(page, "07-session")
    with scopes_disabled():
        user = User.objects.get(email="nina@example.org")
        assert Participant.objects.filter(user=user, event=event, kind="attendee").count() == 1
        marked = Bookmark.objects.filter(user=user).values_list("session__title", flat=True)
        assert sorted(marked) == ["CSS grid tricks", "Opening keynote"]
        assert SessionNote.objects.get(user=user, session=keynote).text == "Ask Ada about the engine"
    expect(page.locator("#net")).to_have_text("Live")

    # The organizer, in another browser context, moves the keynote to Hall C and publishes.
    no_reload.set()
    organizer = page.context.browser.new_context(viewport={"width": 1280, "height": 860})
    organizer.add_cookies([{"name": "sessionid", "value": session_token_for(conf["owner"]), "url": server}])
    desk = organizer.new_page()
    desk.goto(f"{server}/portal/acme/events/acme-conf/agenda/sessions/{keynote.pk}/move")
    desk.get_by_label("Room", exact=True).select_option(label="Hall C")
    desk.get_by_role("button", name="Move session").click()
    desk.get_by_label("Comment", exact=True).fill("Keynote moves to Hall C")
    clicked = time.monotonic()
    desk.get_by_role("button", name="Publish version 2").click()

    expect(page.locator("#room")).to_have_text("Hall C")
    expect(page.locator("#banner")).to_contain_text("Room changed: Opening keynote is now in Hall C")
    print(f"in-place update and banner {time.monotonic() - clicked:.2f} s after the organizer clicked Publish")
    expect(desk.locator("#pending")).to_contain_text("All changes are published · version 2")
    expect(page.get_by_label("My private note")).to_have_value("Ask Ada about the engine")
    no_reload.assert_same()
    _screen(page, "08-live-banner")
    organizer.close()

    # The other screens, each through axe.
    page.get_by_role("link", name="Ada Lovelace").click()
    expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    _screen(page, "09-speaker")
    page.get_by_role("link", name="News").click()
    expect(page.get_by_role("heading", name="Announcements")).to_be_visible()
    _screen(page, "10-news")
    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Nina Attendee")
    expect(page.get_by_label("Interests")).to_have_value("CSS, Web")
    _screen(page, "11-profile")
    page.goto(f"{server}/app/#/reset")
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    _screen(page, "12-reset")


# --- 2. offline: shell, bundle, tickets; a note edited offline lands once ----------------------------


def test_app_offline_reload_renders_from_cache_and_offline_note_lands_once(page: Page, server, conf):
    event, owner = conf["event"], conf["owner"]
    keynote, grid = _session("Opening keynote"), _session("CSS grid tricks")
    user = UserFactory(email="otto@example.org")
    with scopes_disabled():
        Participant.objects.create(event=event, user=user, kind="attendee")
        bookmark_add(user=user, session=keynote)
        bookmark_add(user=user, session=grid)
        note_save(user=user, session=keynote, text="Front row")

    _signed_in(page, server, user, f"/e/{event.pk}/buy")
    expect(page.get_by_role("heading", name="Buy tickets")).to_be_visible()
    page.get_by_label("Name on the ticket").fill("Otto Offline")
    _screen(page, "13-buy")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
    expect(page.get_by_text("Community")).to_be_visible()
    _screen(page, "14-tickets")
    page.get_by_role("link", name="Show QR code of Community").click()
    expect(page.locator("#qr")).to_be_visible()
    _screen(page, "15-ticket-qr")

    # The QR decodes to the ticket's signed payload, and the scan API lets it in.
    payload = _decode_qr(page)
    scan = urllib.request.Request(
        f"{server}/api/v1/events/{event.pk}/scanner/scan",
        data=json.dumps({"payload": payload}).encode(),
        headers={"X-Session-Token": session_token_for(owner), "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(scan, timeout=30) as answer:  # noqa: S310 (the test's own server)
        assert json.loads(answer.read())["result"] == "ok"

    page.goto(f"{server}/app/#/e/{event.pk}/agenda")
    expect(page.locator("#list .session")).to_have_count(3)
    _wait_for_worker(page)

    # Airplane mode: reload, and everything comes from the service worker and IndexedDB.
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#list .session")).to_have_count(3)
    expect(page.locator("#net")).to_contain_text("Offline — last updated")
    _screen(page, "16-offline-agenda")
    page.get_by_role("link", name="My agenda").click()
    expect(page.locator(".session .conflict")).to_have_count(2)
    page.locator(f"#session-{keynote.pk} a").click()
    expect(page.get_by_label("My private note")).to_have_value("Front row")
    page.get_by_role("link", name="Tickets").click()
    page.get_by_role("link", name="Show QR code of Community").click()
    assert _decode_qr(page) == payload
    _shot(page, "17-offline-ticket")

    # A note edited offline waits in the outbox…
    page.goto(f"{server}/app/#/e/{event.pk}/sessions/{keynote.pk}")
    page.get_by_label("My private note").fill("Front row, left side")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#note-status")).to_have_text("Saved on this phone; it syncs when you are online.")
    expect(page.locator("#net")).to_contain_text("1 to sync")
    _shot(page, "18-offline-note")

    # …and lands once: the first attempt reaches the server but its answer is lost; the retry
    # with the same Idempotency-Key gets the first answer again.
    keys: list[str] = []

    def lose_first_answer(route):
        keys.append(route.request.headers.get("idempotency-key", ""))
        if len(keys) == 1:
            route.fetch()
            route.abort()
        else:
            route.continue_()

    page.route(f"**/api/v1/events/{event.pk}/sessions/{keynote.pk}/note", lose_first_answer)
    page.context.set_offline(False)
    expect(page.locator("#net")).not_to_contain_text("to sync", timeout=30_000)
    with scopes_disabled():
        assert SessionNote.objects.get(user=user, session=keynote).text == "Front row, left side"
        saved = StreamEntry.objects.filter(
            stream=user_stream(user.pk), type="note.saved", data__text="Front row, left side"
        )
        assert saved.count() == 1
    assert len(keys) >= 2  # the lost answer, then the retry
    assert len(set(keys)) == 1
    assert keys[0]


# --- 3. ten changes while offline ---------------------------------------------------------------


def test_app_offline_during_ten_changes_ends_equal_to_a_fresh_bundle(page: Page, server, conf):
    event, owner, rooms = conf["event"], conf["owner"], conf["rooms"]
    user = UserFactory(email="pia@example.org")
    with scopes_disabled():
        Participant.objects.create(event=event, user=user, kind="attendee")
        bookmark_add(user=user, session=_session("Opening keynote"))
    _signed_in(page, server, user, f"/e/{event.pk}/agenda")
    expect(page.locator("#net")).to_have_text("Live")
    page.context.set_offline(True)
    expect(page.locator("#net")).to_contain_text("Offline")

    with scopes_disabled():
        heads_before = stream_heads(streams=[event_stream(event.pk), user_stream(user.pk)])
        keynote, grid, pg = _session("Opening keynote"), _session("CSS grid tricks"), _session("Scaling Postgres")
        session_update(actor=owner, session=keynote, room=rooms["Hall B"], start=keynote.start + timedelta(hours=3),
                       end=keynote.end + timedelta(hours=3))  # fmt: skip
        session_cancel(actor=owner, session=grid)
        session_update(actor=owner, session=pg, title="Scaling Postgres, again")
        session_create(actor=owner, event=event, title="Late addition", start=conf["start"] + timedelta(hours=5),
                       end=conf["start"] + timedelta(hours=6), room=rooms["Hall C"])  # fmt: skip
        schedule_publish(actor=owner, event=event, comment="Offline batch")
        room_save(actor=owner, event=event, room=rooms["Hall A"], name="Hall A (main)")
        track_save(actor=owner, event=event, track=Track.objects.get(event=event), name="Web platform")
        speaker_save(actor=owner, event=event, speaker=Speaker.objects.get(event=event), name="Ada King")
        announcement_post(actor=owner, event=event, text="Doors open early", priority=AnnouncementPriority.IMPORTANT)
        bookmark_add(user=user, session=pg)  # from the attendee's other device
        note_save(user=user, session=pg, text="From the laptop")
        heads = stream_heads(streams=[event_stream(event.pk), user_stream(user.pk)])
    changes = sum(heads.values()) - sum(heads_before.values())
    assert changes >= 10

    page.context.set_offline(False)
    deadline = time.monotonic() + 30
    while (_idb_bundle(page, event.pk) or {}).get("heads") != heads:
        assert time.monotonic() < deadline, f"the app never caught up to {heads}"
        time.sleep(0.3)
    assert _keyed(_idb_bundle(page, event.pk)) == _keyed(_api_bundle(server, user, event.pk))
    expect(page.locator("#list").get_by_text("Scaling Postgres, again")).to_be_visible()
    _shot(page, "19-after-catch-up")
