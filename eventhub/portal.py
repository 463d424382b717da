"""Portal plumbing shared by every app's portal pages: domain errors on forms and in messages,
and the one place a domain error that escapes a page becomes its HTTP answer."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse

from eventhub import errors
from eventhub.errors import DomainError

# Paths answered by the API's own exception handler (JSON), never by this module.
_API_PREFIXES = ("/api/", "/_allauth/")


def apply_service_errors(form: Form, error: DomainError | ValidationError) -> None:
    """Show a service's domain error on the form: field errors on their fields (or on the form
    when the form has no such field), the detail as the form's own error."""
    if isinstance(error, DomainError):
        if error.fields:
            for field, messages in error.fields.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            form.add_error(None, error.detail)
        return
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


def error_text(error: DomainError) -> str:
    """A domain error as one line for a message or a notice: every field's messages in order,
    or the detail when it names no field."""
    messages = [message for field_messages in error.fields.values() for message in field_messages]
    return " ".join(messages) if messages else error.detail


class DomainErrorMiddleware:
    """A ``NotFound`` or ``PermissionDenied`` that escapes a page view (an access helper's, or a
    service's) is answered as Django answers ``Http404`` and its ``PermissionDenied``: the same
    404 page as a missing object, the same 403. Views handle the other domain errors themselves
    (on their forms). API paths are left to the API's exception handler."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith(_API_PREFIXES):
            return None
        if isinstance(exception, errors.NotFound):
            raise Http404 from exception
        if isinstance(exception, errors.PermissionDenied):
            raise DjangoPermissionDenied from exception
        return None
