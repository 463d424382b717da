"""Logging: plain message lines (the embedded default) or one JSON object per line (production).

structlog renders our own events and, through ``ProcessorFormatter``, every standard-library
record too (Django, Celery, daphne), so a JSON deployment has no plain line in its output. The
request id that django-structlog binds per request (and carries into the Celery tasks a request
enqueues) is merged into every record logged while it is bound. Imported by the settings module:
nothing here may touch Django settings at import time.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

from eventhub.proxy import client_ip

_SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
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
                structlog.processors.format_exc_info,
                structlog.dev.ConsoleRenderer(colors=False),
            ],
            logger_factory=structlog.stdlib.LoggerFactory(),
            wrapper_class=structlog.stdlib.BoundLogger,
            cache_logger_on_first_use=True,
        )
        formatter = {"format": "%(message)s"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "main"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "daphne": {"level": "WARNING"},
            "django.channels.server": {"level": "WARNING"},
            # One line per request in production (the JSON access log); only 5xx otherwise
            # (Django already logs each 4xx as a warning).
            "django_structlog": {"level": "INFO" if json else "ERROR"},
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
