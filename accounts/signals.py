"""Sockets follow their sessions: when a session ends (a logout, a deleted session) or a
password changes (other sessions stop authenticating), every server process re-authorizes the
affected WebSockets at once instead of at the next periodic re-check (issue 11).

A login copies the user's language setting into the session (accounts/middleware.py)."""

from typing import Any

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from eventhub.realtime.services import stream_readers_changed

from .middleware import remember_language
from .models import Profile


@receiver(post_delete, sender=Session, dispatch_uid="accounts.session_ended")
def _session_ended(sender: type[Session], instance: Session, **kwargs: Any) -> None:
    # Logout flushes its session (a delete); so do the admin and a user's "sign out
    # everywhere". Expired sessions swept by clearsessions have no reader worth a message each:
    # the periodic re-check closes what is left of them.
    if instance.expire_date > timezone.now():
        stream_readers_changed(session_keys=[instance.session_key])


@receiver(password_changed, dispatch_uid="accounts.password_changed")
@receiver(password_set, dispatch_uid="accounts.password_set")
@receiver(password_reset, dispatch_uid="accounts.password_reset")
def _password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    stream_readers_changed(user_ids=[user.pk])


@receiver(user_logged_in, dispatch_uid="accounts.language_on_login")
def _language_on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None:
        language = Profile.objects.filter(user=user).values_list("language", flat=True).first() or ""
        remember_language(request, language)
