import os
import time
from typing import Any

from celery import Celery, Task
from celery.signals import task_postrun, task_prerun
from django_structlog.celery.steps import DjangoStructLogInitStep

from eventhub import metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventhub.settings")

app = Celery("eventhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The request id of the request that enqueued a task is bound in the task's logs.
app.steps["worker"].add(DjangoStructLogInitStep)


class EventHubTask(Task):
    """The base of every task: acknowledged after it ran (a crashed worker's task runs again),
    so tasks are written to be idempotent and take keyword-only primitive ids."""

    acks_late = True
    reject_on_worker_lost = True
    max_retries = 5


_started: dict[str, float] = {}


@task_prerun.connect
def _task_started(task_id: str, **kwargs: Any) -> None:
    _started[task_id] = time.monotonic()


@task_postrun.connect
def _task_finished(task_id: str, task: Task, state: str | None = None, **kwargs: Any) -> None:
    started = _started.pop(task_id, None)
    if started is not None:
        metrics.observe_task(task.name, state or "UNKNOWN", time.monotonic() - started)
