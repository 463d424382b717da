"""The production profile: nginx in front of gunicorn (HTTP) and daphne (WebSockets), a Celery
worker and a separate beat — started, watched and restarted by this one small supervisor.

    scripts/serve --production          # = make serve (after migrate and collectstatic)

Every process inherits this one's stdout/stderr (one log stream, JSON lines by default). A
process that exits is started again (after 0.5 s, doubling to 10 s while it keeps dying young);
SIGTERM or SIGINT stops them all (SIGKILL after 15 s). Children get SIGTERM if this supervisor
dies, however it dies. Runtime files — the rendered nginx.conf, pids, nginx's logs and temp
files, the Prometheus multiprocess directory, ``processes.json`` (name → pid) — live in
``SERVE_RUN_DIR`` (default ``var/run``). Settings: docs/production.md.
"""

from __future__ import annotations

import ctypes
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROCESS_KINDS = ("nginx", "web", "sockets", "worker", "beat")
_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_LIBC = ctypes.CDLL(None, use_errno=True)


def log(event: str, **fields: object) -> None:
    if os.environ.get("LOG_FORMAT", "json") == "json":
        line = json.dumps(
            {
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "logger": "supervise",
                "event": event,
                **fields,
            }
        )
    else:
        line = f"supervise: {event} " + " ".join(f"{key}={value}" for key, value in fields.items())
    print(line, file=sys.stderr, flush=True)


def _die_with_parent() -> None:
    """In the child between fork and exec: SIGTERM when the supervisor's thread exits."""
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


@dataclass
class Config:
    host: str
    port: int
    internal_host: str
    web_port: int
    socket_ports: list[int]
    web_workers: int
    worker_concurrency: int
    kinds: list[str]
    run_dir: Path
    behind_proxy: bool
    tls_certificate: str
    tls_certificate_key: str

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Config:
        port = int(env.get("PORT", "8000"))
        cores = os.cpu_count() or 1
        if env.get("SOCKET_PORTS"):
            socket_ports = [int(part) for part in env["SOCKET_PORTS"].split(",") if part.strip()]
        else:
            socket_ports = [port + 2 + index for index in range(int(env.get("SOCKET_PROCESSES", "2")))]
        kinds = [part.strip() for part in env.get("SERVE_PROCESSES", ",".join(PROCESS_KINDS)).split(",") if part]
        unknown = set(kinds) - set(PROCESS_KINDS)
        if unknown:
            raise SystemExit(
                f"SERVE_PROCESSES: unknown {', '.join(sorted(unknown))} (known: {', '.join(PROCESS_KINDS)})"
            )
        return cls(
            host=env.get("HOST", "127.0.0.1"),
            port=port,
            internal_host=env.get("INTERNAL_HOST", "127.0.0.1"),
            web_port=int(env.get("WEB_PORT", str(port + 1))),
            socket_ports=socket_ports,
            web_workers=int(env.get("WEB_WORKERS", str(cores))),
            worker_concurrency=int(env.get("CELERY_CONCURRENCY", str(cores))),
            kinds=kinds,
            run_dir=Path(env.get("SERVE_RUN_DIR", str(ROOT / "var" / "run"))).resolve(),
            behind_proxy=env.get("NGINX_BEHIND_PROXY", "0") == "1",
            tls_certificate=env.get("TLS_CERTIFICATE", ""),
            tls_certificate_key=env.get("TLS_CERTIFICATE_KEY", ""),
        )


