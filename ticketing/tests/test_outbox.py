"""Order, refund and waiting-list e-mails survive an SMTP outage: they are written to an outbox
row with the change that causes them and sent by a retried task — and by the periodic sweep,
once the SMTP server is back — exactly once. (They were sent from the request on commit with
``fail_silently=True``: an outage lost them without a trace.)"""

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client

from eventhub.celery import app

from .outage_mail import OutageBackend

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _retries_run_at_once():
    """In eager mode a task's retry runs at once only when its exceptions do not propagate."""
    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = "ticketing.tests.outage_mail.OutageBackend"
    OutageBackend.down, OutageBackend.refused = False, 0
    yield OutageBackend
    OutageBackend.down, OutageBackend.refused = False, 0


def _buy_free(shop, token_for):
    response = Client(headers={"X-Session-Token": token_for(shop.buyer)}).post(
        f"/api/v1/events/{shop.event.pk}/orders",
        {"positions": [{"ticket_type": shop.free.pk, "attendee_name": "A. Guest", "attendee_email": "a@example.org"}]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _run_periodic_tasks() -> None:
    """What beat runs every minute (the ticketing and outbox entries of CELERY_BEAT_SCHEDULE),
    once."""
    app.loader.import_default_modules()
    for entry in django_settings.CELERY_BEAT_SCHEDULE.values():
        if entry["task"].startswith(("ticketing.", "eventhub.tasks.")):
            app.tasks[entry["task"]].apply()


def test_an_order_confirmation_during_an_smtp_outage_is_sent_once_the_server_is_back(shop, token_for, smtp):
    smtp.down = True

    order = _buy_free(shop, token_for)

    assert order["status"] == "paid"  # the outage costs the buyer nothing but the e-mail's delay
    assert mail.outbox == []
    assert smtp.refused == 7  # tried, and retried six times (at once here; with backoff in a worker)
    _run_periodic_tasks()  # still down: kept
    assert mail.outbox == []
    smtp.down = False

    _run_periodic_tasks()
    _run_periodic_tasks()

    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([shop.buyer.email], f"Your tickets for {shop.event.name} (order {order['code']})")
    ]


def test_a_short_smtp_blip_is_retried_by_the_task_and_the_mail_sent_once(shop, token_for, smtp):
    smtp.down = 2  # the first two attempts fail

    order = _buy_free(shop, token_for)

    assert smtp.refused == 2
    assert [m.subject for m in mail.outbox] == [f"Your tickets for {shop.event.name} (order {order['code']})"]
    _run_periodic_tasks()
    assert len(mail.outbox) == 1


def test_a_sent_e_mail_is_never_sent_again(shop, token_for, smtp):
    """The task may run twice for one e-mail (a redelivered message, the sweep beside a retry):
    it sends once. The Message-ID names the outbox row, so even a resend after a crash between
    the SMTP server's acceptance and our commit is recognisable downstream."""
    _buy_free(shop, token_for)
    message_id = mail.outbox[0].extra_headers["Message-ID"]
    key = message_id.removeprefix("<outbox-").removesuffix("@eventhub>")

    app.tasks["eventhub.tasks.send_email"].apply(kwargs={"key": key})
    app.tasks["eventhub.tasks.send_email"].apply(kwargs={"key": key})
    _run_periodic_tasks()

    assert len(mail.outbox) == 1
    assert len(key) == 36
