"""Access to portal pages: every organizer page resolves its organization (and event) from the
URL through these decorators, so a page of another tenant — or one the user may not see — is a
404 identical to a missing one. The same holds inside the page: a ``NotFound`` or
``PermissionDenied`` domain error (an ``*_access`` selector, a service's permission check) that
the view does not handle itself is that 404 too."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse

from eventhub.errors import DomainError, NotFound, PermissionDenied
from events.selectors import event_get_for_member, organization_get_for_member

View = Callable[..., HttpResponse]


@contextmanager
def _not_found_as_404() -> Iterator[None]:
    try:
        yield
    except (NotFound, PermissionDenied):
        raise Http404 from None


def organization_page(permission: str = "events.view_organization") -> Callable[[View], View]:
    """``view(request, organization, **kwargs)``; the URL has an ``organization`` slug."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, organization: str, **kwargs: Any) -> HttpResponse:
            org = organization_get_for_member(user=request.user, slug=organization)
            if org is None or not request.user.has_perm(permission, org):
                raise Http404
            request.organization = org
            with _not_found_as_404():
                return view(request, org, **kwargs)

        return wrapper

    return decorator


def event_page(permission: str = "events.view_organization") -> Callable[[View], View]:
    """``view(request, event, **kwargs)``; the URL has ``organization`` and ``event`` slugs."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, organization: str, event: str, **kwargs: Any) -> HttpResponse:
            org = organization_get_for_member(user=request.user, slug=organization)
            found = event_get_for_member(user=request.user, organization=org, slug=event) if org else None
            if found is None or not request.user.has_perm(permission, found):
                raise Http404
            request.organization, request.event = org, found
            with _not_found_as_404():
                return view(request, found, **kwargs)

        return wrapper

    return decorator


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
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
