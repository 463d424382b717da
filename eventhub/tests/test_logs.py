"""What the logs say (issue 11): bearer links never reach a log — ours or daphne's access log —
and a foreign Host header is one warning line, not an ERROR with a traceback per request."""

import logging
import secrets
from urllib.parse import urlsplit

import httpx
import pytest
from django.test import Client

from eventhub.logs import logging_config, redact_event
from eventhub.testing.live import daphne

pytestmark = pytest.mark.django_db


def test_not_found_bearer_links_are_redacted_in_the_request_log(caplog):
    token = secrets.token_urlsafe(32)

    with caplog.at_level(logging.WARNING, logger="django.request"):
        feed = Client().get(f"/calendar/{token}.ics")
        state = Client().get(f"/displays/{token}/state")

    messages = [r.getMessage() for r in caplog.records if r.name == "django.request"]
    assert (feed.status_code, state.status_code) == (404, 404)
    assert messages == ["Not Found: /calendar/[redacted].ics", "Not Found: /displays/[redacted]/state"]


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_daphne_access_log_redacts_bearer_links_and_a_foreign_host_is_one_warning(tmp_path):
    token = secrets.token_urlsafe(32)
    with daphne(tmp_path) as url:
        http = httpx.Client(base_url=url, timeout=10)
        answers = [
            http.get(f"/calendar/{token}.ics"),
            http.get(f"/displays/{token}"),
            http.get("/api/v1/me", headers={"Host": "evil.example.com"}),
        ]
        log = (tmp_path / f"daphne-{urlsplit(url).port}.log").read_text()

    assert [(a.status_code, a.headers["Server"]) for a in answers] == [
        (404, "EventHub"),
        (404, "EventHub"),
        (400, "EventHub"),
    ]
    assert token not in log
    assert '"GET /calendar/[redacted].ics" 404' in log
    assert '"GET /displays/[redacted]" 404' in log
    assert "Traceback" not in log
    assert "Invalid HTTP_HOST header: 'evil.example.com'" in log


def test_structlog_events_are_redacted_too(settings):
    """JSON mode (the production profile): django-structlog puts the path in its own fields."""
    token = secrets.token_urlsafe(32)

    event = redact_event(None, "warning", {"event": "request_finished", "request": f"GET /displays/{token}/state"})

    try:
        json_config = logging_config(json=True, level="INFO")  # also configures structlog …
    finally:
        logging_config(json=settings.LOG_FORMAT == "json", level="INFO")  # … so put the suite's back

    assert event == {"event": "request_finished", "request": "GET /displays/[redacted]/state"}
    assert redact_event in json_config["formatters"]["main"]["foreign_pre_chain"]
