"""Portal plumbing shared by every app's portal: domain errors shown on forms."""

from django.core.exceptions import ValidationError
from django.forms import Form

from eventhub.errors import DomainError


def apply_service_errors(form: Form, error: DomainError | ValidationError) -> None:
    """Show a service's domain error on the form: field errors on their fields (or on the form
    when the form has no such field), the detail as the form's own error."""
    if isinstance(error, DomainError):
        if error.fields:
            for field, messages in error.fields.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            form.add_error(None, error.detail)
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
