"""The portal's plumbing for domain errors (eventhub/portal.py): a NotFound or PermissionDenied
that escapes a page is Django's 404 or 403, the API's paths are left to its exception handler,
and an error reads as one line in a message."""

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from eventhub import errors
from eventhub.portal import DomainErrorMiddleware, error_text


def _middleware() -> DomainErrorMiddleware:
    return DomainErrorMiddleware(lambda request: HttpResponse())


@pytest.mark.parametrize(
    ("error", "answer"),
    [(errors.NotFound(), Http404), (errors.PermissionDenied(), DjangoPermissionDenied)],
    ids=["not-found", "permission-denied"],
)
def test_a_page_error_escaping_a_portal_view_is_djangos_own(error, answer):
    request = RequestFactory().get("/portal/acme/events/conf/agenda/sessions/1/")

    with pytest.raises(answer):
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
