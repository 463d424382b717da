import secrets
import uuid

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager


class EventScoped(models.Model):
    """An event-owned model: its ``event`` foreign key (declared by the subclass, with its own
    related name) puts it in the event's organization scope."""

    objects = ScopedManager(organization="event__organization")

    class Meta:
        abstract = True


def new_link_token() -> str:
    return secrets.token_urlsafe(24)


class RevocableLink(models.Model):
    """A bearer link (door display, calendar feed): whoever holds the token reads what it names,
    until it is revoked."""

    token = models.CharField(max_length=64, unique=True, default=new_link_token)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class AuditLogEntry(models.Model):
    """Who did what to which object, when, with the fields before and after (pretix-style)."""

    organization = models.ForeignKey("events.Organization", on_delete=models.CASCADE, related_name="audit_log")
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=40)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit log entries"

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"


class IdempotencyRecord(models.Model):
    """The stored answer to a write sent with an ``Idempotency-Key`` header, replayed on retry."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=64, help_text="Hash of method, path and body.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class OutboundEmail(models.Model):
    """An e-mail to send (order confirmations, refunds, waiting-list offers, invitations):
    written in the transaction of the change it tells about, sent by ``eventhub.tasks.send_email``
    (retried) and by the periodic sweep, and marked sent under its row lock — so it is sent once
    (``eventhub.outbox``). Plumbing every app writes to, so it lives here and no app imports
    another for it; the hand-off point for the notifications app. Platform-wide (no tenant
    scope): only the tasks and the admin read it."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    to = models.EmailField()
    subject = models.TextField()
    body = models.TextField()
    type = models.CharField(max_length=40, blank=True, help_text="The stream entry type it goes with.")
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "created_at"], name="outbound_email_due_idx")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.type or 'e-mail'} to {self.to} ({'sent' if self.sent_at else 'pending'})"
