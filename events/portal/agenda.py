"""The organizer portal's agenda pages: the schedule grid (draft) with its pending changes and
publish form, the versions changelog, session forms and actions, speakers, rooms, tracks,
announcements and door-display links. Views validate, call one service, render; the services
check permissions again, find conflicts and write the audit entries.

Reads are for every member of the organization; writes need ``events.change_agenda`` (editor+).
Another tenant's object is a 404 like a missing one (``event_page`` plus event-filtered lookups)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from eventhub import errors
from eventhub.portal import apply_service_errors, error_text
from eventhub.realtime.selectors import stream_heads
from eventhub.realtime.streams import event_stream

from ..models import Announcement, DisplayLink, Event, PublishedSession, Room, ScheduleVersion, Session, Speaker, Track
from ..selectors.schedule import schedule_pending_changes
from ..services import agenda as services
from ..services import displays
from ..services import schedule as schedule_services
from .access import event_page
from .agenda_forms import (
    AnnouncementForm,
    DelayForm,
    DisplayLinkForm,
    MoveForm,
    PublishForm,
    RoomForm,
    SessionForm,
    SpeakerForm,
    TrackForm,
)

EDIT = "events.change_agenda"
SLOT_MINUTES = 5
ROW_PX = 12  # agenda.css draws the hour lines every 12 rows (144px): keep the two in step
DEFAULT_DAY_HOURS = (9, 18)


def _url(name: str, event: Event, **kwargs: Any) -> str:
    return reverse(f"portal:{name}", kwargs={"organization": event.organization.slug, "event": event.slug, **kwargs})


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, tab: str) -> HttpResponse:
    event = request.event  # type: ignore[attr-defined]
    context = {
        "event": event,
        "org": event.organization,
        "can_edit": request.user.has_perm(EDIT, event),
        "agenda_tab": tab,
        **context,
    }
    return render(request, template, context)


def _require_edit(request: HttpRequest, event: Event) -> None:
    """For pages that members read and editors post to: a post without the right is a 404."""
    if not request.user.has_perm(EDIT, event):
        raise Http404


# --- the grid ------------------------------------------------------------------------------


def event_days(event: Event) -> list[date]:
    tz = event.tz
    first, last = event.start.astimezone(tz).date(), (event.end - timedelta(microseconds=1)).astimezone(tz).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _chosen_day(request: HttpRequest, event: Event, days: list[date]) -> date:
    try:
        chosen = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        chosen = None
    if chosen in days:
        return chosen  # type: ignore[return-value]
    today = timezone.now().astimezone(event.tz).date()
    return today if today in days else days[0]


@dataclass
class Block:
    session: Session
    column: int
    row_start: int
    row_end: int
    start: datetime
    end: datetime
    change: str | None  # the unpublished change, if any

    @property
    def short(self) -> bool:
        return self.row_end - self.row_start <= 6  # 30 minutes or less

    @property
    def style(self) -> str:
        colour = self.session.track.colour if self.session.track else "#8a94a6"
        return f"grid-column: {self.column}; grid-row: {self.row_start} / {self.row_end}; --track: {colour};"


@dataclass
class Grid:
    day: date
    columns: list[Room | None]
    hours: list[tuple[str, int]]
    blocks: list[Block]
    rows: int
    lanes: list[int] = field(default_factory=list)

    @property
    def template_columns(self) -> str:
        return f"4.2rem repeat({len(self.columns)}, minmax(10.5rem, 1fr))"

    @property
    def template_rows(self) -> str:
        return f"2.6rem repeat({self.rows}, {ROW_PX}px)"


def build_grid(*, event: Event, day: date, pending: dict[int, str]) -> Grid:
    """Columns are the rooms (plus "no room" if a session of the day has none), rows are
    5-minute slots from the day's first to its last hour (at least 9–18, within the event)."""
    tz = event.tz
    day_start = datetime.combine(day, time.min, tzinfo=tz)
    day_end = day_start + timedelta(days=1)
    sessions = list(
        Session.objects.filter(event=event, start__gte=day_start, start__lt=day_end)
        .select_related("room", "track")
        .prefetch_related("speakers")
        .order_by("start", "id")
    )
    rooms: list[Room | None] = list(Room.objects.filter(event=event))
    if any(s.room_id is None for s in sessions):
        rooms.append(None)
    column_of = {(room.pk if room else None): index + 2 for index, room in enumerate(rooms)}

    open_at = max(event.start.astimezone(tz), day_start + timedelta(hours=DEFAULT_DAY_HOURS[0]))
    close_at = min(event.end.astimezone(tz), day_start + timedelta(hours=DEFAULT_DAY_HOURS[1]))
    if close_at <= open_at:  # an evening event, or its last morning
        open_at, close_at = max(event.start.astimezone(tz), day_start), min(event.end.astimezone(tz), day_end)
    first = min([open_at, *(s.start.astimezone(tz) for s in sessions)])
    last = max([close_at, *(min(s.end.astimezone(tz), day_end) for s in sessions)])
    first = first.replace(minute=0, second=0, microsecond=0)
    if last.minute or last.second or last.microsecond:
        last = last.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    last = min(last, day_end)
    rows = max(1, int((last - first).total_seconds() // 60 // SLOT_MINUTES))

    def row(moment: datetime) -> int:
        minutes = (min(max(moment, first), last) - first).total_seconds() / 60
        return 2 + int(minutes // SLOT_MINUTES)

    blocks = [
        Block(
            session=s,
            column=column_of[s.room_id],
            row_start=row(s.start.astimezone(tz)),
            row_end=max(row(s.start.astimezone(tz)) + 1, row(s.end.astimezone(tz))),
            start=s.start.astimezone(tz),
            end=s.end.astimezone(tz),
            change=pending.get(s.pk),
        )
        for s in sessions
    ]
    hours = []
    moment = first
    while moment < last:
        hours.append((f"{moment:%H:%M}", row(moment)))
        moment += timedelta(hours=1)
    return Grid(day=day, columns=rooms, hours=hours, blocks=blocks, rows=rows)


def _place(place: dict[str, Any] | None) -> dict[str, str] | None:
    if not place:
        return None
    start, end = datetime.fromisoformat(place["start"]), datetime.fromisoformat(place["end"])
    room = (place.get("room") or {}).get("name") or "no room"
    return {"when": f"{start:%a} {start.day} {start:%b}, {start:%H:%M}–{end:%H:%M}", "room": room}


PLACE_FIELDS = {"start", "end", "room", "status"}


def change_rows(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A version's (or the draft's) structured diff, formatted for the templates."""
    rows = []
    for change in changes:
        old, new = _place(change.get("old")), _place(change.get("new"))
        other = [] if change["change"] == "new" else sorted(set(change.get("fields", {})) - PLACE_FIELDS)
        rows.append(
            {
                "session": change["session"],
                "title": change["title"],
                "change": change["change"],
                "old": old,
                "new": new,
                "when_changed": bool(old and new and old["when"] != new["when"]),
                "room_changed": bool(old and new and old["room"] != new["room"]),
                "other_fields": [name.replace("_", " ") for name in other],
            }
        )
    return rows


def _grid_context(request: HttpRequest, event: Event, day: date | None = None) -> dict[str, Any]:
    days = event_days(event)
    day = day if day in days else _chosen_day(request, event, days)
    changes = schedule_pending_changes(event=event)
    pending = {change["session"]: change["change"] for change in changes}
    return {
        "grid": build_grid(event=event, day=day, pending=pending),
        "days": days,
        "day": day,
        "pending": change_rows(changes),
        "publish_form": PublishForm(),
        "latest_version": ScheduleVersion.objects.filter(event=event).order_by("-number").first(),
        "grid_url": _url("agenda-grid", event) + f"?day={day.isoformat()}",
        "event": event,
        "org": event.organization,
        "can_edit": request.user.has_perm(EDIT, event),
    }


@event_page()
def agenda(request: HttpRequest, event: Event) -> HttpResponse:
    stream = event_stream(event.pk)
    # The head before the grid is read: anything published after it reaches the page's socket.
    head = stream_heads(streams=[stream])[stream]
    context = {**_grid_context(request, event), "stream": stream, "stream_head": head}
    return _page(request, "agenda/agenda.html", context, tab="grid")


@event_page()
def agenda_grid(request: HttpRequest, event: Event) -> HttpResponse:
    """The grid and pending changes as a fragment (the live page swaps it in after a publish)."""
    return render(request, "agenda/_grid.html", _grid_context(request, event))


def _back_to_grid(request: HttpRequest, event: Event, day: date, *, notice: str = "", error: str = "") -> HttpResponse:
    """After a grid action: htmx gets the fresh grid fragment (with the notice or error in it);
    a plain form post is redirected to the grid page of that day."""
    if request.htmx:  # type: ignore[attr-defined]
        context = {**_grid_context(request, event, day), "notice": notice, "grid_error": error}
        return render(request, "agenda/_grid.html", context)
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return HttpResponseRedirect(_url("agenda", event) + f"?day={day.isoformat()}")


@require_POST
@event_page(EDIT)
def agenda_publish(request: HttpRequest, event: Event) -> HttpResponse:
    form = PublishForm(request.POST)
    day = _day_from_post(request, event)
    if not form.is_valid():
        return _back_to_grid(
            request, event, day, error=" ".join(message for messages in form.errors.values() for message in messages)
        )
    try:
        version = schedule_services.schedule_publish(
            actor=request.user, event=event, comment=form.cleaned_data["comment"]
        )
    except errors.Invalid as error:
        return _back_to_grid(request, event, day, error=error_text(error))
    return _back_to_grid(request, event, day, notice=f"Version {version.number} published.")


def _day_from_post(request: HttpRequest, event: Event) -> date:
    days = event_days(event)
    try:
        chosen = date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        return _chosen_day(request, event, days)
    return chosen if chosen in days else _chosen_day(request, event, days)


# --- versions ------------------------------------------------------------------------------


@event_page()
def versions(request: HttpRequest, event: Event) -> HttpResponse:
    items = [
        (version, change_rows(version.changes))
        for version in ScheduleVersion.objects.filter(event=event).select_related("published_by").order_by("-number")
    ]
    return _page(request, "agenda/versions.html", {"versions": items}, tab="versions")


@event_page()
def version_detail(request: HttpRequest, event: Event, version: int) -> HttpResponse:
    found = get_object_or_404(ScheduleVersion.objects.select_related("published_by"), event=event, number=version)
    return _page(
        request,
        "agenda/versions.html",
        {"versions": [(found, change_rows(found.changes))], "single": True},
        tab="versions",
    )


# --- sessions ------------------------------------------------------------------------------


def _session(event: Event, session_id: int) -> Session:
    return get_object_or_404(Session.objects.select_related("event", "room", "track"), event=event, pk=session_id)


def _session_day(session: Session) -> date:
    return session.start.astimezone(session.event.tz).date()


def _prefill(request: HttpRequest, event: Event) -> dict[str, Any]:
    """``?room=<id>&start=<YYYY-MM-DDTHH:MM>`` from the grid's "add" links."""
    initial: dict[str, Any] = {}
    room = request.GET.get("room", "")
    if room.isdigit() and Room.objects.filter(event=event, pk=room).exists():
        initial["room"] = int(room)
    try:
        start = datetime.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        return initial
    initial["start"], initial["end"] = start, start + timedelta(minutes=45)
    return initial


@event_page(EDIT)
def session_create(request: HttpRequest, event: Event) -> HttpResponse:
    form = SessionForm(request.POST or None, event=event, initial=_prefill(request, event))
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(actor=request.user, event=event, **form.service_fields())
        except errors.Invalid as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"“{session.title}” added to the draft. Publish to show it to attendees.")
            return HttpResponseRedirect(_url("agenda", event) + f"?day={_session_day(session).isoformat()}")
    return _page(request, "agenda/session_form.html", {"form": form}, tab="grid")


@event_page(EDIT)
def session_edit(request: HttpRequest, event: Event, session_id: int) -> HttpResponse:
    session = _session(event, session_id)
    form = SessionForm(request.POST or None, event=event, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_update(actor=request.user, session=session, **form.service_fields())
        except errors.Invalid as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"“{session.title}” saved to the draft.")
            return HttpResponseRedirect(_url("agenda", event) + f"?day={_session_day(session).isoformat()}")
    published = PublishedSession.objects.filter(pk=session.pk).select_related("room").first()
    context = {
        "form": form,
        "session": session,
        "published": published,
        "delay_form": DelayForm(),
        "day": _session_day(session),
    }
    return _page(request, "agenda/session_form.html", context, tab="grid")


@event_page(EDIT)
def session_move(request: HttpRequest, event: Event, session_id: int) -> HttpResponse:
    session = _session(event, session_id)
    form = MoveForm(request.POST or None, event=event, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_update(actor=request.user, session=session, **form.service_fields())
        except errors.Invalid as error:
            apply_service_errors(form, error)
        else:
            room = session.room.name if session.room else "no room"
            messages.success(
                request, f"“{session.title}” moved to {room}, {session.start.astimezone(event.tz):%a %H:%M} (draft)."
            )
            return HttpResponseRedirect(_url("agenda", event) + f"?day={_session_day(session).isoformat()}")
    return _page(request, "agenda/session_move.html", {"form": form, "session": session}, tab="grid")


@require_POST
@event_page(EDIT)
def session_delay(request: HttpRequest, event: Event, session_id: int) -> HttpResponse:
    session = _session(event, session_id)
    day = _session_day(session)
    form = DelayForm(request.POST)
    if not form.is_valid():
        return _back_to_grid(request, event, day, error="Delay by 1 to 240 minutes.")
    minutes, cascade = form.cleaned_data["minutes"], form.cleaned_data["cascade"]
    try:
        shifted = services.session_delay(actor=request.user, session=session, minutes=minutes, cascade=cascade)
    except errors.Invalid as error:
        return _back_to_grid(request, event, day, error=f"Not delayed: {error_text(error)}")
    others = f" and {len(shifted) - 1} later session{'s' if len(shifted) != 2 else ''}" if len(shifted) > 1 else ""
    sign = "+" if minutes > 0 else "−"
    return _back_to_grid(
        request, event, day, notice=f"“{session.title}”{others} shifted {sign}{abs(minutes)} min (draft)."
    )


@require_POST
@event_page(EDIT)
def session_cancel(request: HttpRequest, event: Event, session_id: int) -> HttpResponse:
    session = _session(event, session_id)
    try:
        services.session_cancel(actor=request.user, session=session)
    except errors.Invalid as error:
        return _back_to_grid(request, event, _session_day(session), error=error_text(error))
    return _back_to_grid(request, event, _session_day(session), notice=f"“{session.title}” cancelled (draft).")


@require_POST
@event_page(EDIT)
def session_restore(request: HttpRequest, event: Event, session_id: int) -> HttpResponse:
    session = _session(event, session_id)
    try:
        services.session_restore(actor=request.user, session=session)
    except errors.Invalid as error:
        return _back_to_grid(request, event, _session_day(session), error=f"Not restored: {error_text(error)}")
    return _back_to_grid(request, event, _session_day(session), notice=f"“{session.title}” restored (draft).")


@require_POST
@event_page(EDIT)
def session_delete(request: HttpRequest, event: Event, session_id: int) -> HttpResponse:
    session = _session(event, session_id)
    day = _session_day(session)
    try:
        services.session_delete(actor=request.user, session=session)
    except errors.Invalid as error:
        return _back_to_grid(request, event, day, error=error_text(error))
    return _back_to_grid(request, event, day, notice=f"“{session.title}” deleted.")


# --- speakers, rooms, tracks -----------------------------------------------------------------


@event_page()
def speakers(request: HttpRequest, event: Event) -> HttpResponse:
    items = (
        Speaker.objects.filter(event=event)
        .select_related("user")
        .annotate(session_count=Count("sessions", distinct=True))
        .order_by("name", "id")
    )
    return _page(request, "agenda/speakers.html", {"speakers": items}, tab="speakers")


def _reference_form(
    request: HttpRequest,
    event: Event,
    *,
    form: Form,
    save: Any,
    obj: Any,
    kind: str,
    list_name: str,
    template: str,
    tab: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields() if hasattr(form, "service_fields") else dict(form.cleaned_data)
        try:
            saved = save(actor=request.user, event=event, **{kind: obj}, **fields)
        except errors.Invalid as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"{kind.title()} “{saved.name}” saved.")
            return HttpResponseRedirect(_url(list_name, event))
    return _page(request, template, {"form": form, "object": obj, "kind": kind, **(extra or {})}, tab=tab)


@event_page(EDIT)
def speaker_create(request: HttpRequest, event: Event) -> HttpResponse:
    form = SpeakerForm(request.POST or None)
    return _reference_form(
        request, event, form=form, save=services.speaker_save, obj=None, kind="speaker",
        list_name="agenda-speakers", template="agenda/reference_form.html", tab="speakers",
    )  # fmt: skip


@event_page(EDIT)
def speaker_edit(request: HttpRequest, event: Event, speaker_id: int) -> HttpResponse:
    speaker = get_object_or_404(Speaker.objects.select_related("user"), event=event, pk=speaker_id)
    form = SpeakerForm(request.POST or None, speaker=speaker)
    return _reference_form(
        request, event, form=form, save=services.speaker_save, obj=speaker, kind="speaker",
        list_name="agenda-speakers", template="agenda/reference_form.html", tab="speakers",
    )  # fmt: skip


def _counts_by(event: Event, column: str) -> dict[int, int]:
    """Draft sessions per room or track (their foreign keys have no reverse accessor)."""
    rows = Session.objects.filter(event=event).order_by().values(column).annotate(n=Count("id"))
    return {row[column]: row["n"] for row in rows if row[column] is not None}


@event_page()
def rooms(request: HttpRequest, event: Event) -> HttpResponse:
    counts = _counts_by(event, "room_id")
    items = [(room, counts.get(room.pk, 0)) for room in Room.objects.filter(event=event)]
    return _page(request, "agenda/rooms.html", {"rooms": items}, tab="rooms")


def _room_initial(room: Room) -> dict[str, Any]:
    return {name: getattr(room, name) for name in services.ROOM_FIELDS}


@event_page(EDIT)
def room_create(request: HttpRequest, event: Event) -> HttpResponse:
    form = RoomForm(request.POST or None, initial={"position": Room.objects.filter(event=event).count()})
    return _reference_form(
        request, event, form=form, save=services.room_save, obj=None, kind="room",
        list_name="agenda-rooms", template="agenda/reference_form.html", tab="rooms",
    )  # fmt: skip


@event_page(EDIT)
def room_edit(request: HttpRequest, event: Event, room_id: int) -> HttpResponse:
    room = get_object_or_404(Room, event=event, pk=room_id)
    form = RoomForm(request.POST or None, initial=_room_initial(room))
    return _reference_form(
        request, event, form=form, save=services.room_save, obj=room, kind="room",
        list_name="agenda-rooms", template="agenda/reference_form.html", tab="rooms",
    )  # fmt: skip


@require_POST
@event_page(EDIT)
def room_delete(request: HttpRequest, event: Event, room_id: int) -> HttpResponse:
    room = get_object_or_404(Room, event=event, pk=room_id)
    try:
        services.room_delete(actor=request.user, room=room)
    except errors.Invalid as error:
        messages.error(request, f"“{room.name}” not deleted: {error_text(error)}")
        return HttpResponseRedirect(_url("agenda-room-edit", event, room_id=room.pk))
    messages.success(request, f"Room “{room.name}” deleted.")
    return HttpResponseRedirect(_url("agenda-rooms", event))


@event_page()
def tracks(request: HttpRequest, event: Event) -> HttpResponse:
    counts = _counts_by(event, "track_id")
    items = [(track, counts.get(track.pk, 0)) for track in Track.objects.filter(event=event)]
    return _page(request, "agenda/tracks.html", {"tracks": items}, tab="tracks")


@event_page(EDIT)
def track_create(request: HttpRequest, event: Event) -> HttpResponse:
    form = TrackForm(request.POST or None, initial={"position": Track.objects.filter(event=event).count()})
    return _reference_form(
        request, event, form=form, save=services.track_save, obj=None, kind="track",
        list_name="agenda-tracks", template="agenda/reference_form.html", tab="tracks",
    )  # fmt: skip


@event_page(EDIT)
def track_edit(request: HttpRequest, event: Event, track_id: int) -> HttpResponse:
    track = get_object_or_404(Track, event=event, pk=track_id)
    form = TrackForm(request.POST or None, initial={name: getattr(track, name) for name in services.TRACK_FIELDS})
    return _reference_form(
        request, event, form=form, save=services.track_save, obj=track, kind="track",
        list_name="agenda-tracks", template="agenda/reference_form.html", tab="tracks",
    )  # fmt: skip


# --- announcements ---------------------------------------------------------------------------


@event_page()
def announcements(request: HttpRequest, event: Event) -> HttpResponse:
    if request.method == "POST":
        _require_edit(request, event)
    form = AnnouncementForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.announcement_post(actor=request.user, event=event, **form.cleaned_data)
        except errors.Invalid as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Announcement posted.")
            return HttpResponseRedirect(_url("agenda-announcements", event))
    items = Announcement.objects.filter(event=event).select_related("author", "track", "session")[:100]
    return _page(request, "agenda/announcements.html", {"form": form, "announcements": items}, tab="announcements")


# --- door displays ---------------------------------------------------------------------------


@event_page()
def display_links(request: HttpRequest, event: Event) -> HttpResponse:
    if request.method == "POST":
        _require_edit(request, event)
    form = DisplayLinkForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            link = displays.display_link_create(actor=request.user, event=event, **form.cleaned_data)
        except errors.Invalid as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Display link “{link.name}” created.")
            return HttpResponseRedirect(_url("agenda-displays", event))
    links = [
        (link, request.build_absolute_uri(reverse("displays:page", kwargs={"token": link.token})))
        for link in DisplayLink.objects.filter(event=event).select_related("room").order_by("revoked_at", "name")
    ]
    return _page(request, "agenda/displays.html", {"form": form, "links": links}, tab="displays")


@require_POST
@event_page(EDIT)
def display_link_revoke(request: HttpRequest, event: Event, display_id: int) -> HttpResponse:
    link = get_object_or_404(DisplayLink.objects.select_related("event"), event=event, pk=display_id)
    displays.display_link_revoke(actor=request.user, link=link)
    messages.success(request, f"Display link “{link.name}” revoked: its screen goes blank.")
    return HttpResponseRedirect(_url("agenda-displays", event))


# Included by events/portal/urls.py under "<organization>/events/<event>/agenda/" (namespace portal).
urlpatterns = [
    path("", agenda, name="agenda"),
    path("grid", agenda_grid, name="agenda-grid"),
    path("publish", agenda_publish, name="agenda-publish"),
    path("versions/", versions, name="agenda-versions"),
    path("versions/<int:version>", version_detail, name="agenda-version"),
    path("sessions/new", session_create, name="agenda-session-create"),
    path("sessions/<int:session_id>/", session_edit, name="agenda-session"),
    path("sessions/<int:session_id>/move", session_move, name="agenda-session-move"),
    path("sessions/<int:session_id>/delay", session_delay, name="agenda-session-delay"),
    path("sessions/<int:session_id>/cancel", session_cancel, name="agenda-session-cancel"),
    path("sessions/<int:session_id>/restore", session_restore, name="agenda-session-restore"),
    path("sessions/<int:session_id>/delete", session_delete, name="agenda-session-delete"),
    path("speakers/", speakers, name="agenda-speakers"),
    path("speakers/new", speaker_create, name="agenda-speaker-create"),
    path("speakers/<int:speaker_id>/", speaker_edit, name="agenda-speaker"),
    path("rooms/", rooms, name="agenda-rooms"),
    path("rooms/new", room_create, name="agenda-room-create"),
    path("rooms/<int:room_id>/", room_edit, name="agenda-room-edit"),
    path("rooms/<int:room_id>/delete", room_delete, name="agenda-room-delete"),
    path("tracks/", tracks, name="agenda-tracks"),
    path("tracks/new", track_create, name="agenda-track-create"),
    path("tracks/<int:track_id>/", track_edit, name="agenda-track"),
    path("announcements/", announcements, name="agenda-announcements"),
    path("displays/", display_links, name="agenda-displays"),
    path("displays/<int:display_id>/revoke", display_link_revoke, name="agenda-display-revoke"),
]
