"""The schedule pages of an event: the grid of the draft (one day, one column per room) with the
pending changes and the publish form, the grid fragment the live page swaps in, publishing, and
the versions changelog. The grid's layout is ``grid.py``."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from eventhub.portal import attempt
from eventhub.realtime.selectors import stream_heads
from eventhub.realtime.streams import event_stream

from ..models import Event
from ..selectors.agenda import event_rooms
from ..selectors.schedule import (
    agenda_problems,
    schedule_draft_sessions,
    schedule_latest_version,
    schedule_pending_changes,
    schedule_version_access,
    schedule_versions,
)
from ..services.schedule import schedule_discard_draft, schedule_publish
from .access import PortalRequest, event_page
from .forms.schedule import PublishForm
from .grid import event_days, grid_layout
from .pages import EDIT, agenda_page, event_url


def _chosen_day(request: HttpRequest, event: Event, days: list[date]) -> date:
    try:
        chosen = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        chosen = None
    if chosen in days:
        return chosen
    today = timezone.now().astimezone(event.tz).date()
    return today if today in days else days[0]


def _day_from_post(request: HttpRequest, event: Event) -> date:
    days = event_days(event)
    try:
        chosen = date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        return _chosen_day(request, event, days)
    return chosen if chosen in days else _chosen_day(request, event, days)


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
    day_start = datetime.combine(day, time.min, tzinfo=event.tz)
    sessions = schedule_draft_sessions(event=event, start=day_start, end=day_start + timedelta(days=1))
    rooms = list(event_rooms(event=event))
    problems = agenda_problems(event=event)
    can_edit = request.user.has_perm(EDIT, event)
    return {
        "problems": problems,
        "conflicted": {problem.session.pk for problem in problems},
        "grid": grid_layout(
            event=event, day=day, rooms=rooms, sessions=sessions, pending=pending, tray=can_edit and bool(rooms)
        ),
        "days": days,
        "day": day,
        "pending": change_rows(changes),
        "publish_form": PublishForm(),
        "latest_version": schedule_latest_version(event=event),
        "grid_url": event_url("agenda-grid", event) + f"?day={day.isoformat()}",
        "event": event,
        "org": event.organization,
        "can_edit": can_edit,
    }


@event_page()
def agenda(request: PortalRequest, event: Event) -> HttpResponse:
    stream = event_stream(event.pk)
    # The head before the grid is read: anything published after it reaches the page's socket.
    head = stream_heads(streams=[stream])[stream]
    context = {**_grid_context(request, event), "stream": stream, "stream_head": head}
    return agenda_page(request, "agenda/agenda.html", context, tab="grid")


@event_page()
def agenda_grid(request: PortalRequest, event: Event) -> HttpResponse:
    """The grid and pending changes as a fragment (the live page swaps it in after a publish)."""
    return render(request, "agenda/_grid.html", _grid_context(request, event))


def back_to_grid(
    request: PortalRequest,
    event: Event,
    day: date,
    *,
    notice: str = "",
    error: str = "",
    session_id: int | None = None,
) -> HttpResponse:
    """After a grid action: htmx gets the fresh grid fragment (with the notice or error in it,
    the error also on the block of ``session_id``); a plain form post is redirected to the grid
    page of that day."""
    if request.htmx:
        context = {
            **_grid_context(request, event, day),
            "notice": notice,
            "grid_error": error,
            "error_session": session_id if error else None,
        }
        return render(request, "agenda/_grid.html", context)
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return HttpResponseRedirect(event_url("agenda", event) + f"?day={day.isoformat()}")


@require_POST
@event_page(EDIT)
def agenda_publish(request: PortalRequest, event: Event) -> HttpResponse:
    form = PublishForm(request.POST)
    day = _day_from_post(request, event)
    if not form.is_valid():
        problems = [message for field_messages in form.errors.values() for message in field_messages]
        return back_to_grid(request, event, day, error=" ".join(problems))  # type: ignore[arg-type]  # an ErrorList yields str
    version, refusal = attempt(
        lambda: schedule_publish(actor=request.user, event=event, comment=form.cleaned_data["comment"])
    )
    if version is None:
        return back_to_grid(request, event, day, error=refusal or "")
    return back_to_grid(request, event, day, notice=f"Version {version.number} published.")


@require_POST
@event_page(EDIT)
def agenda_discard(request: PortalRequest, event: Event) -> HttpResponse:
    """Throw the draft's unpublished changes away (the page asks first)."""
    day = _day_from_post(request, event)
    count, refusal = attempt(lambda: schedule_discard_draft(actor=request.user, event=event))
    if count is None:
        return back_to_grid(request, event, day, error=refusal or "")
    notice = ngettext(
        "%(count)d unpublished change discarded: the draft is the published agenda again.",
        "%(count)d unpublished changes discarded: the draft is the published agenda again.",
        count,
    ) % {"count": count}
    return back_to_grid(request, event, day, notice=notice)


@event_page()
def versions(request: PortalRequest, event: Event) -> HttpResponse:
    items = [(version, change_rows(version.changes)) for version in schedule_versions(event=event)]
    return agenda_page(request, "agenda/versions.html", {"versions": items}, tab="versions")


@event_page()
def version_detail(request: PortalRequest, event: Event, version: int) -> HttpResponse:
    found = schedule_version_access(
        user=request.user, event=event, number=version, permission="events.view_organization"
    )
    context = {"versions": [(found, change_rows(found.changes))], "single": True}
    return agenda_page(request, "agenda/versions.html", context, tab="versions")
