"""Plumbing every app's services share: the permission check, the unique-name guard and model
validation in the domain's vocabulary.

All raise domain errors (``eventhub.errors``), so no interface-specific exception leaves a
service."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model

from eventhub import errors


def require_permission(user: AbstractBaseUser | AnonymousUser | None, permission: str, obj: Any) -> None:
    """Refuse unless ``user`` holds the ``rules`` permission on ``obj``."""
    if user is None or not user.has_perm(permission, obj):  # type: ignore[union-attr]  # the user model has PermissionsMixin
        raise errors.PermissionDenied(code="permission_denied")


@contextmanager
def unique_or_invalid(*, field: str, message: str, taken: Callable[[], bool]) -> Iterator[None]:
    """Write in a savepoint. Callers check uniqueness first for a friendly error, but a concurrent
    writer can insert the same key between that check and the write: the unique constraint then
    refuses it, and this turns that into the same ``Invalid`` (not a 500)."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        if taken():
            raise errors.Invalid(fields={field: message}) from None
        raise


def full_clean_or_invalid(obj: Model, **kwargs: Any) -> None:
    """``obj.full_clean(**kwargs)``, its Django ``ValidationError`` turned into ``errors.Invalid``
    (model validation speaks Django's vocabulary; a service speaks the domain's)."""
    try:
        obj.full_clean(**kwargs)
    except ValidationError as error:
        raise errors.Invalid.from_validation_error(error) from None
