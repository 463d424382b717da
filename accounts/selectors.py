"""Reads of accounts."""

from .models import User


def user_by_email(*, email: str) -> User | None:
    """The account with this email address (case-insensitive, surrounding spaces ignored)."""
    return User.objects.filter(email__iexact=email.strip()).first()
