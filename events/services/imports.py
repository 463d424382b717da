"""Import of rooms, speakers and sessions from a CSV or XLSX file into the draft agenda.

Every row goes through the agenda services (``services/agenda.py``: the same validation,
conflict checks, audit entries and stream entries as a form), all rows in one transaction
under the agenda lock (``lock_agenda``): a file with any bad row changes nothing, and a dry run
(the preview) runs exactly the same code and rolls back. Each row runs in its own savepoint, so
one bad row is reported with its row number and the rows after it are still checked.

Idempotent by ``external_id`` (the row's id in the organizer's system, unique per event and
kind): a row whose object exists is compared field by field and updated only where it differs
(``unchanged`` rows call no service, so they write nothing — no audit entry either); a row
without a match creates the object. A room or speaker that was made by hand (no external id)
with the same name is adopted by the first import that names it. Only the columns present in
the file are compared and written: a file without an ``abstract`` column leaves abstracts alone.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from accounts.models import User
from eventhub import errors
from eventhub.services import require_permission

from ..enums import SessionKind
from ..models import Event, Room, Session, Speaker, Track
from . import agenda as services

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
KINDS = ("rooms", "speakers", "sessions")
COLUMNS = {
    "rooms": ["external_id", "name", "capacity", "floor", "accessibility_notes", "position"],
    "speakers": ["external_id", "name", "company", "job_title", "bio"],
    "sessions": [
        "external_id",
        "title",
        "start",
        "end",
        "duration",
        "room",
        "track",
        "speakers",
        "kind",
        "abstract",
        "language",
        "tags",
        "capacity",
    ],
}
REQUIRED = {
    "rooms": ["external_id", "name"],
    "speakers": ["external_id", "name"],
    "sessions": ["external_id", "title", "start"],
}


@dataclass
class RowResult:
    number: int  # the row in the file; the header is row 1
    external_id: str
    label: str
    action: str = ""  # created | updated | unchanged | error
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    rows: list[RowResult] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def created(self) -> int:
        return self.count("created")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def failed(self) -> list[RowResult]:
        return [row for row in self.rows if row.action == "error"]

    @property
    def applied(self) -> bool:
        return not self.dry_run and not self.failed


# --- reading the file ----------------------------------------------------------------------------


Row = tuple[int, dict[str, Any]]


def _rows_from_csv(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise errors.Invalid(fields={"file": _("The CSV file must be UTF-8 text.")}) from None
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _rows_from_xlsx(content: bytes) -> list[list[Any]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises zip, XML and key errors of every kind for a bad file
        raise errors.Invalid(fields={"file": _("This is not a readable XLSX file.")}) from None
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for _index, row in zip(range(MAX_ROWS + 2), sheet.iter_rows(values_only=True), strict=False)]
    finally:
        workbook.close()


def read_table(*, filename: str, content: bytes, kind: str) -> list[Row]:
    """The file's data rows as ``(row number, {column: value})``, blank rows skipped. Column
    names are matched case-insensitively; unknown columns are refused (a typo would otherwise be
    silently ignored)."""
    if len(content) > MAX_BYTES:
        raise errors.Invalid(fields={"file": _("The file is larger than 5 MB.")})
    lines = _rows_from_xlsx(content) if filename.lower().endswith(".xlsx") else _rows_from_csv(content)
    if not lines:
        raise errors.Invalid(fields={"file": _("The file is empty.")})
    header = [str(cell or "").strip().lower().replace(" ", "_") for cell in lines[0]]
    unknown = [name for name in header if name and name not in COLUMNS[kind]]
    if unknown:
        raise errors.Invalid(
            fields={
                "file": _("Unknown columns: %(unknown)s. Known: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(COLUMNS[kind])}
            }
        )
    missing = [name for name in REQUIRED[kind] if name not in header]
    if missing:
        raise errors.Invalid(fields={"file": _("Missing columns: %(missing)s.") % {"missing": ", ".join(missing)}})
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        values = {name: value for name, value in zip(header, line, strict=False) if name}
        if all(value is None or str(value).strip() == "" for value in values.values()):
            continue
        rows.append((number, values))
    if len(rows) > MAX_ROWS:
        raise errors.Invalid(fields={"file": _("At most %(max)s rows per file.") % {"max": MAX_ROWS}})
    return rows


# --- cell values ---------------------------------------------------------------------------------


class CellError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"{column}: {message}")


def _str(values: dict[str, Any], name: str) -> str:
    value = values.get(name)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # XLSX numbers: an external id 12 arrives as 12.0
    return str(value).strip()


def _int(values: dict[str, Any], name: str) -> int | None:
    text = _str(values, name)
    if text == "":
        return None
    try:
        number = int(text)
    except ValueError:
        raise CellError(name, _("“%(value)s” is not a whole number.") % {"value": text}) from None
    if number < 0:
        raise CellError(name, _("must not be negative."))
    return number


def _datetime(values: dict[str, Any], name: str, event: Event) -> datetime | None:
    value = values.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0))
    else:
        text = str(value).strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise CellError(
                name,
                _("“%(value)s” is not a time like 2031-06-10 09:30 (in %(zone)s).")
                % {"value": text, "zone": event.timezone},
            ) from None
    # Times without an offset are wall-clock times in the event's zone, as in every portal form.
    return moment.replace(tzinfo=event.tz) if moment.tzinfo is None else moment


def _list(values: dict[str, Any], name: str) -> list[str]:
    return [part.strip() for part in _str(values, name).replace(",", ";").split(";") if part.strip()]


def _field_errors(error: errors.DomainError) -> list[str]:
    if not error.fields:
        return [error.detail]
    return [f"{name}: {message}" for name, messages in error.fields.items() for message in messages]


# --- one importer per kind -----------------------------------------------------------------------


@dataclass
class _Context:
    actor: User
    event: Event


def _changes(obj: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in wanted.items() if getattr(obj, name) != value}


def _import_reference(
    ctx: _Context,
    result: RowResult,
    *,
    model: type[Room] | type[Speaker],
    save: Callable[..., Any],
    wanted: dict[str, Any],
) -> None:
    """A room or a speaker: matched by external id, else a hand-made one (no external id) of
    the same name is adopted; then created, updated where it differs, or left unchanged."""
    kind = model.__name__.lower()
    result.label = wanted["name"]
    obj = model.objects.filter(event=ctx.event, external_id=result.external_id).first()
    if obj is None:
        obj = model.objects.filter(event=ctx.event, name=wanted["name"], external_id="").first()
        if obj is not None:
            wanted["external_id"] = result.external_id
    if obj is None:
        save(actor=ctx.actor, event=ctx.event, external_id=result.external_id, **wanted)
        result.action = "created"
    elif changes := _changes(obj, wanted):
        save(actor=ctx.actor, event=ctx.event, **{kind: obj}, **changes)
        result.action = "updated"
    else:
        result.action = "unchanged"


def _import_room(ctx: _Context, values: dict[str, Any], result: RowResult) -> None:
    wanted: dict[str, Any] = {"name": _str(values, "name")}
    for name in ("floor", "accessibility_notes"):
        if name in values:
            wanted[name] = _str(values, name)
    for name in ("capacity", "position"):
        if name in values:
            number = _int(values, name)
            wanted[name] = number if name == "capacity" or number is not None else 0
    _import_reference(ctx, result, model=Room, save=services.room_save, wanted=wanted)


def _import_speaker(ctx: _Context, values: dict[str, Any], result: RowResult) -> None:
    wanted: dict[str, Any] = {"name": _str(values, "name")}
    for name in ("company", "job_title", "bio"):
        if name in values:
            wanted[name] = _str(values, name)
    _import_reference(ctx, result, model=Speaker, save=services.speaker_save, wanted=wanted)


def _find_room(event: Event, ref: str) -> Room:
    room = (
        Room.objects.filter(event=event, external_id=ref).first() or Room.objects.filter(event=event, name=ref).first()
    )
    if room is None:
        raise CellError("room", _("no room has the external id or name “%(ref)s”.") % {"ref": ref})
    return room


def _find_speaker(event: Event, ref: str) -> Speaker:
    speaker = (
        Speaker.objects.filter(event=event, external_id=ref).first()
        or Speaker.objects.filter(event=event, name=ref).first()
    )
    if speaker is None:
        raise CellError("speakers", _("no speaker has the external id or name “%(ref)s”.") % {"ref": ref})
    return speaker


def _session_wanted(ctx: _Context, values: dict[str, Any], existing: Session | None) -> dict[str, Any]:
    event = ctx.event
    wanted: dict[str, Any] = {"title": _str(values, "title")}
    start = _datetime(values, "start", event)
    if start is None:
        raise CellError("start", _("is required."))
    wanted["start"] = start
    end = _datetime(values, "end", event)
    if end is None and _str(values, "duration"):
        minutes = _int(values, "duration")
        end = start + timedelta(minutes=minutes or 0)
    if end is None:
        if existing is None:
            raise CellError("end", _("give an end or a duration in minutes."))
        end = start + (existing.end - existing.start)
    wanted["end"] = end
    if "room" in values:
        ref = _str(values, "room")
        wanted["room"] = _find_room(event, ref) if ref else None
    if "track" in values:
        ref = _str(values, "track")
        track = Track.objects.filter(event=event, name=ref).first() if ref else None
        if ref and track is None:
            raise CellError("track", _("no track is named “%(ref)s”.") % {"ref": ref})
        wanted["track"] = track
    if "kind" in values:
        ref = _str(values, "kind").lower()
        kinds = {value: value for value in SessionKind.values} | {
            str(label).lower(): value for value, label in SessionKind.choices
        }
        if ref and ref not in kinds:
            raise CellError("kind", _("use one of %(kinds)s.") % {"kinds": ", ".join(SessionKind.values)})
        wanted["kind"] = kinds.get(ref, SessionKind.TALK)
    for name in ("abstract", "language"):
        if name in values:
            wanted[name] = _str(values, name) or ("en" if name == "language" else "")
    if "tags" in values:
        wanted["tags"] = _list(values, "tags")
    if "capacity" in values:
        wanted["capacity"] = _int(values, "capacity")
    return wanted


def _import_session(ctx: _Context, values: dict[str, Any], result: RowResult) -> None:
    session = Session.objects.filter(event=ctx.event, external_id=result.external_id).select_related("event").first()
    result.label = _str(values, "title")
    wanted = _session_wanted(ctx, values, session)
    speakers = [_find_speaker(ctx.event, ref) for ref in _list(values, "speakers")] if "speakers" in values else None
    if session is None:
        services.session_create(
            actor=ctx.actor, event=ctx.event, speakers=speakers or [], external_id=result.external_id, **wanted
        )
        result.action = "created"
        return
    changes = _changes(session, wanted)
    speakers_changed = speakers is not None and {s.pk for s in speakers} != set(
        session.speakers.values_list("pk", flat=True)
    )
    if not changes and not speakers_changed:
        result.action = "unchanged"
        return
    services.session_update(
        actor=ctx.actor, session=session, speakers=speakers if speakers_changed else None, **changes
    )
    result.action = "updated"


_IMPORTERS: dict[str, Callable[[_Context, dict[str, Any], RowResult], None]] = {
    "rooms": _import_room,
    "speakers": _import_speaker,
    "sessions": _import_session,
}


def agenda_import(
    *, actor: User, event: Event, kind: str, filename: str, content: bytes, dry_run: bool
) -> ImportReport:
    """Import ``kind`` (rooms, speakers or sessions) from the file. Returns the report of every
    row; with ``dry_run``, or when any row failed, nothing is kept (one transaction, rolled
    back). Side effects when applied: what the agenda services do per row (audit entries; stream
    entries for reference data once an agenda is out; sessions stay drafts until published), and
    one ``agenda.imported`` audit entry if anything changed. Locking: the agenda lock for the whole import."""
    require_permission(actor, "events.change_agenda", event)
    if kind not in KINDS:
        raise errors.Invalid(fields={"kind": _("Choose rooms, speakers or sessions.")})
    rows = read_table(filename=filename, content=content, kind=kind)
    report = ImportReport(kind=kind, dry_run=dry_run)
    importer = _IMPORTERS[kind]
    with transaction.atomic():
        ctx = _Context(actor=actor, event=services.lock_agenda(event))
        seen: dict[str, int] = {}
        for number, values in rows:
            result = RowResult(number=number, external_id=_str(values, "external_id"), label="")
            report.rows.append(result)
            if not result.external_id:
                result.action, result.errors = "error", [_("external_id: is required.")]
                continue
            if result.external_id in seen:
                result.action = "error"
                result.errors = [_("external_id: row %(row)s has it too.") % {"row": seen[result.external_id]}]
                continue
            seen[result.external_id] = number
            try:
                with transaction.atomic():
                    importer(ctx, values, result)
            except CellError as error:
                result.action, result.errors = "error", [str(error)]
            except (errors.NotFound, errors.PermissionDenied):
                raise
            except errors.DomainError as error:
                result.action, result.errors = "error", _field_errors(error)
        if dry_run or report.failed:
            transaction.set_rollback(True)
        elif report.created or report.updated:  # a re-import that changes nothing writes nothing
            services.audit_agenda(
                actor,
                ctx.event,
                "agenda.imported",
                ctx.event,
                {"kind": kind, "file": filename[:200], "created": report.created, "updated": report.updated},
            )
    return report
