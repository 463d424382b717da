"""The signed-in user's language (docs/decisions.md "Translations").

``Profile.language`` is copied into the session when the user logs in and whenever they change
it (``remember_language``), so applying it costs a session read and no query. Blank, or no
session (phones with a session token), leaves the choice to LocaleMiddleware: the language
cookie, else Accept-Language."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

SESSION_KEY = "accounts.language"
SUPPORTED = frozenset(code for code, _name in settings.LANGUAGES)


def remember_language(request: HttpRequest, language: str) -> None:
    """Keep the user's choice in their session (nothing kept: blank, follow the browser)."""
    session = getattr(request, "session", None)
    if session is None or not session.session_key:
        return  # not a cookie session (a phone's token): nothing to keep it in
    if language in SUPPORTED:
        session[SESSION_KEY] = language
    else:
        session.pop(SESSION_KEY, None)


class UserLanguageMiddleware:
    """After LocaleMiddleware: the user's own setting wins over cookie and browser.

    The session is only opened when the request carries a session cookie, so an anonymous page
    stays free of ``Vary: Cookie`` (public pages are cached by shared caches); a page whose
    language came from a cookie (the session's or the switcher's) says ``Vary: Cookie``, which
    LocaleMiddleware alone does not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from_cookie = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
        session = getattr(request, "session", None)
        if session is not None and settings.SESSION_COOKIE_NAME in request.COOKIES:
            language = session.get(SESSION_KEY)
            if language in SUPPORTED:
                translation.activate(language)
                request.LANGUAGE_CODE = language
                from_cookie = True
        response = self.get_response(request)
        if from_cookie:
            patch_vary_headers(response, ["Cookie"])
        return response
