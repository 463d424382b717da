"""Access to portal pages: every organizer page resolves its organization (and event) from the
URL through these decorators, so a page of another tenant — or one the user may not see, or
lacks the permission for — is a 404 identical to a missing one (the access helpers raise
``errors.NotFound``; ``eventhub.portal.DomainErrorMiddleware`` answers it, and a
``NotFound`` or ``PermissionDenied`` that the view leaves unhandled, as Django's 404)."""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from ..selectors.organizations import event_access, organization_access

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from accounts.models import User

    from ..models import Event, Organization

    class SignedInRequest(HttpRequest):
        """A portal page's request (``login_required``): a user, never anonymous."""

        user: User
        htmx: HtmxDetails  # django-htmx's middleware

    class OrganizationRequest(SignedInRequest):
        """The request of an ``organization_page``."""

        organization: Organization

    class PortalRequest(OrganizationRequest):
        """The request of an ``event_page``: its organization and event are set."""

        event: Event

else:
    SignedInRequest = OrganizationRequest = PortalRequest = HttpRequest

View = Callable[..., HttpResponseBase]  # pages and streamed downloads


def organization_page(permission: str = "events.view_organization") -> Callable[[View], View]:
    """``view(request, organization, **kwargs)``; the URL has an ``organization`` slug."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: OrganizationRequest, organization: str, **kwargs: Any) -> HttpResponseBase:
            org = organization_access(user=request.user, slug=organization, permission=permission)
            request.organization = org
            return view(request, org, **kwargs)

        return wrapper

    return decorator


def event_page(permission: str = "events.view_organization") -> Callable[[View], View]:
    """``view(request, event, **kwargs)``; the URL has ``organization`` and ``event`` slugs."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: PortalRequest, organization: str, event: str, **kwargs: Any) -> HttpResponseBase:
            org = organization_access(user=request.user, slug=organization)
            found = event_access(user=request.user, organization=org, slug=event, permission=permission)
            request.organization, request.event = org, found
            return view(request, found, **kwargs)

        return wrapper

    return decorator
