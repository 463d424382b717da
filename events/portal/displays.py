"""Door displays: the organizers' page of an event's display links (create, revoke), and the
door-display pages themselves, reached by a revocable bearer link (``/displays/<token>``, routed
by ``events/urls.py``), no login.

The door page renders the display's state server-side (published agenda only) and its script keeps it
current: it reads ``event:<id>`` over the WebSocket (authenticating with the link, first frame
``{"op": "auth", "display": token}``) and re-fetches ``/displays/<token>/state`` on every agenda
or announcement entry, resuming with ``since`` after a drop. A revoked or unknown link is a 404."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from eventhub.realtime.selectors import stream_heads
from eventhub.realtime.streams import event_stream

from ..models import DisplayLink, Event
from ..selectors.displays import (
    display_link_access,
    display_link_scope,
    display_state,
    display_state_json,
    event_display_links,
)
from ..services import displays as services
from .access import PortalRequest, event_page
from .forms.displays import DisplayLinkForm
from .pages import EDIT, AgendaFormView, event_url

# --- the organizers' page --------------------------------------------------------------------


class DisplayLinks(AgendaFormView):
    """The event's display links with their URLs, and (for editors) the form that makes one."""

    form_class = DisplayLinkForm
    template_name = "agenda/displays.html"
    tab = "displays"

    editors_post = True

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"event": self.event}

    def save(self, form: DisplayLinkForm) -> DisplayLink:
        return services.display_link_create(actor=self.request.user, event=self.event, **form.cleaned_data)

    def success_message(self, link: DisplayLink) -> str:
        return f"Display link “{link.name}” created."

    def success_url(self, link: DisplayLink) -> str:
        return event_url("agenda-displays", self.event)

    def get_context(self, form: DisplayLinkForm) -> dict[str, Any]:
        links = [
            (link, self.request.build_absolute_uri(reverse("displays:page", kwargs={"token": link.token})))
            for link in event_display_links(event=self.event)
        ]
        return {"form": form, "links": links}


display_links = event_page()(DisplayLinks.as_view())


@require_POST
@event_page(EDIT)
def display_link_revoke(request: PortalRequest, event: Event, display_id: int) -> HttpResponse:
    link = display_link_access(user=request.user, event=event, display_id=display_id)
    services.display_link_revoke(actor=request.user, link=link)
    messages.success(request, f"Display link “{link.name}” revoked: its screen goes blank.")
    return HttpResponseRedirect(event_url("agenda-displays", event))


# --- the door pages (bearer link) -------------------------------------------------------------


def _state(request: HttpRequest, token: str) -> tuple[DisplayLink, dict, int]:
    """The link, its state and the event stream's head read before the state (so that every
    later change reaches the page's socket), inside the link's event scope. An unknown or revoked
    token is a 404 (``errors.NotFound``)."""
    with display_link_scope(token=token) as link:
        stream = event_stream(link.event.pk)
        head = stream_heads(streams=[stream])[stream]
        return link, display_state(link=link), head


@never_cache
@require_GET
def display_page(request: HttpRequest, token: str) -> HttpResponse:
    link, state, head = _state(request, token)
    context = {"link": link, "state": state, "stream": event_stream(link.event.pk), "head": head, "token": token}
    response = render(request, "agenda/display.html", context)
    # The link is the credential: never leak it to other sites through the Referer.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_GET
def display_state_view(request: HttpRequest, token: str) -> JsonResponse:
    link, state, head = _state(request, token)
    html = render_to_string("agenda/_display_state.html", {"state": state, "link": link}, request=request)
    return JsonResponse({**display_state_json(state), "head": head, "html": html})
