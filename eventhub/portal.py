"""Portal plumbing shared by every app's portal pages: the one shape of a create/edit page
(``ServiceFormView``), domain errors on forms and in messages, and the one place a domain error
that escapes a page becomes its HTTP answer (``DomainErrorMiddleware``)."""

import logging
from collections.abc import Callable
from functools import update_wrapper
from typing import Any, Generic, TypeVar, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.signals import got_request_exception
from django.db.models import QuerySet
from django.forms import BaseForm, Field, ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from eventhub import errors
from eventhub.errors import DomainError
from eventhub.views import branded_not_found, branded_server_error

logger = logging.getLogger("django.request")

T = TypeVar("T")
FormT = TypeVar("FormT", bound=BaseForm)

# Paths answered by the API's own exception handler (JSON), never by this module.
_API_PREFIXES = ("/api/", "/_allauth/")


def apply_service_errors(form: BaseForm, error: DomainError | ValidationError) -> None:
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


def attempt(call: Callable[[], T]) -> tuple[T | None, str | None]:
    """Run one service call of a page action (a button, not a form): ``(result, None)``, or
    ``(None, the refusal as one line)`` for the page to show. ``NotFound`` and
    ``PermissionDenied`` propagate: they are the page's own answer (a 404)."""
    try:
        return call(), None
    except (errors.NotFound, errors.PermissionDenied):
        raise
    except DomainError as error:
        return None, error_text(error)


def debug_page_allowed(request: HttpRequest) -> bool:
    """Django's debug pages (the URLconf, a traceback) are for staff only, and only with
    ``DEBUG``: everyone else — an attendee who opened a portal link — gets the branded page."""
    user = getattr(request, "user", None)
    return settings.DEBUG and bool(user is not None and user.is_authenticated and user.is_staff)


class DomainErrorMiddleware:
    """A ``NotFound`` or ``PermissionDenied`` that escapes a page view (an access helper's, or a
    service's permission check) is answered as ``Http404``: the same 404 page as a missing object
    — a page the user may not use is a 404 too, never a 403 that confirms it exists (DESIGN §2).
    Views handle the other domain errors themselves (on their forms). API paths are left to the
    API's exception handler.

    It also keeps Django's debug pages from anyone but staff when ``DEBUG`` is on (``make run``'s
    default): a 404 from a view or from the URL resolver, and an unhandled exception, are
    answered with the branded pages (``eventhub.views``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and settings.DEBUG
            and getattr(request, "resolver_match", None) is None  # the resolver's technical 404
            and not request.path.startswith(_API_PREFIXES)
            and not debug_page_allowed(request)
        ):
            return branded_not_found(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith(_API_PREFIXES):
            return None
        not_found = isinstance(exception, errors.NotFound | errors.PermissionDenied | Http404)
        if not settings.DEBUG or debug_page_allowed(request):
            if isinstance(exception, errors.NotFound | errors.PermissionDenied):
                raise Http404 from exception
            return None
        if not_found:
            return branded_not_found(request)
        if isinstance(exception, DomainError):
            return None  # the view's own business (none escape in practice)
        # What Django's handler would do with DEBUG off: log it, tell the signal, answer 500.
        logger.error("Internal Server Error: %s", request.path, exc_info=exception, extra={"status_code": 500})
        got_request_exception.send(sender=None, request=request)
        return branded_server_error(request)


class ServiceFormView(Generic[FormT]):
    """A create or edit page: GET (any method but POST) shows ``form_class``; a valid POST calls
    ``save(form)`` — one service call — and on success shows ``success_message(result)`` and
    redirects to ``success_url(result)``. A domain error from the service is shown on the form
    (``apply_service_errors``), except ``NotFound`` and ``PermissionDenied``: those are the page's
    own answer (a 404, through ``DomainErrorMiddleware``), as when the view itself finds the
    object missing or forbidden.

    Subclass it and route ``as_view()``, under the app's access decorator if it has one: the
    view's positional and keyword arguments (the URL's, or what a decorator passes, such as the
    event) land in ``self.args`` and ``self.kwargs``; override ``setup`` to name them."""

    form_class: type[FormT]
    template_name: str

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.args = args
        self.kwargs = kwargs
        self.setup(*args, **kwargs)

    @classmethod
    def as_view(cls) -> Callable[..., HttpResponse]:
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return cls(request, *args, **kwargs).dispatch()

        update_wrapper(view, cls, updated=())
        return view

    def setup(self, *args: Any, **kwargs: Any) -> None:
        """Name the view's arguments (``self.event = args[0]``); nothing by default."""

    def get_form_kwargs(self) -> dict[str, Any]:
        return {}

    def get_form(self) -> FormT:
        return self.form_class(self.request.POST or None, self.request.FILES or None, **self.get_form_kwargs())

    def save(self, form: Any) -> Any:
        """Call the service with the form's cleaned data; return what it made or changed."""
        raise NotImplementedError

    def success_message(self, result: Any) -> str:
        return ""

    def success_url(self, result: Any) -> str:
        raise NotImplementedError

    def get_context(self, form: FormT) -> dict[str, Any]:
        return {"form": form}

    def render(self, context: dict[str, Any]) -> HttpResponse:
        return render(self.request, self.template_name, context)

    def dispatch(self) -> HttpResponse:
        form = self.get_form()
        if self.request.method == "POST" and form.is_valid():
            try:
                result = self.save(form)
            except (errors.NotFound, errors.PermissionDenied):
                raise
            except DomainError as error:
                apply_service_errors(form, error)
            else:
                if message := self.success_message(result):
                    messages.success(self.request, message)
                return HttpResponseRedirect(self.success_url(result))
        return self.render(self.get_context(form))


def choices_from(field: Field, queryset: QuerySet[Any], *, label: Callable[[Any], str] | None = None) -> None:
    """Offer ``queryset`` (this event's rooms, gates, …) in a model choice field of one form
    instance, optionally labelled by ``label``."""
    choice_field = cast(ModelChoiceField, field)
    choice_field.queryset = queryset
    if choice_field.empty_label == "---------":  # Django's default reads as a glitch
        choice_field.empty_label = _("— none —")
    if label is not None:
        # Django's documented way to relabel one form's choices is to set this per instance.
        choice_field.label_from_instance = label  # type: ignore[assignment,method-assign]
