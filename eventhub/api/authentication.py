from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from allauth.headless.internal import sessionkit
from allauth.headless.tokens.strategies.sessions import SessionTokenStrategy as AllauthSessionTokenStrategy
from django.contrib.sessions.backends.base import SessionBase
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.request import Request


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """allauth's app session token; names itself in ``WWW-Authenticate`` so that a missing or
    bad token is a 401 (not a 403) and clients know to log in again."""

    def authenticate_header(self, request: Request) -> str:
        return 'X-Session-Token realm="api"'


class SessionTokenScheme(OpenApiAuthenticationExtension):
    target_class = "eventhub.api.authentication.SessionTokenAuthentication"
    name = "sessionToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Session-Token"}


class SessionTokenStrategy(AllauthSessionTokenStrategy):
    """allauth's session tokens, looked up in one query instead of two: allauth's strategy asks
    whether the session exists and then loads it; loading alone answers both (a missing or
    expired session loads empty and drops its key). Every token-authenticated request and
    WebSocket handshake pays this lookup."""

    def lookup_session(self, session_token: str) -> SessionBase | None:
        return sessionkit.lookup_session(session_token)
