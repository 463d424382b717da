"""The shop's forms: quantities per ticket type (the cart) and the checkout (who each ticket is
for, the confirmation address, a voucher)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import TicketType


def quantity_field_name(ticket_type_id: int) -> str:
    return f"quantity_{ticket_type_id}"


class CartForm(forms.Form):
    """One quantity per ticket type on sale, bounded by what may be bought per order and what is
    left; at least one ticket in all."""

    def __init__(self, *args: Any, offers: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offers = offers
        for offer in offers:
            ticket_type: TicketType = offer["ticket_type"]
            most = min(ticket_type.max_per_order, offer["available"])
            self.fields[quantity_field_name(ticket_type.pk)] = forms.TypedChoiceField(
                label=ticket_type.name,
                choices=[(n, str(n)) for n in range(most + 1)],
                coerce=int,
                initial=0,
                required=False,
                empty_value=0,  # type: ignore[arg-type]  # the stubs want a str; any value is allowed
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = self.quantities()
        if not chosen:
            raise forms.ValidationError(_("Choose at least one ticket."))
        for offer in self.offers:
            ticket_type: TicketType = offer["ticket_type"]
            count = chosen.get(ticket_type.pk, 0)
            if count and count < ticket_type.min_per_order:
                self.add_error(
                    quantity_field_name(ticket_type.pk),
                    _("At least %(n)s per order.") % {"n": ticket_type.min_per_order},
                )
        return cleaned

    def quantities(self) -> dict[int, int]:
        data = getattr(self, "cleaned_data", {})
        chosen = {}
        for offer in self.offers:
            pk = offer["ticket_type"].pk
            count = data.get(quantity_field_name(pk)) or 0
            if count:
                chosen[pk] = int(count)
        return chosen


class CheckoutForm(forms.Form):
    """The order's details: one name and address per ticket (``name_<i>``, ``email_<i>``), the
    confirmation address and an optional voucher."""

    email = forms.EmailField(label=_("Confirmation email"), max_length=254)
    voucher = forms.CharField(label=_("Voucher code"), max_length=64, required=False)

    def __init__(self, *args: Any, lines: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            index = line["index"]
            self.fields[f"name_{index}"] = forms.CharField(label=_("Name"), max_length=200)
            self.fields[f"email_{index}"] = forms.EmailField(label=_("Email"), max_length=254)

    def bound_lines(self) -> list[dict[str, Any]]:
        return [
            {**line, "name": self[f"name_{line['index']}"], "email": self[f"email_{line['index']}"]}
            for line in self.lines
        ]
