"""Order management and payments set-up (issue 10, gaps 2 and 5; bugs 5 and 7): manual payment
methods with "mark as paid", refunds that say what happened, cancel with or without refund,
resend, attendee change, reservation extension, the timeline, PDF tickets, filters, and the
organization's Stripe keys (stored encrypted, tested through the SDK against localstripe)."""

import re
import zlib
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import stripe
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from eventhub.models import AuditLogEntry, OutboundEmail
from eventhub.testing.factories import MemberFactory
from eventhub.testing.live import free_port
from events.enums import MemberRole
from ticketing import credentials
from ticketing.selectors.sales import ticket_type_availability

from ..enums import OrderStatus, PaymentProvider, PaymentStatus
from ..models import Order, OrderPosition, Payment, PaymentSettings, Refund, Ticket
from ..services.tickets import tickets_issue
from .conftest import deliver, pay_with_test_card
from .stripe_events import sign, stripe_event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pages(page_settings):
    return page_settings


def _portal(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _url(event, name: str, **kwargs) -> str:
    return reverse(f"ticketing:{name}", kwargs={"organization": event.organization.slug, "event": event.slug, **kwargs})


def _buy(token_for, shop, **extra):
    return Client(headers={"X-Session-Token": token_for(shop.buyer)}).post(
        f"/api/v1/events/{shop.event.pk}/orders",
        {
            "positions": [{"ticket_type": shop.paid.pk, "attendee_name": "Ann Lee", "attendee_email": "ann@x.org"}],
            **extra,
        },
        content_type="application/json",
    )


def _manual_methods(shop, **fields):
    with scopes_disabled():
        PaymentSettings.objects.update_or_create(
            organization=shop.event.organization,
            defaults={
                "bank_transfer_enabled": True,
                "bank_transfer_details": "IBAN DE02 1203 0000 0000 2020 51",
                "pay_at_door_enabled": True,
                **fields,
            },
        )


def _order(code) -> Order:
    with scopes_disabled():
        return Order.objects.get(code=code)


# --- bug 5: no payment method: refused at once, nothing held, the portal warns --------------------


def test_paid_checkout_without_any_payment_method_is_refused_at_once_and_holds_nothing(shop, token_for, settings):
    settings.STRIPE_SECRET_KEY = ""
    with scopes_disabled():
        before = ticket_type_availability(ticket_types=[shop.paid])[shop.paid.pk]

    response = _buy(token_for, shop)
    page = _portal(shop.owner).get(_url(shop.event, "ticket-types")).content.decode()

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "payments_not_configured"
    assert "Payments are not configured" in response.json()["error"]["detail"]
    with scopes_disabled():
        assert Order.objects.filter(event=shop.event).count() == 0
        assert ticket_type_availability(ticket_types=[shop.paid])[shop.paid.pk] == before
    assert "Paid ticket types cannot be sold: no payment method is set up" in page


def test_no_warning_once_a_manual_method_is_offered(shop, settings):
    settings.STRIPE_SECRET_KEY = ""
    _manual_methods(shop)

    page = _portal(shop.owner).get(_url(shop.event, "ticket-types")).content.decode()

    assert 'data-testid="payments-missing"' not in page


# --- manual methods: bank transfer with a reference, mark as paid ---------------------------------


def test_bank_transfer_order_shows_reference_then_mark_as_paid_issues_tickets(shop, token_for, settings):
    settings.STRIPE_SECRET_KEY = ""
    _manual_methods(shop, manual_payment_days=5)

    body = _buy(token_for, shop, payment_method="bank_transfer").json()
    client = _portal(shop.owner)
    before = client.get(_url(shop.event, "order", order_code=body["code"])).content.decode()
    marked = client.post(_url(shop.event, "order-mark-paid", order_code=body["code"]), follow=True)

    order = _order(body["code"])
    assert body["status"] == "pending"
    assert body["payment"]["provider"] == "bank_transfer"
    assert body["payment"]["reference"] == body["code"]
    assert f"with the reference {body['code']}" in body["payment"]["instructions"]
    assert "IBAN DE02 1203 0000 0000 2020 51" in body["payment"]["instructions"]
    assert body["payment"]["client_secret"] is None
    reserved = datetime.fromisoformat(body["expires_at"]) - timezone.now()
    assert timedelta(days=4, hours=23) < reserved <= timedelta(days=5)
    assert 'data-testid="payment-instructions"' in before
    assert "Marked as paid: the tickets are issued." in marked.content.decode()
    assert order.status == OrderStatus.PAID
    with scopes_disabled():
        assert Ticket.objects.filter(order_position__order=order).count() == 1
        assert Payment.objects.get(order=order).status == PaymentStatus.SUCCEEDED
        assert AuditLogEntry.objects.filter(action="order.marked_paid", object_id=str(order.pk)).count() == 1


# --- bug 7: refunds that say what happened ---------------------------------------------------------


def _paid_by(shop, provider: str, intent: str = "") -> Order:
    with scopes_disabled():
        order = Order.objects.create(
            event=shop.event,
            email="demo@example.org",
            status=OrderStatus.PAID,
            total=Decimal("50.00"),
            paid_at=timezone.now(),
        )
        OrderPosition.objects.create(
            order=order, ticket_type=shop.paid, price=Decimal("50.00"), attendee_name="Dee Mo", attendee_email="d@x.org"
        )
        Payment.objects.create(
            order=order,
            provider=provider,
            status=PaymentStatus.SUCCEEDED,
            amount=Decimal("50.00"),
            currency="EUR",
            stripe_payment_intent_id=intent,
            succeeded_at=timezone.now(),
        )
        tickets_issue(order=order)
    return order


def test_refund_of_a_bank_transfer_order_is_recorded(shop):
    order = _paid_by(shop, PaymentProvider.BANK_TRANSFER)

    response = _portal(shop.owner).post(
        _url(shop.event, "order-refund", order_code=order.code), {"amount": "50.00", "reason": "Ill"}, follow=True
    )

    assert "Refunded 50.00 EUR." in response.content.decode()
    with scopes_disabled():
        assert list(Refund.objects.filter(payment__order=order).values_list("status", "amount")) == [
            ("succeeded", Decimal("50.00"))
        ]
    assert _order(order.code).status == OrderStatus.REFUNDED


def test_refund_when_stripe_is_unreachable_is_a_human_error_and_stores_nothing(shop, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_eventhub"
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"  # nobody listens
    order = _paid_by(shop, PaymentProvider.STRIPE, intent="pi_demo_x")

    response = _portal(shop.owner).post(_url(shop.event, "order-refund", order_code=order.code), {"amount": "10.00"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Stripe could not be reached, so nothing was refunded. Try again in a moment." in html
    assert "Connection" not in html
    assert "Traceback" not in html
    with scopes_disabled():
        assert Refund.objects.filter(payment__order=order).count() == 0
    assert _order(order.code).status == OrderStatus.PAID


def test_refund_refused_by_stripe_stores_no_failed_row(shop, fake_stripe):
    order = _paid_by(shop, PaymentProvider.STRIPE, intent="pi_never_created_at_stripe")

    response = _portal(shop.owner).post(_url(shop.event, "order-refund", order_code=order.code), {"amount": "10.00"})

    assert "Stripe refused the refund" in response.content.decode()
    with scopes_disabled():
        assert Refund.objects.filter(payment__order=order).count() == 0


def test_refund_without_any_stripe_key_says_payments_are_not_configured(shop, settings):
    settings.STRIPE_SECRET_KEY = ""
    order = _paid_by(shop, PaymentProvider.STRIPE, intent="pi_demo_y")

    response = _portal(shop.owner).post(_url(shop.event, "order-refund", order_code=order.code), {"amount": "10.00"})

    assert "Payments are not configured" in response.content.decode()
    with scopes_disabled():
        assert Refund.objects.filter(payment__order=order).count() == 0


# --- cancel, resend, attendee, extend, timeline ---------------------------------------------------


def test_cancel_with_refund_through_stripe_revokes_tickets_and_shows_on_the_timeline(shop, token_for, fake_stripe):
    body = _buy(token_for, shop).json()
    intent = pay_with_test_card(body["payment"]["payment_intent"])
    deliver(Client(), stripe_event(event_id="evt_cancel", type="payment_intent.succeeded", obj=intent.to_dict()))
    client = _portal(shop.owner)

    response = client.post(
        _url(shop.event, "order-cancel", order_code=body["code"]),
        {"cancel-refund": "on", "cancel-reason": "Event moved"},
        follow=True,
    )

    html = response.content.decode()
    order = _order(body["code"])
    assert order.status == OrderStatus.CANCELLED
    assert [(r.amount, r.status) for r in stripe.Refund.list(payment_intent=intent.id).data] == [(5000, "succeeded")]
    with scopes_disabled():
        assert list(Ticket.objects.filter(order_position__order=order).values_list("revoked", flat=True)) == [True]
    timeline = html[html.index('id="timeline"') :]
    titles = [t.strip() for t in re.findall(r"<li><time[^>]*>[^<]*</time><span>([^<]*)", timeline)]
    assert titles[0].startswith("Order placed by")
    assert titles[1].startswith("Payment received: 50.00 EUR (Stripe)")
    assert "Refunded 50.00 EUR" in titles
    assert "Cancelled" in titles


def test_cancel_without_refund_keeps_the_money_and_revokes_tickets(shop):
    order = _paid_by(shop, PaymentProvider.BANK_TRANSFER)

    _portal(shop.owner).post(_url(shop.event, "order-cancel", order_code=order.code), {"cancel-reason": "No-show"})

    assert _order(order.code).status == OrderStatus.CANCELLED
    with scopes_disabled():
        assert Refund.objects.filter(payment__order=order).count() == 0
        assert Ticket.objects.get(order_position__order=order).revoked is True


def test_resend_confirmation_attendee_change_and_their_audit(shop):
    order = _paid_by(shop, PaymentProvider.BANK_TRANSFER)
    with scopes_disabled():
        position = order.positions.get()
        mails = OutboundEmail.objects.filter(to=order.email).count()
    client = _portal(shop.owner)

    client.post(_url(shop.event, "order-resend", order_code=order.code))
    client.post(
        _url(shop.event, "order-position-edit", order_code=order.code, position_id=position.pk),
        {f"p{position.pk}-attendee_name": "Dee Neu", f"p{position.pk}-attendee_email": "neu@x.org"},
    )
    page = client.get(_url(shop.event, "order", order_code=order.code)).content.decode()

    with scopes_disabled():
        assert OutboundEmail.objects.filter(to=order.email).count() == mails + 1
        assert Ticket.objects.get(order_position=position).attendee_name == "Dee Neu"
        assert OrderPosition.objects.get(pk=position.pk).attendee_email == "neu@x.org"
    assert "Confirmation sent again to demo@example.org" in page
    assert "Attendee changed" in page


def test_another_orders_position_is_404_and_unchanged(shop):
    order = _paid_by(shop, PaymentProvider.BANK_TRANSFER)
    other = _paid_by(shop, PaymentProvider.BANK_TRANSFER)
    with scopes_disabled():
        foreign = other.positions.get()

    response = _portal(shop.owner).post(
        _url(shop.event, "order-position-edit", order_code=order.code, position_id=foreign.pk),
        {f"p{foreign.pk}-attendee_name": "X", f"p{foreign.pk}-attendee_email": "x@x.org"},
    )

    assert response.status_code == 404
    with scopes_disabled():
        assert OrderPosition.objects.get(pk=foreign.pk).attendee_name == "Dee Mo"


def test_extend_an_expired_reservation_takes_its_place_again(shop, token_for, settings):
    settings.STRIPE_SECRET_KEY = ""
    _manual_methods(shop)
    code = _buy(token_for, shop, payment_method="bank_transfer").json()["code"]
    with scopes_disabled():
        Order.objects.filter(code=code).update(
            status=OrderStatus.EXPIRED, expires_at=timezone.now() - timedelta(hours=1)
        )
        Payment.objects.filter(order__code=code).update(status=PaymentStatus.CANCELLED)

    response = _portal(shop.owner).post(
        _url(shop.event, "order-extend", order_code=code), {"until": "2099-01-31T18:00"}, follow=True
    )

    order = _order(code)
    assert "Reservation extended." in response.content.decode()
    assert order.status == OrderStatus.PENDING
    assert order.expires_at.astimezone(shop.event.tz).strftime("%Y-%m-%d %H:%M") == "2099-01-31 18:00"
    with scopes_disabled():
        assert Payment.objects.get(order=order).status == PaymentStatus.PENDING


# --- filters and PDF ------------------------------------------------------------------------------


def test_order_filters_by_status_ticket_type_payment_and_day(shop):
    paid = _paid_by(shop, PaymentProvider.BANK_TRANSFER)
    by_card = _paid_by(shop, PaymentProvider.STRIPE, intent="pi_f")
    with scopes_disabled():
        pending = Order.objects.create(event=shop.event, email="p@x.org", total=Decimal("0"))
        OrderPosition.objects.create(
            order=pending, ticket_type=shop.free, price=0, attendee_name="F", attendee_email="f@x.org"
        )
        Order.objects.filter(pk=by_card.pk).update(created_at=timezone.now() - timedelta(days=10))
    client = _portal(shop.owner)

    def codes(**params):
        html = client.get(_url(shop.event, "orders"), params).content.decode()
        return set(re.findall(r'data-order="([A-Z0-9]+)"', html))

    today = timezone.localdate(timezone=shop.event.tz).isoformat()
    assert codes(status="pending") == {pending.code}
    assert codes(ticket_type=shop.free.pk) == {pending.code}
    assert codes(payment="bank_transfer") == {paid.code}
    assert codes(created_from=today) == {paid.code, pending.code}
    assert codes(created_to=(timezone.localdate() - timedelta(days=5)).isoformat()) == {by_card.code}
    assert codes() == {paid.code, by_card.code, pending.code}


def _pdf_text(pdf: bytes) -> bytes:
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    out = b""
    for raw in streams:
        try:
            out += zlib.decompress(raw)
        except zlib.error:
            out += raw
    return out


def test_pdf_tickets_carry_the_order_code_and_a_qr_image(shop):
    order = _paid_by(shop, PaymentProvider.BANK_TRANSFER)

    response = _portal(shop.owner).get(_url(shop.event, "order-pdf", order_code=order.code))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="tickets-{order.code}.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert order.code.encode() in _pdf_text(response.content)
    assert b"/Subtype /Image" in response.content


# --- payments set-up -----------------------------------------------------------------------------


def _settings_url(shop) -> str:
    return reverse("ticketing:payment-settings", kwargs={"organization": shop.event.organization.slug})


SETTINGS = {
    "stripe_mode": "test",
    "stripe_publishable_key": "pk_test_abc",
    "stripe_secret_key": "sk_test_eventhub_org",
    "stripe_webhook_secret": "whsec_org",
    "manual_payment_days": "7",
    "bank_transfer_details": "",
}


def test_stripe_keys_are_stored_encrypted_and_never_shown(shop):
    client = _portal(shop.owner)

    saved = client.post(_settings_url(shop), SETTINGS)
    page = client.get(_settings_url(shop)).content.decode()

    assert saved.status_code == 302
    with scopes_disabled():
        config = PaymentSettings.objects.get(organization=shop.event.organization)
    assert b"sk_test_eventhub_org" not in bytes(config.stripe_secret_key_encrypted)
    assert credentials.decrypt(config.stripe_secret_key_encrypted) == "sk_test_eventhub_org"
    assert credentials.decrypt(config.stripe_webhook_secret_encrypted) == "whsec_org"
    assert "sk_test_eventhub_org" not in page
    assert "Your own Stripe account is set up (test mode)." in page
    with scopes_disabled():
        entry = AuditLogEntry.objects.get(action="payment_settings.updated")
    assert "sk_test_eventhub_org" not in str(entry.changes)


def test_a_live_key_in_test_mode_and_a_bank_transfer_without_account_are_refused(shop):
    client = _portal(shop.owner)

    wrong_key = client.post(_settings_url(shop), {**SETTINGS, "stripe_secret_key": "sk_live_x"})
    no_account = client.post(_settings_url(shop), {**SETTINGS, "bank_transfer_enabled": "on"})

    assert "A Test mode secret key starts with sk_test_ / rk_test_." in wrong_key.content.decode()
    assert "Enter the account the buyers transfer the money to." in no_account.content.decode()
    with scopes_disabled():
        assert (
            not PaymentSettings.objects.filter(stripe_secret_key_encrypted__isnull=False)
            .exclude(stripe_secret_key_encrypted=b"")
            .exists()
        )


def test_test_connection_goes_through_the_sdk_and_the_organizations_key_is_used(
    shop, token_for, fake_stripe, stripe_front
):
    client = _portal(shop.owner)
    client.post(_settings_url(shop), SETTINGS)

    tested = client.post(_settings_url(shop) + "test", follow=True)
    body = _buy(token_for, shop).json()

    assert "Stripe answered: the key works (test)." in tested.content.decode()
    with scopes_disabled():
        assert PaymentSettings.objects.get(organization=shop.event.organization).stripe_checked_at is not None
    assert body["payment"]["publishable_key"] == "pk_test_abc"
    assert stripe_front.authorizations[-1] == "Bearer sk_test_eventhub_org"


def test_test_connection_when_stripe_is_unreachable(shop, settings):
    client = _portal(shop.owner)
    client.post(_settings_url(shop), SETTINGS)
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"

    tested = client.post(_settings_url(shop) + "test", follow=True)

    assert "Connection test failed: Stripe could not be reached; nothing changed." in tested.content.decode()


def test_payment_settings_are_for_owners_and_admins_only(shop):
    editor = MemberFactory(organization=shop.event.organization, role=MemberRole.EDITOR).user

    response = _portal(editor).post(_settings_url(shop), SETTINGS)

    assert response.status_code == 404
    with scopes_disabled():
        assert not PaymentSettings.objects.exists()


def test_webhook_signed_with_the_organizations_own_secret_pays_its_order(shop, token_for, fake_stripe):
    _portal(shop.owner).post(_settings_url(shop), SETTINGS)
    body = _buy(token_for, shop).json()
    intent = pay_with_test_card(body["payment"]["payment_intent"])
    payload = stripe_event(event_id="evt_org_secret", type="payment_intent.succeeded", obj=intent.to_dict())

    forged = deliver(Client(), payload, signature=sign(payload, secret="whsec_someone_else"))
    delivered = deliver(Client(), payload, signature=sign(payload, secret="whsec_org"))

    assert forged.status_code == 400
    assert delivered.json() == {"status": "processed"}
    assert _order(body["code"]).status == OrderStatus.PAID
