"""The organizer portal's agenda pages: session forms and the grid's session actions (delay,
cancel, restore, delete), speakers, rooms, tracks and announcements. Views validate, call one
service, render; the services check permissions again, find conflicts and write the audit
entries. The grid itself and publishing are ``schedule.py``, door displays ``displays.py``.

Reads are for every member of the organization; writes need ``events.change_agenda`` (editor+).
Another tenant's object is a 404 like a missing one (``event_page`` and the access helpers)."""

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from eventhub.portal import attempt

from ..models import Event, Session
from ..selectors.agenda import (
    draft_session_search,
    event_announcements,
    event_has_room,
    event_rooms,
    event_rooms_with_session_counts,
    event_speakers_with_session_counts,
    event_tracks,
    event_tracks_with_session_counts,
    room_access,
    session_access,
    session_published_copy,
    speaker_access,
    track_access,
)
from ..services import agenda as services
from .access import PortalRequest, event_page
from .forms.agenda import (
    AnnouncementForm,
    BulkForm,
    DelayForm,
    MoveForm,
    PlaceForm,
    RoomForm,
    SessionFilterForm,
    SessionForm,
    SpeakerForm,
    TrackForm,
)
from .grid import event_days
from .pages import EDIT, AgendaFormView, agenda_page, event_url, require_edit
from .schedule import back_to_grid

# --- sessions ------------------------------------------------------------------------------


def _session_day(session: Session) -> date:
    return session.start.astimezone(session.event.tz).date()


def _day_url(session: Session) -> str:
    return event_url("agenda", session.event) + f"?day={_session_day(session).isoformat()}"


def _prefill(request: HttpRequest, event: Event) -> dict[str, Any]:
    """``?room=<id>&start=<YYYY-MM-DDTHH:MM>`` from the grid's "add" links."""
    initial: dict[str, Any] = {}
    room = request.GET.get("room", "")
    if room.isdigit() and event_has_room(event=event, room_id=int(room)):
        initial["room"] = int(room)
    try:
        start = datetime.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        return initial
    initial["start"], initial["end"] = start, start + timedelta(minutes=45)
    return initial


class SessionCreate(AgendaFormView):
    form_class = SessionForm
    template_name = "agenda/session_form.html"
    tab = "grid"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"event": self.event, "initial": _prefill(self.request, self.event)}

    def save(self, form: SessionForm) -> Session:
        return services.session_create(actor=self.request.user, event=self.event, **form.service_fields())

    def success_message(self, session: Session) -> str:
        return f"“{session.title}” added to the draft. Publish to show it to attendees."

    def success_url(self, session: Session) -> str:
        return _day_url(session)


class SessionEdit(AgendaFormView):
    form_class = SessionForm
    template_name = "agenda/session_form.html"
    tab = "grid"

    def setup(self, event: Event, *, session_id: int) -> None:
        self.event = event
        self.session = session_access(user=self.request.user, event=event, session_id=session_id)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"event": self.event, "session": self.session}

    def save(self, form: SessionForm) -> Session:
        return services.session_update(actor=self.request.user, session=self.session, **form.service_fields())

    def success_message(self, session: Session) -> str:
        return f"“{session.title}” saved to the draft."

    def success_url(self, session: Session) -> str:
        return _day_url(session)

    def get_context(self, form: SessionForm) -> dict[str, Any]:
        return {
            "form": form,
            "session": self.session,
            "published": session_published_copy(session=self.session),
            "delay_form": DelayForm(),
            "day": _session_day(self.session),
        }


class SessionMove(SessionEdit):
    form_class = MoveForm  # type: ignore[assignment]  # the edit page's flow with the move form
    template_name = "agenda/session_move.html"

    def success_message(self, session: Session) -> str:
        room = session.room.name if session.room else "no room"
        return f"“{session.title}” moved to {room}, {session.start.astimezone(self.event.tz):%a %H:%M} (draft)."

    def get_context(self, form: SessionForm) -> dict[str, Any]:
        return {"form": form, "session": self.session}


session_create = event_page(EDIT)(SessionCreate.as_view())
session_edit = event_page(EDIT)(SessionEdit.as_view())
session_move = event_page(EDIT)(SessionMove.as_view())


@require_POST
@event_page(EDIT)
def session_delay(request: PortalRequest, event: Event, session_id: int) -> HttpResponse:
    session = session_access(user=request.user, event=event, session_id=session_id)
    day = _session_day(session)
    form = DelayForm(request.POST)
    if not form.is_valid():
        return back_to_grid(request, event, day, error="Delay by 1 to 240 minutes.")
    minutes, cascade = form.cleaned_data["minutes"], form.cleaned_data["cascade"]
    shifted, refusal = attempt(
        lambda: services.session_delay(actor=request.user, session=session, minutes=minutes, cascade=cascade)
    )
    if shifted is None:
        return back_to_grid(request, event, day, error=f"Not delayed: {refusal}")
    others = f" and {len(shifted) - 1} later session{'s' if len(shifted) != 2 else ''}" if len(shifted) > 1 else ""
    sign = "+" if minutes > 0 else "−"
    return back_to_grid(
        request, event, day, notice=f"“{session.title}”{others} shifted {sign}{abs(minutes)} min (draft)."
    )


