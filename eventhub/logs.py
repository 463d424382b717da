"""Logging: plain message lines (the embedded default) or one JSON object per line (production).

structlog renders our own events and, through ``ProcessorFormatter``, every standard-library
record too (Django, Celery, daphne), so a JSON deployment has no plain line in its output. The
request id that django-structlog binds per request (and carries into the Celery tasks a request
enqueues) is merged into every record logged while it is bound. Imported by the settings module:
nothing here may touch Django settings at import time.

What the logs may not say (issue 11): bearer links (``/calendar/<token>.ics``,
``/displays/<token>``) are credentials in the URL path, and "Not Found: <path>" warnings,
django-structlog's ``request`` field and daphne's access log would hand them to whoever reads the
logs. ``redact`` replaces the token — in standard-library records (``RedactBearerLinks``), in
structlog event dicts (``redact_event``) and in daphne's access log, which daphne writes itself
(``install_daphne_access_log``). And what they need not shout: a request with a foreign ``Host``
(a scanner, a misrouted client) or an oversized body is the client's error, which Django logs at
ERROR with a traceback per request; ``QuietSuspiciousRequests`` makes it one WARNING line.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from daphne.access import AccessLogGenerator
from django.conf import settings
from django.utils.functional import SimpleLazyObject, empty

from eventhub.proxy import client_ip

BEARER_LINKS = re.compile(r"(/calendar/)[^/?#\s\"]+(\.ics)|(/displays/)[^/?#\s\"]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return BEARER_LINKS.sub(
        lambda m: f"{m.group(1)}{REDACTED}{m.group(2)}" if m.group(1) else f"{m.group(3)}{REDACTED}", text
    )


def redact_event(logger: Any, method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: bearer links out of every string value (django-structlog's
    ``request``, ``path``, our own events)."""
    for key, value in event_dict.items():
        if isinstance(value, str) and ("/calendar/" in value or "/displays/" in value):
            event_dict[key] = redact(value)
    return event_dict


class RedactBearerLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class QuietSuspiciousRequests(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info, record.exc_text = None, None
        return True


class RedactingAccessLog(AccessLogGenerator):
    def write_entry(self, host: Any, date: Any, request: Any, *args: Any, **kwargs: Any) -> None:
        super().write_entry(host, date, redact(request) if isinstance(request, str) else request, *args, **kwargs)


def install_daphne_access_log() -> None:
    """daphne's command line builds its access log (``daphne.cli.AccessLogGenerator``) after it
    has imported the application, so the ASGI module swaps in the redacting subclass (daphne
    4.2.3, pinned with the rest in ``eventhub/realtime/tests/test_daphne_socket.py``). Under
    another server (or in a test process) ``daphne.cli`` is not loaded and nothing changes —
    importing it would install Twisted's reactor."""
    cli = sys.modules.get("daphne.cli")
    if cli is not None:
        cli.AccessLogGenerator = RedactingAccessLog  # type: ignore[attr-defined]  # a module global


_SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    redact_event,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def logging_config(*, json: bool, level: str) -> dict[str, Any]:
    """The ``LOGGING`` dict, with structlog configured to match."""
    if json:
        renderer: Any = structlog.processors.JSONRenderer()
        # Our own events (one per request from django-structlog) skip the standard library: a
        # filtering logger drops what is below the level before any work, and the line is
        # rendered once and written straight to stderr (~10x cheaper than through a handler).
        structlog.configure(
            processors=[
                structlog.contextvars.merge_contextvars,
                redact_event,
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
                structlog.processors.StackInfoRenderer(),
                structlog.processors.format_exc_info,
                renderer,
            ],
            wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level.upper()]),
            logger_factory=structlog.WriteLoggerFactory(file=sys.stderr),
            cache_logger_on_first_use=True,
        )
        formatter: dict[str, Any] = {
            "()": structlog.stdlib.ProcessorFormatter,
            "processors": [
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
            "foreign_pre_chain": [*_SHARED_PROCESSORS, structlog.stdlib.ExtraAdder()],
        }
    else:
        # The message alone, as before structlog: our events as `event key=value …`.
        structlog.configure(
            processors=[
                structlog.stdlib.filter_by_level,
                structlog.contextvars.merge_contextvars,
                redact_event,
                structlog.processors.format_exc_info,
                structlog.dev.ConsoleRenderer(colors=False),
            ],
            logger_factory=structlog.stdlib.LoggerFactory(),
            wrapper_class=structlog.stdlib.BoundLogger,
            cache_logger_on_first_use=True,
        )
        formatter = {"format": "%(message)s"}
    quiet = {"filters": ["quiet_suspicious"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "filters": {
            "redact_bearer_links": {"()": "eventhub.logs.RedactBearerLinks"},
            "quiet_suspicious": {"()": "eventhub.logs.QuietSuspiciousRequests"},
        },
        # Redacted on the handler (every record it writes) and on django.request itself, so any
        # other handler (a test's capture, Sentry's breadcrumbs) sees the redacted line too.
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "main", "filters": ["redact_bearer_links"]}
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "daphne": {"level": "WARNING"},
            "django.channels.server": {"level": "WARNING"},
            # One line per request in production (the JSON access log); only 5xx otherwise
            # (Django already logs each 4xx as a warning).
            "django_structlog": {"level": "INFO" if json else "ERROR"},
            "django.request": {"filters": ["redact_bearer_links"]},
            "django.security.DisallowedHost": quiet,
            "django.security.RequestDataTooBig": quiet,
            "django.security.TooManyFieldsSent": quiet,
            "django.security.TooManyFilesSent": quiet,
        },
    }


def start_error_reporting(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    """Send unhandled errors (requests and Celery tasks) to Sentry; personal data stays home."""
    try:
        import sentry_sdk  # noqa: PLC0415 (optional-dependency)
    except ImportError as exc:
        raise RuntimeError(
            "SENTRY_DSN is set but sentry-sdk is missing: pip install -r requirements-sentry.txt"
        ) from exc
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
    )


def bind_client_address(request: Any, logger: Any, **kwargs: Any) -> None:
    """django-structlog's ``bind_extra_request_metadata`` receiver: the client's address as
    ``eventhub.proxy`` determines it (django-structlog's own guess trusts any X-Forwarded-For)."""
    structlog.contextvars.bind_contextvars(ip=client_ip(request))


def bind_user_id(request: Any, logger: Any, log_kwargs: dict[str, Any], **kwargs: Any) -> None:
    """django-structlog's ``bind_extra_request_finished_metadata`` receiver: the user id on the
    request line, read after the view (see ``DJANGO_STRUCTLOG_USER_ID_FIELD`` in the settings).

    A request without a session cookie whose view never asked who the user is stays unread:
    reading it would load the session and add ``Vary: Cookie`` to the answer, which keeps shared
    caches from storing the public pages (``events/public``) that are the same for everyone."""
    user = getattr(request, "user", None)
    if _unread_lazy(user) and settings.SESSION_COOKIE_NAME not in request.COOKIES:
        log_kwargs["user_id"] = None
        return
    log_kwargs["user_id"] = user.pk if user is not None and user.is_authenticated else None


def _unread_lazy(user: Any) -> bool:
    return isinstance(user, SimpleLazyObject) and user._wrapped is empty  # type: ignore[attr-defined]
