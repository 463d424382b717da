from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User


def require(user: User, permission: str, obj: Any) -> None:
    if not user.has_perm(permission, obj):
        raise PermissionDenied(permission)


@contextmanager
def unique_or_invalid(*, field: str, message: str, taken: Callable[[], bool]) -> Iterator[None]:
    """A concurrent writer may insert the same key between our check and our write: the unique
    constraint refuses it, and this turns that into the same ValidationError (not a 500)."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        if taken():
            raise ValidationError({field: message}) from None
        raise