def child_env(config: Config, base: dict[str, str]) -> dict[str, str]:
    """The environment of every process: the caller's, plus what this profile implies."""
    env = dict(base)
    env.setdefault("DJANGO_SETTINGS_MODULE", "eventhub.settings")
    env.setdefault("LOG_FORMAT", "json")
    # nginx replaces X-Forwarded-For with the peer it saw (one proxy); behind a load balancer it
    # appends to the balancer's header (two).
    env.setdefault("TRUSTED_PROXY_COUNT", "2" if config.behind_proxy else "1")
    env.setdefault("TRUST_X_FORWARDED_PROTO", "1")
    env.setdefault("EMBEDDED_SCHEDULER", "0")
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(config.run_dir / "prometheus"))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def django_paths(env: dict[str, str]) -> dict[str, str]:
    """STATIC_ROOT and MEDIA_ROOT as the settings compute them (loading the settings module
    alone, in a child, so this process keeps no Django state)."""
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps({'static_root': str(settings.STATIC_ROOT), 'media_root': str(settings.MEDIA_ROOT)}))"
    )
    env = {name: value for name, value in env.items() if name != "PROMETHEUS_MULTIPROC_DIR"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"the settings do not load:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def render_nginx(config: Config, paths: dict[str, str], template: Path | None = None) -> str:
    template_text = (template or ROOT / "deploy" / "nginx.conf.template").read_text()
    indent = " " * 12
    if config.behind_proxy:
        forwarded_for = "$proxy_add_x_forwarded_for"
        forwarded_proto = "$forwarded_proto"
        maps = (
            "    map $http_x_forwarded_proto $forwarded_proto {\n"
            '        default $http_x_forwarded_proto;\n        ""      $scheme;\n    }\n'
        )
    else:
        # The edge: whatever the client claims in these headers is replaced.
        forwarded_for, forwarded_proto, maps = "$remote_addr", "$scheme", ""
    proxy_headers = "\n".join(
        f"{indent}proxy_set_header {name} {value};"
        for name, value in (
            ("Host", "$http_host"),
            ("X-Forwarded-For", forwarded_for),
            ("X-Forwarded-Proto", forwarded_proto),
            ("X-Request-ID", "$request_id"),
        )
    )
    listen = f"{config.host}:{config.port}" if ":" not in config.host else f"[{config.host}]:{config.port}"
    if config.tls_certificate:
        listen_lines = (
            f"        listen {listen} ssl http2;\n"
            f"        ssl_certificate {config.tls_certificate};\n"
            f"        ssl_certificate_key {config.tls_certificate_key or config.tls_certificate};\n"
            "        ssl_protocols TLSv1.2 TLSv1.3;"
        )
    else:
        listen_lines = f"        listen {listen};"
    user = pwd.getpwuid(os.geteuid()).pw_name
    values = {
        # Started as root, nginx would switch its workers to "nobody"; they stay this user instead.
        "user_directive": f"user {user};" if os.geteuid() == 0 else "",
        "worker_processes": os.environ.get("NGINX_WORKER_PROCESSES", "auto"),
        "worker_connections": os.environ.get("NGINX_WORKER_CONNECTIONS", "4096"),
        "run_dir": str(config.run_dir),
        "mime_types": os.environ.get("NGINX_MIME_TYPES", "/etc/nginx/mime.types"),
        "client_max_body_size": os.environ.get("NGINX_CLIENT_MAX_BODY_SIZE", "12m"),
        "access_log": f"{config.run_dir}/nginx-access.log eventhub",
        "forwarded_maps": maps,
        "web_address": f"{config.internal_host}:{config.web_port}",
        "socket_servers": "\n".join(
            # Three failures, not one: at doors open a burst of slow handshakes must not mark every
            # daphne down at once (nginx then refuses all sockets for fail_timeout); a killed
            # daphne is still passed over, its refused connects retried on the next one.
            f"        server {config.internal_host}:{port} max_fails=3 fail_timeout=5s;"
            for port in config.socket_ports
        ),
        "listen": listen_lines,
        "static_root": paths["static_root"].rstrip("/"),
        "media_root": paths["media_root"].rstrip("/"),
        "proxy_headers": proxy_headers,
        "web_timeout": f"{int(os.environ.get('WEB_TIMEOUT', '30')) + 5}s",
    }

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise SystemExit(f"nginx template: unknown placeholder {{{{{name}}}}}")
        return values[name]

    return re.sub(r"\{\{(\w+)\}\}", fill, template_text)


def commands(config: Config) -> dict[str, list[str]]:
    """Name → command line of every process this host runs."""
    run = config.run_dir
    found: dict[str, list[str]] = {}
    if "nginx" in config.kinds:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        found["nginx"] = [nginx, "-p", str(run / "nginx-prefix"), "-c", str(run / "nginx.conf"), "-e", "stderr"]
    if "web" in config.kinds:
        found["web"] = [
            str(BIN / "gunicorn"),
            "--config",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--bind",
            f"{config.internal_host}:{config.web_port}",
            "--workers",
            str(config.web_workers),
            "--pid",
            str(run / "gunicorn.pid"),
            "eventhub.wsgi:application",
        ]
    if "sockets" in config.kinds:
        for index, port in enumerate(config.socket_ports, start=1):
            found[f"socket-{index}"] = [
                str(BIN / "daphne"),
                "-b",
                config.internal_host,
                "-p",
                str(port),
                "--proxy-headers",
                "--server-name",  # the WebSocket handshake's Server header (docs/decisions.md)
                "EventHub",
                # daphne drops a socket its app has not accepted in 5 s; at doors open the accept
                # (authentication, subscription) waits behind thousands of others (bench/README.md).
                "--websocket_connect_timeout",
                "30",
                "--websocket-max-message-size",
                "65536",
                "--websocket-max-frame-size",
                "65536",
                "eventhub.asgi:application",
            ]
    if "worker" in config.kinds:
        found["worker"] = [
            str(BIN / "celery"),
            "-A",
            "eventhub",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            str(config.worker_concurrency),
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"worker@{os.uname().nodename}",
        ]
    if "beat" in config.kinds:
        found["beat"] = [
            str(BIN / "celery"),
            "-A",
            "eventhub",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(run / "celerybeat-schedule"),
            "--pidfile",
            str(run / "celerybeat.pid"),
        ]
    return found


@dataclass
class Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    backoff: float = 0.5
    restart_at: float | None = None
    pids_seen: list[int] = field(default_factory=list)


class Supervisor:
    MIN_BACKOFF, MAX_BACKOFF, HEALTHY_AFTER, STOP_GRACE = 0.5, 10.0, 30.0, 15.0

    def __init__(self, config: Config, env: dict[str, str]) -> None:
        self.config, self.env = config, env
        self.children = {name: Child(name, argv) for name, argv in commands(config).items()}
        self.stopping = False
        self.last_death = self.last_orphan_scan = 0.0

    def start(self, child: Child) -> None:
        if child.name == "beat":
            # A beat killed with -9 leaves its pidfile behind, and would refuse to start again.
            (self.config.run_dir / "celerybeat.pid").unlink(missing_ok=True)
        child.proc = subprocess.Popen(child.argv, cwd=ROOT, env=self.env, preexec_fn=_die_with_parent)
        child.started_at = time.monotonic()
        child.restart_at = None
        child.pids_seen.append(child.proc.pid)
        log("started", process=child.name, pid=child.proc.pid, restarts=child.restarts)
        self.write_state()

    def write_state(self) -> None:
        state = {
            "supervisor": os.getpid(),
            "processes": {
                name: {"pid": child.proc.pid if child.proc else None, "restarts": child.restarts}
                for name, child in self.children.items()
            },
        }
        path = self.config.run_dir / "processes.json"
        path.with_suffix(".tmp").write_text(json.dumps(state, indent=2))
        path.with_suffix(".tmp").replace(path)

    def _known_pids(self) -> set[int]:
        return {child.proc.pid for child in self.children.values() if child.proc is not None}

    def kill_orphans(self) -> None:
        """Processes left behind by a child that died (nginx's workers outlive a killed master
        and keep its port; Celery's pool processes may linger): as the child subreaper we adopt
        them, and end them so the restarted child starts clean."""
        me, known = os.getpid(), self._known_pids()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                pid = int(stat.parent.name)
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, ValueError, IndexError):
                continue
            if int(fields[1]) != me or pid in known:
                continue
            if fields[0] != "Z":
                log("ending orphan", pid=pid)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    continue
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass

    def reap(self) -> None:
        now = time.monotonic()
        for child in self.children.values():
            if child.proc is not None and child.proc.poll() is not None:
                lived = now - child.started_at
                code = child.proc.returncode
                self._forget_metrics(child.proc.pid)
                child.proc = None
                self.last_death = now
                if self.stopping:
                    continue
                child.backoff = (
                    self.MIN_BACKOFF if lived > self.HEALTHY_AFTER else min(child.backoff * 2, self.MAX_BACKOFF)
                )
                delay = self.MIN_BACKOFF if lived > self.HEALTHY_AFTER else child.backoff
                child.restart_at = now + delay
                log("exited", process=child.name, code=code, lived_seconds=round(lived, 1), restart_in=delay)
        # Orphans appear when a child dies: look right after a death, else every few seconds.
        if now - self.last_death < 10 or now - self.last_orphan_scan > 5:
            self.last_orphan_scan = now
            self.kill_orphans()
        for child in self.children.values():
            if child.proc is None and child.restart_at is not None and now >= child.restart_at and not self.stopping:
                child.restarts += 1
                self.start(child)

    def _forget_metrics(self, pid: int) -> None:
        directory = self.env.get("PROMETHEUS_MULTIPROC_DIR")
        if directory:
            for path in Path(directory).glob(f"gauge_live*_{pid}.db"):
                path.unlink(missing_ok=True)

    def stop(self, *_: object) -> None:
        if self.stopping:
            return
        self.stopping = True
        log("stopping", processes=len(self.children))
        for child in self.children.values():
            if child.proc is not None and child.proc.poll() is None:
                child.proc.send_signal(signal.SIGQUIT if child.name == "nginx" else signal.SIGTERM)
        deadline = time.monotonic() + self.STOP_GRACE
        for child in self.children.values():
            if child.proc is None:
                continue
            try:
                child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log("killing", process=child.name, pid=child.proc.pid)
                child.proc.kill()
                child.proc.wait()
            child.proc = None
        self.kill_orphans()

    def run(self) -> int:
        _LIBC.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        for child in self.children.values():
            self.start(child)
        announced = False
        while not self.stopping:
            self.reap()
            if not announced and "nginx" in self.children and self._answers():
                announced = True
                log("serving", url=f"http://{self.config.host}:{self.config.port}/", processes=sorted(self.children))
            time.sleep(0.2)
        return 0

    def _answers(self) -> bool:
        """nginx serves /healthz from gunicorn (asked only once gunicorn listens, so nginx logs
        no refused upstream while the app boots)."""
        web = (self.config.internal_host, self.config.web_port)
        if "web" in self.children:
            try:
                socket.create_connection(web, timeout=1).close()
            except OSError:
                return False
        try:
            with urllib.request.urlopen(  # noqa: S310 (our own address)
                f"http://{self.config.host}:{self.config.port}/healthz", timeout=1
            ) as response:
                return response.status == 200
        except OSError:
            return False


def prepare(config: Config, env: dict[str, str]) -> None:
    run = config.run_dir
    for directory in (run, run / "nginx-prefix", run / "nginx-temp"):
        directory.mkdir(parents=True, exist_ok=True)
    metrics_dir = Path(env["PROMETHEUS_MULTIPROC_DIR"])
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in metrics_dir.glob("*.db"):  # the values of processes of an earlier run
        stale.unlink()
    if "nginx" in config.kinds:
        (run / "nginx.conf").write_text(render_nginx(config, django_paths(env)))
        test = subprocess.run(commands(config)["nginx"] + ["-t", "-q"], capture_output=True, text=True, check=False)
        if test.returncode != 0:
            raise SystemExit(f"nginx refuses {run / 'nginx.conf'}:\n{test.stderr}")


def main() -> int:
    config = Config.from_env(dict(os.environ))
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing:
        raise SystemExit(
            f"the production profile needs {' and '.join(missing)} (PostgreSQL and Redis); "
            "`make run` is the embedded profile that needs neither"
        )
    env = child_env(config, dict(os.environ))
    prepare(config, env)
    return Supervisor(config, env).run()


if __name__ == "__main__":
    sys.exit(main())
