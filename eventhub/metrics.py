"""EventHub's own Prometheus metrics — the one module that defines them (docs/production.md).

django-prometheus adds the request, response and latency metrics of every view; these count
what only we know. Call sites use the functions below, never the metric objects, so label
names and cardinality stay decided here: streams are labelled by kind (``event``,
``event:staff``, ``user``, ``conversation``), never by id.

With ``PROMETHEUS_MULTIPROC_DIR`` set (the production profile sets it for every process)
prometheus_client keeps each process's values in files there, and ``/metrics`` in any process
adds them up, so one scrape sees the gunicorn workers, the daphne processes and the Celery
workers together. The variable must be set before this module is first imported.
"""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

STREAM_APPENDS = Counter(
    "eventhub_stream_appends_total", "Entries appended to the stream log, by stream kind.", ["kind"]
)
HUB_DELIVERIES = Counter(
    "eventhub_hub_deliveries_total", "Entry frames the hubs offered to local sockets, by stream kind.", ["kind"]
)
SOCKETS = Gauge("eventhub_websocket_connections", "Open stream WebSocket connections.", multiprocess_mode="livesum")
STREAM_LAG = Histogram(
    "eventhub_stream_lag_seconds",
    "From an entry's append (its `at`) to the start of its fan-out by a hub, by stream kind.",
    ["kind"],
    buckets=_LATENCY_BUCKETS,
)
TASK_DURATION = Histogram(
    "eventhub_task_duration_seconds",
    "Celery task run time, by task name and final state.",
    ["task", "state"],
    buckets=_LATENCY_BUCKETS + (60.0, 300.0),
)
SCANS = Counter("eventhub_scans_total", "Ticket scans at the gates, by result.", ["result"])


def stream_kind_label(stream: str) -> str:
    """``event:12:staff`` → ``event:staff``: the stream's name without its ids."""
    return ":".join(part for part in stream.split(":") if not part.isdigit())


def count_append(stream: str, count: int = 1) -> None:
    STREAM_APPENDS.labels(kind=stream_kind_label(stream)).inc(count)


def count_fanout(stream: str, *, sockets: int, frame: str, now: datetime | None = None) -> None:
    """One entry frame offered to ``sockets`` local sockets; its lag is read from the frame's
    trailing ``"at"`` without decoding the JSON (the hub never decodes frames)."""
    kind = stream_kind_label(stream)
    HUB_DELIVERIES.labels(kind=kind).inc(sockets)
    start = frame.rfind('"at":"')
    if start < 0:
        return
    try:
        at = datetime.fromisoformat(frame[start + 6 : frame.index('"', start + 6)])
    except ValueError:
        return
    STREAM_LAG.labels(kind=kind).observe(max(0.0, ((now or datetime.now(UTC)) - at).total_seconds()))


def socket_opened() -> None:
    SOCKETS.inc()


def socket_closed() -> None:
    SOCKETS.dec()


def observe_task(task: str, state: str, seconds: float) -> None:
    TASK_DURATION.labels(task=task, state=state).observe(seconds)


def count_scan(result: str) -> None:
    SCANS.labels(result=result).inc()
