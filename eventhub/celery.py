import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventhub.settings")

app = Celery("eventhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class EventHubTask(Task):
    """The base of every task: acknowledged after it ran (a crashed worker's task runs again),
    so tasks are written to be idempotent and take keyword-only primitive ids."""

    acks_late = True
    reject_on_worker_lost = True
    max_retries = 5
