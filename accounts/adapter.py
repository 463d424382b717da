import unicodedata
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from eventhub.proxy import client_ip

from .services import profile_get_or_create


def login_key(login: str) -> str:
    """The one key of an account's login attempts: the login as any spelling of it finds the
    account (case, compatibility forms, surrounding blanks all fold to one key)."""
    return unicodedata.normalize("NFKC", login).strip().casefold()


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            profile_get_or_create(user=user)
        return user

    def get_client_ip(self, request: HttpRequest) -> str:
        # Every per-address limit of allauth counts by the address our proxies vouch for.
        return client_ip(request)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys the per-account lockout by "<site domain>:<login>"; without the sites
        # framework the domain is the request's Host (with its port), which the client chooses —
        # and each server process answers under its own. The login alone is the account.
        # (A private hook of allauth 65.21; accounts/tests/test_auth.py pins its effect.)
        return login_key(credentials.get("email", credentials.get("username", "")) or "")
