"""Door-display pages, reached by a revocable bearer link (``/displays/<token>``), no login.

The page renders the display's state server-side (published agenda only) and its script keeps it
current: it reads ``event:<id>`` over the WebSocket (authenticating with the link, first frame
``{"op": "auth", "display": token}``) and re-fetches ``/displays/<token>/state`` on every agenda
or announcement entry, resuming with ``since`` after a drop. A revoked or unknown link is a 404."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from eventhub.realtime.selectors import stream_heads
from eventhub.realtime.streams import event_stream

from ..models import DisplayLink
from ..selectors.displays import display_link_for_token, display_state, display_state_json
from ..tenancy import event_id_for_link_token, event_scope

app_name = "displays"


def _state(request: HttpRequest, token: str) -> tuple[DisplayLink, dict, int]:
    """The link, its state and the event stream's head read before the state (so that every
    later change reaches the page's socket), inside the link's event scope."""
    event_id = event_id_for_link_token(DisplayLink, token)
    if event_id is None:
        raise Http404
    with event_scope(event_id):
        link = display_link_for_token(token=token)
        if link is None:
            raise Http404
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


urlpatterns = [
    path("<str:token>", display_page, name="page"),
    path("<str:token>/state", display_state_view, name="state"),
]
