"""The request an authenticated API view receives, for the type checker only.

DRF types ``request.user`` as the user model or ``AnonymousUser``; behind ``IsAuthenticated`` (the
default permission) it is always the user model. Views annotate ``request: AuthenticatedRequest``
(and set ``request: AuthenticatedRequest`` on the class for ``self.request``); at runtime it is
DRF's ``Request`` itself. ``_User`` is django-stubs' placeholder that its mypy plugin resolves to
``settings.AUTH_USER_MODEL``, so the plumbing names no domain app.
"""

from typing import TYPE_CHECKING

from rest_framework.request import Request

if TYPE_CHECKING:
    from django.contrib.auth.models import _User

    class AuthenticatedRequest(Request):
        user: _User  # narrows DRF's property: a user, never anonymous

else:
    AuthenticatedRequest = Request

__all__ = ["AuthenticatedRequest"]
