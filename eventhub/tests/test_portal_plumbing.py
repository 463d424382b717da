"""The portal's plumbing (eventhub/portal.py): the form-page base, page actions, and domain
errors — a NotFound or PermissionDenied that escapes a page is Django's 404, the API's
paths are left to its exception handler, and an error reads as one line in a message."""

from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from eventhub import errors
from eventhub.portal import DomainErrorMiddleware, ServiceFormView, attempt, error_text


def _middleware() -> DomainErrorMiddleware:
    return DomainErrorMiddleware(lambda request: HttpResponse())


@pytest.mark.parametrize("error", [errors.NotFound(), errors.PermissionDenied()], ids=["not-found", "denied"])
def test_a_page_error_escaping_a_portal_view_is_the_404_of_a_missing_page(error):
    request = RequestFactory().get("/portal/acme/events/conf/agenda/sessions/1/")

    with pytest.raises(Http404):
        _middleware().process_exception(request, error)


@pytest.mark.parametrize("path", ["/api/v1/events/1/sessions/2", "/_allauth/app/v1/auth/session"])
def test_api_paths_are_left_to_the_api_exception_handler(path):
    assert _middleware().process_exception(RequestFactory().get(path), errors.NotFound()) is None


@pytest.mark.parametrize("error", [errors.Invalid("No."), errors.Conflict(), ValueError("a bug")])
def test_other_errors_pass_through_unchanged(error):
    """Forms show the other domain errors themselves; anything else stays a server error."""
    assert _middleware().process_exception(RequestFactory().post("/portal/"), error) is None


def test_error_text_joins_every_field_message_in_order_or_gives_the_detail():
    both = errors.Invalid(fields={"room": ["Hall A is booked."], "speakers": ["Ada speaks elsewhere.", "So does Bo."]})

    assert error_text(both) == "Hall A is booked. Ada speaks elsewhere. So does Bo."
    assert error_text(errors.Invalid("There are no unpublished changes.")) == "There are no unpublished changes."


# --- the form-page base -------------------------------------------------------------------------


class NameForm(forms.Form):
    name = forms.CharField(max_length=20)
    colour = forms.CharField(required=False)


class RenameView(ServiceFormView):
    """A page as an app writes one: the service is a stand-in that records its calls."""

    form_class = NameForm
    template_name = "unused.html"
    refusal: Exception | None = None

    def setup(self, thing: dict[str, Any]) -> None:
        self.thing = thing

    def save(self, form: NameForm) -> dict[str, Any]:
        if self.refusal is not None:
            raise self.refusal
        self.thing["name"] = form.cleaned_data["name"]
        return self.thing

    def success_message(self, thing: dict[str, Any]) -> str:
        return f"Renamed to {thing['name']}."

    def success_url(self, thing: dict[str, Any]) -> str:
        return f"/things/{thing['name']}"

    def render(self, context: dict[str, Any]) -> HttpResponse:
        response = HttpResponse("form page")
        response.context = context  # type: ignore[attr-defined]
        return response


def _request(method: str = "get", data: dict[str, str] | None = None) -> Any:
    request = getattr(RequestFactory(), method)("/portal/things/1/", data or {})
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _view(refusal: Exception | None = None) -> Any:
    return type("Refusing", (RenameView,), {"refusal": refusal}).as_view()


def test_get_shows_the_unbound_form_and_changes_nothing():
    thing = {"name": "old"}

    response = _view()(_request(), thing)

    assert response.content == b"form page"
    assert response.context["form"].is_bound is False
    assert thing == {"name": "old"}


def test_a_valid_post_calls_the_service_once_then_says_so_and_redirects():
    thing = {"name": "old"}
    request = _request("post", {"name": "new"})

    response = _view()(request, thing)

    assert (response.status_code, response["Location"]) == (302, "/things/new")
    assert thing == {"name": "new"}
    assert [str(message) for message in get_messages(request)] == ["Renamed to new."]


def test_an_invalid_form_never_reaches_the_service():
    thing = {"name": "old"}

    response = _view()(_request("post", {"name": "x" * 21}), thing)

    assert response.context["form"].errors == {"name": ["Ensure this value has at most 20 characters (it has 21)."]}
    assert thing == {"name": "old"}


@pytest.mark.parametrize(
    ("refusal", "form_errors"),
    [
        (
            errors.Invalid(fields={"name": "Taken.", "elsewhere": "Not on this form."}),
            {"name": ["Taken."], "__all__": ["Not on this form."]},
        ),
        (errors.Conflict("Someone else renamed it meanwhile."), {"__all__": ["Someone else renamed it meanwhile."]}),
    ],
    ids=["invalid", "conflict"],
)
def test_a_refusal_from_the_service_lands_on_the_form_without_a_message(refusal, form_errors):
    request = _request("post", {"name": "new"})

    response = _view(refusal)(request, {"name": "old"})

    assert response.status_code == 200
    assert response.context["form"].errors == form_errors
    assert list(get_messages(request)) == []


@pytest.mark.parametrize("refusal", [errors.NotFound(), errors.PermissionDenied()], ids=["not-found", "denied"])
def test_not_found_and_permission_denied_are_the_pages_own_answer(refusal):
    with pytest.raises(type(refusal)):
        _view(refusal)(_request("post", {"name": "new"}), {"name": "old"})


def test_as_view_names_the_view_after_its_class():
    assert RenameView.as_view().__name__ == "RenameView"


# --- page actions -------------------------------------------------------------------------------


def _raise(error: Exception) -> None:
    raise error


def test_attempt_gives_the_result_or_the_refusal_as_one_line():
    assert attempt(lambda: 42) == (42, None)
    assert attempt(lambda: _raise(errors.Invalid(fields={"room": ["Hall A is booked."]}))) == (
        None,
        "Hall A is booked.",
    )
    with pytest.raises(errors.NotFound):
        attempt(lambda: _raise(errors.NotFound()))
