"""The go-live checklist of an event: what is missing before attendees can see it, buy and get
in. Events asks its own concerns here (the event's state, rooms, sessions, the published
agenda and its conflicts); the apps built on events add theirs through
``eventhub.checklist.register_checks`` (ticketing: ticket types, payments, gates, check-in),
so this module imports none of them."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from eventhub.checklist import Check, registered_checks

from ..enums import EventStatus, EventVisibility
from ..models import DisplayLink, Event, Room, Session
from .schedule import agenda_problems, schedule_latest_version, schedule_pending_changes

AREAS = ("event", "agenda", "tickets", "checkin")


@dataclass(frozen=True)
class Checklist:
    checks: list[Check]
    live: bool
    """Attendees can see the event (it is no longer a draft)."""
    displays: list[DisplayLink] = field(default_factory=list)

    @property
    def missing(self) -> list[Check]:
        return [check for check in self.checks if not check.done and check.blocking]

    @property
    def advice(self) -> list[Check]:
        return [check for check in self.checks if not check.done and not check.blocking]

    @property
    def done_count(self) -> int:
        return sum(1 for check in self.checks if check.done)

    def in_area(self, area: str) -> list[Check]:
        return [check for check in self.checks if check.area == area]


def events_checks(event: Event) -> list[Check]:
    rooms = Room.objects.filter(event=event).count()
    sessions = Session.objects.filter(event=event).count()
    version = schedule_latest_version(event=event)
    pending = len(schedule_pending_changes(event=event)) if sessions else 0
    problems = len(agenda_problems(event=event)) if sessions else 0
    checks = [
        Check(
            key="agenda.rooms",
            area="agenda",
            title=_("Rooms"),
            done=rooms > 0,
            detail=ngettext("%(count)d room.", "%(count)d rooms.", rooms) % {"count": rooms}
            if rooms
            else _("The schedule is laid out by room: add the first one."),
            fix_route="portal:agenda-room-create",
            fix_label=_("Add a room"),
        ),
        Check(
            key="agenda.sessions",
            area="agenda",
            title=_("Sessions"),
            done=sessions > 0,
            detail=ngettext("%(count)d session.", "%(count)d sessions.", sessions) % {"count": sessions}
            if sessions
            else _("Nothing is scheduled yet."),
            fix_route="portal:agenda-session-create",
            fix_label=_("Add a session"),
        ),
        Check(
            key="agenda.conflicts",
            area="agenda",
            title=_("No conflicts in the draft"),
            done=problems == 0,
            detail=ngettext("%(count)d conflict blocks publishing.", "%(count)d conflicts block publishing.", problems)
            % {"count": problems}
            if problems
            else "",
            fix_route="portal:agenda",
            fix_label=_("Fix in the schedule"),
        ),
        Check(
            key="agenda.published",
            area="agenda",
            title=_("Agenda published"),
            done=version is not None and pending == 0,
            detail=(
                ngettext(
                    "Version %(version)d is out; %(count)d change is not published yet.",
                    "Version %(version)d is out; %(count)d changes are not published yet.",
                    pending,
                )
                % {"version": version.number, "count": pending}
                if version is not None and pending
                else _("Version %(version)d is out.") % {"version": version.number}
                if version is not None
                else _("Attendees see no agenda until you publish one.")
            ),
            fix_route="portal:agenda",
            fix_label=_("Review and publish"),
        ),
        Check(
            key="event.published",
            area="event",
            title=_("Event published"),
            done=event.status != EventStatus.DRAFT,
            detail=_("It is a draft: only your team sees it.")
            if event.status == EventStatus.DRAFT
            else _("Attendees can see it (%(status)s).") % {"status": event.get_status_display()},
            fix_route="portal:event-edit",
            fix_label=_("Publish the event"),
        ),
    ]
    if event.visibility == EventVisibility.PRIVATE:
        checks.append(
            Check(
                key="event.visibility",
                area="event",
                title=_("Visible to attendees"),
                done=False,
                detail=_("It is private: only its participants find it."),
                fix_route="portal:event-edit",
                fix_label=_("Change the visibility"),
                blocking=False,
            )
        )
    return checks


def event_golive_checklist(*, event: Event) -> Checklist:
    """Every concern's checks of ``event`` (its own first, then each registered app's), and,
    once attendees can see it, its active door-display links. Call inside the event's scope."""
    checks = events_checks(event) + registered_checks(event)
    live = event.status != EventStatus.DRAFT
    displays = list(DisplayLink.objects.filter(event=event, revoked_at__isnull=True).order_by("name")) if live else []
    return Checklist(checks=checks, live=live, displays=displays)
