"""The audit log of organizer actions (who, what, when, before/after)."""

from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.forms.models import model_to_dict

from eventhub.models import AuditLogEntry


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """JSON-safe field values of ``obj`` for the before/after of an audit entry."""
    return {key: _json_safe(value) for key, value in model_to_dict(obj, fields=fields).items()}


def _json_safe(value: Any) -> Any:
    # Aware datetimes in UTC, so the same instant entered in another zone is no change.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).isoformat()
    return value.isoformat() if hasattr(value, "isoformat") else value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {key: {"old": before.get(key), "new": value} for key, value in after.items() if before.get(key) != value}


def audit_log(
    *,
    actor: Any,
    organization_id: int,
    action: str,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
    event_id: int | None = None,
) -> AuditLogEntry:
    """Record an organizer action; call it inside the transaction of the change it describes."""
    return AuditLogEntry.objects.create(
        organization_id=organization_id,
        event_id=event_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        changes=changes or {},
    )
