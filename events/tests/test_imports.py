"""Agenda import through the portal page (``…/agenda/import``): the dry-run preview saves
nothing, a bad row is reported with its row number and keeps the whole file out, an applied
import goes through the agenda services (audit entries, drafts), and importing the same file
again creates and writes nothing; XLSX files read like CSV files."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import Workbook

from eventhub.models import AuditLogEntry
from eventhub.testing.db import table_writes
from eventhub.testing.factories import EventFactory, MemberFactory
from events.enums import SessionStatus
from events.models import PublishedSession, Room, Session, Speaker
from events.services.schedule import schedule_publish

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")

ROOMS_CSV = "external_id,name,capacity,floor\nR1,Hall A,300,Ground\nR2,Hall B,120,1\n"
SPEAKERS_CSV = "external_id,name,company\nS1,Ada Lovelace,Analytical Engines\nS2,Grace Hopper,Navy\n"
SESSIONS_CSV = (
    "external_id,title,start,duration,room,speakers,kind,tags\n"
    "T1,Opening keynote,2031-05-01 09:00,60,R1,S1,keynote,intro\n"
    "T2,Compilers,2031-05-01 10:30,45,Hall B,S2;S1,talk,lang;history\n"
)


@pytest.fixture(autouse=True)
def _portal_settings(page_settings):
    pass


@pytest.fixture
def org(acme_org):
    return acme_org


@pytest.fixture
def owner(acme_owner):
    return acme_owner


@pytest.fixture
def event(org):
    return EventFactory(
        organization=org,
        name="Acme Conf",
        slug="acme-conf",
        timezone="Europe/Berlin",
        start=datetime(2031, 5, 1, 8, 0, tzinfo=BERLIN),
        end=datetime(2031, 5, 2, 18, 0, tzinfo=BERLIN),
    )


@pytest.fixture
def logged_in(client, owner):
    client.force_login(owner)
    return client


IMPORT_URL = "/portal/acme/events/acme-conf/agenda/import"


def upload(client, kind: str, content: str | bytes, *, apply: bool = False, name: str = "agenda.csv"):
    data = content.encode() if isinstance(content, str) else content
    file = io.BytesIO(data)
    file.name = name
    form = {"kind": kind, "file": file, ("apply" if apply else "preview"): "1"}
    return client.post(IMPORT_URL, form)


def rows_of(response) -> list[tuple]:
    return [(row.number, row.external_id, row.action, row.errors) for row in response.context["report"].rows]


def room_rows(event) -> list[tuple]:
    with scopes_disabled():
        return list(
            Room.objects.filter(event=event)
            .order_by("external_id")
            .values_list("external_id", "name", "capacity", "floor")
        )


def session_rows(event) -> list[tuple]:
    with scopes_disabled():
        return [
            (
                s.external_id,
                s.title,
                s.start.astimezone(BERLIN).strftime("%d %H:%M"),
                s.end.astimezone(BERLIN).strftime("%H:%M"),
                s.room.name,
                sorted(sp.external_id for sp in s.speakers.all()),
                s.kind,
                s.tags,
            )
            for s in Session.objects.filter(event=event).order_by("external_id")
        ]


def test_the_import_page_lists_the_columns_of_each_kind(logged_in, event):
    response = logged_in.get(IMPORT_URL)

    assert response.status_code == 200
    assert [entry["kind"] for entry in response.context["columns"]] == ["rooms", "speakers", "sessions"]
    assert b"external_id" in response.content


def test_a_preview_shows_what_each_row_would_do_and_saves_nothing(logged_in, event):
    response = upload(logged_in, "rooms", ROOMS_CSV)

    assert response.status_code == 200
    assert rows_of(response) == [(2, "R1", "created", []), (3, "R2", "created", [])]
    assert response.context["report"].dry_run is True
    assert room_rows(event) == []
    with scopes_disabled():
        assert AuditLogEntry.objects.count() == 0


def test_an_applied_preview_imports_the_file_previewed(logged_in, event):
    preview = upload(logged_in, "rooms", ROOMS_CSV)

    response = logged_in.post(IMPORT_URL, {"upload": preview.context["upload"], "apply": "1"})

    assert response.status_code == 302
    assert room_rows(event) == [("R1", "Hall A", 300, "Ground"), ("R2", "Hall B", 120, "1")]
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Imported rooms from agenda.csv: 2 created, 0 updated, 0 unchanged."]


def test_a_bad_row_is_reported_with_its_row_number_and_nothing_is_imported(logged_in, event):
    content = "external_id,name,capacity\nR1,Hall A,300\nR2,Hall B,lots\nR3,,10\nR1,Hall C,5\n"

    response = upload(logged_in, "rooms", content, apply=True)

    assert response.status_code == 200
    assert rows_of(response) == [
        (2, "R1", "created", []),
        (3, "R2", "error", ["capacity: “lots” is not a whole number."]),
        (4, "R3", "error", ["name: This field cannot be blank."]),
        (5, "R1", "error", ["external_id: row 2 has it too."]),
    ]
    assert room_rows(event) == []
    assert b"3 rows need fixing" in response.content


def test_sessions_import_through_the_agenda_services_with_rooms_and_speakers_by_external_id(logged_in, event):
    assert upload(logged_in, "rooms", ROOMS_CSV, apply=True).status_code == 302
    assert upload(logged_in, "speakers", SPEAKERS_CSV, apply=True).status_code == 302

    response = upload(logged_in, "sessions", SESSIONS_CSV, apply=True)

    assert response.status_code == 302
    assert session_rows(event) == [
        ("T1", "Opening keynote", "01 09:00", "10:00", "Hall A", ["S1"], "keynote", ["intro"]),
        ("T2", "Compilers", "01 10:30", "11:15", "Hall B", ["S1", "S2"], "talk", ["lang", "history"]),
    ]
    with scopes_disabled():
        assert PublishedSession.objects.filter(event=event).count() == 0  # drafts until published
        actions = list(AuditLogEntry.objects.filter(event=event).order_by("id").values_list("action", flat=True))
    assert actions.count("session.created") == 2
    assert actions[-1] == "agenda.imported"


def test_a_conflicting_session_row_names_the_clash_and_its_row(logged_in, event):
    upload(logged_in, "rooms", ROOMS_CSV, apply=True)
    content = (
        "external_id,title,start,duration,room\n"
        "T1,Keynote,2031-05-01 09:00,60,R1\n"
        "T2,Clash,2031-05-01 09:30,30,R1\n"
        "T3,Too late,2031-05-03 09:00,30,R1\n"
        "T4,Nowhere,2031-05-01 12:00,30,R9\n"
    )

    response = upload(logged_in, "sessions", content)

    assert rows_of(response) == [
        (2, "T1", "created", []),
        (3, "T2", "error", ["room: Hall A is already booked then: “Keynote” Thu 09:00."]),
        (4, "T3", "error", ["start: Sessions must lie within the event (2031-05-01 08:00 – 2031-05-02 18:00)."]),
        (5, "T4", "error", ["room: no room has the external id or name “R9”."]),
    ]
    assert session_rows(event) == []


def test_importing_the_same_files_again_creates_and_writes_nothing(logged_in, event):
    for kind, content in (("rooms", ROOMS_CSV), ("speakers", SPEAKERS_CSV), ("sessions", SESSIONS_CSV)):
        assert upload(logged_in, kind, content, apply=True).status_code == 302
    before = (room_rows(event), session_rows(event))
    with scopes_disabled():
        audit_before = AuditLogEntry.objects.count()

    previews = {
        kind: rows_of(upload(logged_in, kind, content))
        for kind, content in (("rooms", ROOMS_CSV), ("speakers", SPEAKERS_CSV), ("sessions", SESSIONS_CSV))
    }
    with table_writes() as writes:
        responses = [
            upload(logged_in, kind, content, apply=True)
            for kind, content in (("rooms", ROOMS_CSV), ("speakers", SPEAKERS_CSV), ("sessions", SESSIONS_CSV))
        ]

    assert [r.status_code for r in responses] == [302, 302, 302]
    assert {kind: {action for _n, _id, action, _e in rows} for kind, rows in previews.items()} == {
        "rooms": {"unchanged"},
        "speakers": {"unchanged"},
        "sessions": {"unchanged"},
    }
    assert (room_rows(event), session_rows(event)) == before
    with scopes_disabled():
        new_actions = list(AuditLogEntry.objects.order_by("id").values_list("action", flat=True)[audit_before:])
        assert Speaker.objects.filter(event=event).count() == 2
    assert new_actions == []
    assert writes.except_tables(frozenset({"django_session"})) == {}


def test_a_changed_row_updates_only_what_it_names(logged_in, event):
    for kind, content in (("rooms", ROOMS_CSV), ("speakers", SPEAKERS_CSV), ("sessions", SESSIONS_CSV)):
        upload(logged_in, kind, content, apply=True)
    changed = SESSIONS_CSV.replace("Compilers,2031-05-01 10:30", "Compilers and you,2031-05-01 11:00")

    response = upload(logged_in, "sessions", changed, apply=True)

    assert response.status_code == 302
    assert session_rows(event)[1] == (
        "T2",
        "Compilers and you",
        "01 11:00",
        "11:45",
        "Hall B",
        ["S1", "S2"],
        "talk",
        ["lang", "history"],
    )
    assert [str(m) for m in response.wsgi_request._messages][-1] == (
        "Imported sessions from agenda.csv: 0 created, 1 updated, 1 unchanged."
    )


def test_a_room_made_by_hand_is_adopted_by_name(logged_in, event):
    with scopes_disabled():
        Room.objects.create(event=event, name="Hall A")

    response = upload(logged_in, "rooms", ROOMS_CSV, apply=True)

    assert response.status_code == 302
    assert room_rows(event) == [("R1", "Hall A", 300, "Ground"), ("R2", "Hall B", 120, "1")]


def test_an_xlsx_file_imports_like_a_csv_file(logged_in, event):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["External ID", "Name", "Capacity"])
    sheet.append([1, "Hall A", 300])
    sheet.append([2, "Hall B", None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = upload(logged_in, "rooms", buffer.getvalue(), apply=True, name="rooms.xlsx")

    assert response.status_code == 302
    assert room_rows(event) == [("1", "Hall A", 300, ""), ("2", "Hall B", None, "")]


def test_unknown_columns_and_unreadable_files_are_refused_on_the_form(logged_in, event):
    unknown = upload(logged_in, "rooms", "external_id,name,colour\nR1,Hall A,red\n")
    broken = upload(logged_in, "rooms", b"PK\x03\x04 not a workbook", name="rooms.xlsx")

    assert unknown.context["form"].errors == {
        "file": ["Unknown columns: colour. Known: external_id, name, capacity, floor, accessibility_notes, position."]
    }
    assert broken.context["form"].errors == {"file": ["This is not a readable XLSX file."]}
    assert room_rows(event) == []


@pytest.mark.parametrize("role", ["operator", "analyst"])
def test_members_who_may_not_edit_the_agenda_get_a_404(client, org, event, role):
    member = MemberFactory(organization=org, role=role).user
    client.force_login(member)

    assert client.get(IMPORT_URL).status_code == 404
    assert upload(client, "rooms", ROOMS_CSV, apply=True).status_code == 404
    assert room_rows(event) == []


def test_a_published_session_changed_by_import_becomes_moved(logged_in, owner, event):
    for kind, content in (("rooms", ROOMS_CSV), ("speakers", SPEAKERS_CSV), ("sessions", SESSIONS_CSV)):
        upload(logged_in, kind, content, apply=True)
    with scopes_disabled():
        schedule_publish(actor=owner, event=event)

    upload(logged_in, "sessions", SESSIONS_CSV.replace("10:30,45,Hall B", "10:30,45,R1"), apply=True)

    with scopes_disabled():
        assert Session.objects.get(event=event, external_id="T2").status == SessionStatus.MOVED
    assert reverse("portal:agenda-import", kwargs={"organization": "acme", "event": "acme-conf"}) == IMPORT_URL
