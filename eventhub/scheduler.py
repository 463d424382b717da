"""The embedded scheduler: runs ``CELERY_BEAT_SCHEDULE`` in-process when there is no Redis and
so no ``celery beat`` (DESIGN §5). One schedule, two runners."""

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections

from eventhub.celery import app

logger = logging.getLogger(__name__)
_started = False


def _run_forever() -> None:
    app.loader.import_default_modules()
    schedule = {name: float(str(entry["schedule"])) for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}
    next_run = dict.fromkeys(schedule, time.monotonic() + 5.0)
    while True:
        now = time.monotonic()
        for name, due in next_run.items():
            if now >= due:
                next_run[name] = now + schedule[name]
                try:
                    app.tasks[settings.CELERY_BEAT_SCHEDULE[name]["task"]].apply()
                except Exception:
                    logger.exception("scheduled task %s failed", name)
                finally:
                    close_old_connections()
        time.sleep(1.0)


def start_embedded_scheduler() -> None:
    global _started
    if _started or not settings.EMBEDDED_SCHEDULER:
        return
    _started = True
    threading.Thread(target=_run_forever, name="embedded-scheduler", daemon=True).start()
