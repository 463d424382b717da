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
from django.http import Http404, HttpRequest, HttpResponse

from eventhub.errors import NotFound, PermissionDenied

from ..selectors.organizations import event_get_for_member, organization_get_for_member

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
