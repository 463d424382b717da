"""The one vocabulary of domain errors (DESIGN §1): services raise these and nothing else.

Each error has a stable machine-readable ``code``, a human ``detail`` and optional ``fields``
(field name → messages). The interfaces map them and are the only places that know about HTTP,
forms or frames: the API maps the class (and a few codes) to a status in
``eventhub.api.errors``, the portal turns them into form errors (``eventhub.portal.apply_service_errors``), the
WebSocket consumer into error frames.

The classes say what kind of refusal it is; the code says which one. Raise the class with a code
of its own when a client must be able to tell the case apart (``Conflict(code="sold_out", …)``).
"""

from collections.abc import Mapping, Sequence
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FieldErrors = dict[str, list[str]]
StrOrPromise = str | Promise


class DomainError(Exception):
    """Base class; raise one of the subclasses."""

    default_code: ClassVar[str] = "invalid"
    default_detail: ClassVar[StrOrPromise] = _("The request cannot be carried out.")

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        fields: Mapping[str, str | Sequence[str]] | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.fields: FieldErrors = {
            name: [str(messages)] if isinstance(messages, str) else [str(message) for message in messages]
            for name, messages in (fields or {}).items()
        }
        if detail is None:
            detail = self._detail_from_fields() or str(self.default_detail)
        self.detail = str(detail)
        super().__init__(self.detail)

    def _detail_from_fields(self) -> str | None:
        if len(self.fields) == 1:
            (messages,) = self.fields.values()
            return " ".join(messages)
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, detail={self.detail!r}, fields={self.fields!r})"


class Invalid(DomainError):
    """The input breaks a rule; ``fields`` says which field, when it is one."""

    default_code = "invalid"
    default_detail = _("The request has invalid fields.")

    @classmethod
    def from_validation_error(cls, error: ValidationError, *, code: str | None = None) -> "Invalid":
        """Model validation (``full_clean``, validators) speaks Django's ValidationError; a
        service turns it into this at its boundary."""
        if hasattr(error, "error_dict"):
            fields = {
                ("non_field_errors" if name == "__all__" else name): messages
                for name, messages in error.message_dict.items()
            }
            return cls(code=code, fields=fields)
        return cls(" ".join(error.messages), code=code)


class NotFound(DomainError):
    """Missing, of another tenant, or not visible to the caller: all three look the same."""

    default_code = "not_found"
    default_detail = _("Not found.")


class PermissionDenied(DomainError):
    """The caller can see the object but may not do this to it."""

    default_code = "permission_denied"
    default_detail = _("You do not have permission to perform this action.")


class Conflict(DomainError):
    """The request is valid but the state of things refuses it now (sold out, already paid)."""

    default_code = "conflict"
    default_detail = _("The request conflicts with the current state.")


class Gone(DomainError):
    """The object existed and was withdrawn for good (a revoked ticket)."""

    default_code = "gone"
    default_detail = _("This is no longer available.")


class RateLimited(DomainError):
    default_code = "rate_limited"
    default_detail = _("Too many requests; try again later.")

    def __init__(self, detail: str | None = None, *, code: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(detail, code=code)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """An outside service we depend on (a payment provider) cannot be reached now."""

    default_code = "unavailable"
    default_detail = _("A service this needs is not reachable; try again shortly.")
