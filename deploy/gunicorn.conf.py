"""gunicorn settings of the production profile (deploy/supervise.py passes bind and workers).

Sync workers behind nginx, which buffers slow clients; the app is loaded once in the master
(``preload_app``) so a worker killed or recycled comes back in milliseconds.
"""

import os

from prometheus_client import multiprocess

preload_app = True
worker_class = "sync"
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = None  # nginx writes the access log; the app logs each request with its request id
errorlog = "-"
# nginx on this host is the only client; it sets X-Forwarded-Proto from the scheme it served,
# and no other scheme header is believed.
forwarded_allow_ips = "127.0.0.1,::1"
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}


def child_exit(server, worker):
    """A dead worker's live gauges leave the multiprocess sums (prometheus_client)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
