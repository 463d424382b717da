import subprocess
import time

import pytest
import stripe
from django_scopes import scopes_disabled

from eventhub.celery import app as celery_app
from eventhub.testing.factories import EventFactory, MemberFactory, UserFactory
from eventhub.testing.live import BIN, free_port
from events.enums import MemberRole

from .factories import QuotaFactory, TicketTypeFactory
from .stripe_events import WEBHOOK_SECRET, sign
from .stripe_front import StripeFront


@pytest.fixture(autouse=True)
def _own_cache(settings, request):
    """A cache of the test's own: the rate limits count in it, and Redis would carry the counts
    from one test (and one engineer's run) to the next."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }


@pytest.fixture(autouse=True)
def _tasks_run_at_once():
    """Tasks a request queues (the outbox's e-mails) run in the test's process, as in the
    embedded mode: no worker reads the broker here."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    """A localstripe server (a stateful fake Stripe API) on a free port for the session."""
    port = free_port()
    log = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "python"), "-m", "localstripe", "--port", str(port), "--from-scratch"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                stripe.StripeClient("sk_test_x", base_addresses={"api": url}).v1.balance.retrieve()
                break
            except stripe.APIConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"localstripe did not start:\n{log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def stripe_front(localstripe_url):
    front = StripeFront(localstripe_url)
    yield front
    front.close()


@pytest.fixture
def fake_stripe(localstripe_url, stripe_front, settings, monkeypatch):
    """Point our server (settings) at the Stripe stand-in in front of localstripe, and the SDK's
    globals (the test's own checks, acting as the phone) at localstripe itself; sign webhooks
    with a known secret."""
    stripe_front.reset()
    settings.STRIPE_API_BASE = stripe_front.url
    settings.STRIPE_SECRET_KEY = "sk_test_eventhub"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    monkeypatch.setattr(stripe, "api_base", localstripe_url)
    monkeypatch.setattr(stripe, "api_key", "sk_test_eventhub")
    return localstripe_url


def deliver(client, payload: bytes, signature: str | None = None):
    return client.post(
        "/api/v1/stripe/webhook",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature if signature is not None else sign(payload)},
    )


def pay_with_test_card(payment_intent_id: str) -> stripe.PaymentIntent:
    """What the phone's Stripe SDK does: attach card 4242… and confirm."""
    method = stripe.PaymentMethod.create(
        type="card", card={"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}
    )
    stripe.PaymentIntent.modify(payment_intent_id, payment_method=method.id)
    return stripe.PaymentIntent.confirm(payment_intent_id)


@pytest.fixture
def shop(db):
    """An on-sale event with a paid and a free ticket type sharing a quota of 5, its owner
    and a buyer."""
    with scopes_disabled():
        event = EventFactory()
        owner = MemberFactory(organization=event.organization, role=MemberRole.OWNER).user
        paid = TicketTypeFactory(event=event, name="Regular", price="50.00")
        free = TicketTypeFactory(event=event, name="Community", price="0.00")
        quota = QuotaFactory(event=event, name="Hall", size=5, ticket_types=[paid, free])
    buyer = UserFactory()
    return type(
        "Shop", (), {"event": event, "owner": owner, "paid": paid, "free": free, "quota": quota, "buyer": buyer}
    )
