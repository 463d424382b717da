"""schemathesis over every operation of the schema, with an attendee's and an organizer's session
token, against a live daphne on the demo world (issue 11): no 5xx, and every answer conforms to
the schema. A bounded run (few examples per operation); ``bench/schema_fuzz.py`` runs it long."""

import io
import re

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from accounts.models import User
from eventhub.testing import schemathesis
from eventhub.testing.live import daphne, session_token_for
from events.models import Event, PublishedSession, Speaker
from ticketing.models import Ticket, TicketType

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.live]

EXAMPLES = 3  # per operation in the fuzzing phase


def _demo_parameters() -> dict[str, int | str]:
    with scopes_disabled():
        event = Event.objects.get(slug="eventhub-conf-2026")
        attendee = User.objects.get(email="attendee1@example.com")
        ticket = Ticket.objects.filter(order_position__order__user=attendee, order_position__order__event=event).first()
        assert ticket is not None
        return {
            "event_id": event.pk,
            "session_id": PublishedSession.objects.filter(event=event).values_list("session_id", flat=True)[0],
            "speaker_id": Speaker.objects.filter(event=event).values_list("pk", flat=True)[0],
            "ticket_type_id": TicketType.objects.filter(event=event).values_list("pk", flat=True)[0],
            "ticket_id": ticket.pk,
            "order_code": ticket.order_position.order.code,
            "version": 1,
            "stream": f"event:{event.pk}",
        }


def test_every_operation_answers_within_the_schema_and_never_5xx(tmp_path):
    """The organizer's run adds the coverage phase (schemathesis's boundary and negative values
    for every parameter, unexpected methods and bodies): the organizer reaches every operation
    the attendee does and the scanner's. ``bench/schema_fuzz.py`` runs all phases for both."""
    call_command("seed_demo", "--allow-non-demo", stdout=io.StringIO())
    config = schemathesis.write_config(tmp_path / "schemathesis.toml", _demo_parameters())
    runs = {
        "attendee1@example.com": "examples,fuzzing",
        "organizer@example.com": "examples,coverage,fuzzing",
    }
    results = {}

    with daphne(tmp_path, TICKETING_RATE_LIMITS="{}", LOG_LEVEL="WARNING") as base_url:
        for email, phases in runs.items():
            token = session_token_for(User.objects.get(email=email))
            args = schemathesis.command(
                base_url=base_url, token=token, config=config, examples=EXAMPLES, seed=11, phases=phases
            )
            results[email] = schemathesis.run(args, timeout=600, cwd=tmp_path)

    for email, result in results.items():
        assert result.returncode == 0, f"{email}:\n{result.stdout[-12000:]}{result.stderr[-3000:]}"
        counts = [re.search(rf"{label}: (\d+)", result.stdout) for label in ("Selected", "Tested")]
        selected, tested = (int(match[1]) if match else 0 for match in counts)
        assert tested == selected, result.stdout[-3000:]
        assert selected > 40