@require_POST
@event_page(EDIT)
def session_cancel(request: PortalRequest, event: Event, session_id: int) -> HttpResponse:
    session = session_access(user=request.user, event=event, session_id=session_id)
    _, refusal = attempt(lambda: services.session_cancel(actor=request.user, session=session))
    if refusal is not None:
        return back_to_grid(request, event, _session_day(session), error=refusal)
    return back_to_grid(request, event, _session_day(session), notice=f"“{session.title}” cancelled (draft).")


@require_POST
@event_page(EDIT)
def session_restore(request: PortalRequest, event: Event, session_id: int) -> HttpResponse:
    session = session_access(user=request.user, event=event, session_id=session_id)
    _, refusal = attempt(lambda: services.session_restore(actor=request.user, session=session))
    if refusal is not None:
        return back_to_grid(request, event, _session_day(session), error=f"Not restored: {refusal}")
    return back_to_grid(request, event, _session_day(session), notice=f"“{session.title}” restored (draft).")


@require_POST
@event_page(EDIT)
def session_delete(request: PortalRequest, event: Event, session_id: int) -> HttpResponse:
    session = session_access(user=request.user, event=event, session_id=session_id)
    day = _session_day(session)
    _, refusal = attempt(lambda: services.session_delete(actor=request.user, session=session))
    if refusal is not None:
        return back_to_grid(request, event, day, error=refusal)
    return back_to_grid(request, event, day, notice=f"“{session.title}” deleted.")


@require_POST
@event_page(EDIT)
def session_place(request: PortalRequest, event: Event, session_id: int) -> HttpResponse:
    """The schedule editor's drop, resize or keyboard move: the session's new room, start and
    end through ``session_update`` (the same conflict checks as the forms); a refusal comes back
    on the session's own block, which stays where it was."""
    session = session_access(user=request.user, event=event, session_id=session_id)
    form = PlaceForm(request.POST, event=event)
    if not form.is_valid():
        problems = [str(message) for field_messages in form.errors.values() for message in field_messages]
        return back_to_grid(request, event, _session_day(session), error=" ".join(problems), session_id=session.pk)
    data = form.cleaned_data
    placed, refusal = attempt(
        lambda: services.session_update(
            actor=request.user, session=session, room=data["room"], start=data["start"], end=data["end"]
        )
    )
    if placed is None:
        return back_to_grid(
            request, event, _session_day(session), error=_("Not moved: %s") % refusal, session_id=session.pk
        )
    room = placed.room.name if placed.room else _("no room")
    when = f"{placed.start.astimezone(event.tz):%a %H:%M}–{placed.end.astimezone(event.tz):%H:%M}"
    notice = _("“%(title)s” now %(when)s in %(room)s (draft).") % {"title": placed.title, "when": when, "room": room}
    return back_to_grid(request, event, _session_day(placed), notice=notice)


def _filters(request: HttpRequest, event: Event) -> tuple[SessionFilterForm, dict[str, Any]]:
    form = SessionFilterForm(request.GET or None, event=event, days=event_days(event))
    if not form.is_valid():
        return form, {}
    data = form.cleaned_data
    return form, {
        "query": data["q"].strip(),
        "day": data["day"],
        "room_id": data["room"].pk if data["room"] else None,
        "track_id": data["track"].pk if data["track"] else None,
        "status": data["status"],
        "unscheduled": data["unscheduled"],
    }


@event_page()
def sessions_list(request: PortalRequest, event: Event) -> HttpResponse:
    """Every draft session with search and filters; editors tick some and move or cancel them
    together (all or nothing)."""
    filter_form, filters = _filters(request, event)
    sessions = list(draft_session_search(event=event, **filters))
    bulk_form = BulkForm(session_ids=[s.pk for s in sessions])
    if request.method == "POST":
        require_edit(request, event)
        everyone = [s.pk for s in draft_session_search(event=event)]
        bulk_form = BulkForm(request.POST, session_ids=everyone)
        if bulk_form.is_valid():
            data = bulk_form.cleaned_data
            ids = data["sessions"]
            if data["action"] == "cancel":
                done, refusal = attempt(
                    lambda: services.sessions_bulk_cancel(actor=request.user, event=event, session_ids=ids)
                )
            else:
                done, refusal = attempt(
                    lambda: services.sessions_bulk_shift(
                        actor=request.user, event=event, session_ids=ids, minutes=data["minutes"]
                    )
                )
            if done is None:
                messages.error(request, _("Nothing changed: %s") % refusal)
            else:
                messages.success(
                    request,
                    ngettext("%(count)d session changed (draft).", "%(count)d sessions changed (draft).", len(done))
                    % {"count": len(done)},
                )
                return HttpResponseRedirect(request.get_full_path())
    context = {
        "sessions": sessions,
        "filter_form": filter_form,
        "bulk_form": bulk_form,
        "filtered": bool(filters) and any(filters.values()),
    }
    return agenda_page(request, "agenda/sessions.html", context, tab="sessions")


