"""The agenda's exports from the portal (``…/exports/``), each parsed back: JSON, iCalendar
(icalendar), frab XML (xml.etree, the shape of pretalx's schedule.xml) and the speakers as CSV
(csv) and XLSX (openpyxl); only the published agenda is exported; permissions per role."""

import csv
import io
import json
from xml.etree import ElementTree as ET  # noqa: S405 (parsing our own output)

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from eventhub.testing.factories import MemberFactory
from events.services.agenda import session_update
from events.tests.agenda_world import World, berlin, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _portal_settings(page_settings):
    pass


@pytest.fixture
def world() -> World:
    return build_world()


def url(world: World, name: str) -> str:
    event = world.event
    namespace = "ticketing" if name.startswith(("export-orders", "export-attendees", "export-checkins")) else "portal"
    return reverse(f"{namespace}:{name}", kwargs={"organization": event.organization.slug, "event": event.slug})


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_agenda_json_is_the_published_agenda_in_the_apis_shapes(world):
    with scopes_disabled():  # a draft change is not exported
        session_update(actor=world.editor, session=world.sessions["lunch"], title="Long lunch")

    response = client_of(world.editor).get(url(world, "export-agenda-json"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{world.event.slug}-agenda.json"'
    data = json.loads(response.content)
    assert data["schedule_version"] == 1
    assert data["event"]["timezone"] == "Europe/Berlin"
    assert [s["title"] for s in data["sessions"]] == [
        "Opening keynote",
        "Async Django",
        "Pandas tricks",
        "Lunch",
        "Day two keynote",
    ]
    assert [r["name"] for r in data["rooms"]] == ["Hall A", "Hall B", "Workshop"]
    assert sorted(s["name"] for s in data["speakers"]) == ["Ada Lovelace", "Grace Hopper", "Linus Example"]


def test_the_agenda_ics_has_one_event_per_published_session_in_the_events_zone(world):
    response = client_of(world.editor).get(url(world, "export-agenda-ics"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert sorted(events) == ["Async Django", "Day two keynote", "Lunch", "Opening keynote", "Pandas tricks"]
    assert events["Opening keynote"].decoded("DTSTART") == berlin(1, 9)
    assert str(events["Opening keynote"]["LOCATION"]) == "Hall A"


def test_the_frab_xml_has_conference_days_rooms_and_events_as_pretalx_emits_them(world):
    response = client_of(world.editor).get(url(world, "export-agenda-frab"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="schedule.xml"'
    root = ET.fromstring(response.content)  # noqa: S314 (our own output)
    assert root.tag == "schedule"
    assert root.findtext("version") == "1"
    conference = root.find("conference")
    assert conference is not None
    assert (conference.findtext("acronym"), conference.findtext("start"), conference.findtext("end")) == (
        world.event.slug,
        "2031-06-10",
        "2031-06-12",
    )
    assert (conference.findtext("days"), conference.findtext("time_zone_name")) == ("3", "Europe/Berlin")
    days = root.findall("day")
    assert [(d.get("index"), d.get("date"), d.get("start")) for d in days] == [
        ("1", "2031-06-10", "2031-06-10T00:00:00+02:00"),
        ("2", "2031-06-11", "2031-06-11T00:00:00+02:00"),
        ("3", "2031-06-12", "2031-06-12T00:00:00+02:00"),
    ]
    day1 = {room.get("name"): [e.findtext("title") for e in room.findall("event")] for room in days[0].findall("room")}
    assert day1 == {
        "Hall A": ["Opening keynote", "Async Django"],
        "Hall B": ["Pandas tricks"],
        "Workshop": [],
        "No room": ["Lunch"],
    }
    keynote = days[0].find("room/event")
    assert keynote is not None
    assert keynote.get("id") == str(world.sessions["keynote"].pk)
    assert {
        tag: keynote.findtext(tag) for tag in ("date", "start", "duration", "room", "track", "type", "language")
    } == {
        "date": "2031-06-10T09:00:00+02:00",
        "start": "09:00",
        "duration": "01:00",
        "room": "Hall A",
        "track": "Python",
        "type": "Keynote",
        "language": "en",
    }
    assert [(p.get("id"), p.text) for p in keynote.findall("persons/person")] == [
        (str(world.speakers["ada"].pk), "Ada Lovelace")
    ]
    assert keynote.findtext("slug") == f"{world.event.slug}-{world.sessions['keynote'].pk}-opening-keynote"


def test_before_the_first_publish_the_schedule_exports_are_empty(db):
    world = build_world(publish=False)
    editor = client_of(world.editor)

    data = json.loads(editor.get(url(world, "export-agenda-json")).content)
    root = ET.fromstring(editor.get(url(world, "export-agenda-frab")).content)  # noqa: S314

    assert (data["schedule_version"], data["sessions"], data["rooms"]) == (None, [], [])
    assert root.findall("day/room") == []


def test_the_speakers_export_as_csv_and_xlsx(world):
    with scopes_disabled():
        world.speakers["grace"].external_id = "S2"
        world.speakers["grace"].save()
    editor = client_of(world.editor)

    csv_response = editor.get(url(world, "export-speakers-csv"))
    xlsx_response = editor.get(url(world, "export-speakers-xlsx"))

    assert csv_response.status_code == xlsx_response.status_code == 200
    assert csv_response.streaming
    rows = list(csv.reader(io.StringIO(body(csv_response).decode("utf-8-sig"))))
    expected = [
        ["id", "external_id", "name", "company", "job_title", "bio", "account"],
        [str(world.speakers["ada"].pk), "", "Ada Lovelace", "", "", "Analyst.", world.speaker_user.email],
        [str(world.speakers["grace"].pk), "S2", "Grace Hopper", "Navy", "", "", ""],
        [str(world.speakers["linus"].pk), "", "Linus Example", "", "", "", ""],
    ]
    assert rows == expected
    sheet = load_workbook(io.BytesIO(body(xlsx_response)), read_only=True).worksheets[0]
    width = len(expected[0])  # read-only sheets drop trailing empty cells
    cells = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert [row + [""] * (width - len(row)) for row in cells] == expected


def test_the_exports_page_shows_each_member_the_exports_they_may_use(world):
    organization = world.event.organization
    analyst = MemberFactory(organization=organization, role="analyst").user
    operator = MemberFactory(organization=organization, role="operator").user

    pages = {
        role: client_of(user).get(url(world, "exports"))
        for role, user in (("editor", world.editor), ("analyst", analyst), ("operator", operator))
    }

    assert {role: page.status_code for role, page in pages.items()} == {"editor": 200, "analyst": 200, "operator": 200}
    assert url(world, "export-speakers-csv").encode() in pages["editor"].content
    assert url(world, "export-speakers-csv").encode() not in pages["analyst"].content
    assert url(world, "export-orders-csv").encode() in pages["analyst"].content
    assert url(world, "export-checkins-csv").encode() not in pages["editor"].content  # editors do not read check-in
    assert url(world, "export-checkins-csv").encode() in pages["operator"].content
    assert client_of(analyst).get(url(world, "export-speakers-csv")).status_code == 404
    assert client_of(world.editor).get(url(world, "export-checkins-xlsx")).status_code == 404


def test_a_stranger_gets_a_404_for_every_export(world):
    stranger = MemberFactory(role="owner").user  # an owner of another organization
    client = client_of(stranger)

    names = ["exports", "export-agenda-json", "export-agenda-ics", "export-agenda-frab", "export-speakers-csv"]
    assert {name: client.get(url(world, name)).status_code for name in names} == dict.fromkeys(names, 404)
