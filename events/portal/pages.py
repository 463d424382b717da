"""What the agenda pages of an event share: their URLs, their layout (the agenda tabs) and the
form-page base bound to the event. Every page is reached through ``access.event_page``, which
sets ``request.event``."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from eventhub.portal import FormT, ServiceFormView

from ..models import Event
from .access import PortalRequest

# Reads are for every member of the organization; writes need this (editor and up).
EDIT = "events.change_agenda"


def event_url(name: str, event: Event, **kwargs: Any) -> str:
    """The URL of portal page ``name`` of this event."""
    return reverse(f"portal:{name}", kwargs={"organization": event.organization.slug, "event": event.slug, **kwargs})


def agenda_page(request: PortalRequest, template: str, context: dict[str, Any], *, tab: str) -> HttpResponse:
    event = request.event
    context = {
        "event": event,
        "org": event.organization,
        "can_edit": request.user.has_perm(EDIT, event),
        "agenda_tab": tab,
        **context,
    }
    return render(request, template, context)


def require_edit(request: HttpRequest, event: Event) -> None:
    """For pages that members read and editors post to: a post without the right is a 404."""
    if not request.user.has_perm(EDIT, event):
        raise Http404


class AgendaFormView(ServiceFormView[FormT]):
    """A create/edit page of the agenda: routed under ``event_page``, which passes the event;
    rendered in the agenda layout on tab ``tab``. With ``editors_post``, members read the page and
    only editors may post its form."""

    request: PortalRequest
    tab: str
    editors_post = False

    def setup(self, event: Event, *args: Any, **kwargs: Any) -> None:
        self.event = event

    def dispatch(self) -> HttpResponse:
        if self.editors_post and self.request.method == "POST":
            require_edit(self.request, self.event)
        return super().dispatch()

    def render(self, context: dict[str, Any]) -> HttpResponse:
        return agenda_page(self.request, self.template_name, context, tab=self.tab)