# --- speakers, rooms, tracks -----------------------------------------------------------------


class ReferenceEdit(AgendaFormView):
    """Create (no id in the URL) or edit a speaker, room or track: one service call
    (``service``), then back to the list."""

    template_name = "agenda/reference_form.html"
    service: Any  # staticmethod(services.<kind>_save)
    kind: str
    list_name: str
    obj: Any = None

    def save(self, form: Any) -> Any:
        fields = form.service_fields() if hasattr(form, "service_fields") else dict(form.cleaned_data)
        return self.service(actor=self.request.user, event=self.event, **{self.kind: self.obj}, **fields)

    def success_message(self, saved: Any) -> str:
        return f"{self.kind.title()} “{saved.name}” saved."

    def success_url(self, saved: Any) -> str:
        return event_url(self.list_name, self.event)

    def get_context(self, form: Any) -> dict[str, Any]:
        return {"form": form, "object": self.obj, "kind": self.kind}


class SpeakerEdit(ReferenceEdit):
    form_class = SpeakerForm
    service = staticmethod(services.speaker_save)
    kind, list_name, tab = "speaker", "agenda-speakers", "speakers"

    def setup(self, event: Event, *, speaker_id: int | None = None) -> None:
        self.event = event
        if speaker_id is not None:
            self.obj = speaker_access(user=self.request.user, event=event, speaker_id=speaker_id)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"speaker": self.obj}


class RoomEdit(ReferenceEdit):
    form_class = RoomForm
    service = staticmethod(services.room_save)
    kind, list_name, tab = "room", "agenda-rooms", "rooms"

    def setup(self, event: Event, *, room_id: int | None = None) -> None:
        self.event = event
        if room_id is not None:
            self.obj = room_access(user=self.request.user, event=event, room_id=room_id)

    def get_form_kwargs(self) -> dict[str, Any]:
        if self.obj is None:
            return {"initial": {"position": event_rooms(event=self.event).count()}}
        return {"initial": {name: getattr(self.obj, name) for name in services.ROOM_FIELDS}}


class TrackEdit(ReferenceEdit):
    form_class = TrackForm
    service = staticmethod(services.track_save)
    kind, list_name, tab = "track", "agenda-tracks", "tracks"

    def setup(self, event: Event, *, track_id: int | None = None) -> None:
        self.event = event
        if track_id is not None:
            self.obj = track_access(user=self.request.user, event=event, track_id=track_id)

    def get_form_kwargs(self) -> dict[str, Any]:
        if self.obj is None:
            return {"initial": {"position": event_tracks(event=self.event).count()}}
        return {"initial": {name: getattr(self.obj, name) for name in services.TRACK_FIELDS}}


# Each routed twice: without an id (create) and with one (edit).
speaker_form = event_page(EDIT)(SpeakerEdit.as_view())
room_form = event_page(EDIT)(RoomEdit.as_view())
track_form = event_page(EDIT)(TrackEdit.as_view())


@event_page()
def speakers(request: PortalRequest, event: Event) -> HttpResponse:
    items = event_speakers_with_session_counts(event=event)
    return agenda_page(request, "agenda/speakers.html", {"speakers": items}, tab="speakers")


@event_page()
def rooms(request: PortalRequest, event: Event) -> HttpResponse:
    items = event_rooms_with_session_counts(event=event)
    return agenda_page(request, "agenda/rooms.html", {"rooms": items}, tab="rooms")


@require_POST
@event_page(EDIT)
def room_delete(request: PortalRequest, event: Event, room_id: int) -> HttpResponse:
    room = room_access(user=request.user, event=event, room_id=room_id)
    _, refusal = attempt(lambda: services.room_delete(actor=request.user, room=room))
    if refusal is not None:
        messages.error(request, f"“{room.name}” not deleted: {refusal}")
        return HttpResponseRedirect(event_url("agenda-room-edit", event, room_id=room.pk))
    messages.success(request, f"Room “{room.name}” deleted.")
    return HttpResponseRedirect(event_url("agenda-rooms", event))


@event_page()
def tracks(request: PortalRequest, event: Event) -> HttpResponse:
    items = event_tracks_with_session_counts(event=event)
    return agenda_page(request, "agenda/tracks.html", {"tracks": items}, tab="tracks")


# --- announcements ---------------------------------------------------------------------------


class Announcements(AgendaFormView):
    """The event's announcements, and (for editors) the form that posts one."""

    form_class = AnnouncementForm
    template_name = "agenda/announcements.html"
    tab = "announcements"

    editors_post = True

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"event": self.event}

    def save(self, form: AnnouncementForm) -> Any:
        return services.announcement_post(actor=self.request.user, event=self.event, **form.cleaned_data)

    def success_message(self, announcement: Any) -> str:
        return "Announcement posted."

    def success_url(self, announcement: Any) -> str:
        return event_url("agenda-announcements", self.event)

    def get_context(self, form: AnnouncementForm) -> dict[str, Any]:
        return {"form": form, "announcements": event_announcements(event=self.event)}


announcements = event_page()(Announcements.as_view())
