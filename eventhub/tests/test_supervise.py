"""The production profile's nginx configuration, rendered by deploy/supervise.py for each layout
and checked by nginx itself (`nginx -t`), without starting anything."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from deploy import supervise

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
PATHS = {"static_root": "/srv/eventhub/static", "media_root": "/srv/eventhub/media"}


def config(tmp_path: Path, **env: str) -> supervise.Config:
    return supervise.Config.from_env({"PORT": "9000", "SERVE_RUN_DIR": str(tmp_path / "run"), **env})


def nginx_accepts(tmp_path: Path, conf: supervise.Config) -> None:
    if NGINX is None:
        pytest.skip("nginx is not installed (scripts/serve --production installs it)")
    for directory in (conf.run_dir / "nginx-prefix", conf.run_dir / "nginx-temp"):
        directory.mkdir(parents=True, exist_ok=True)
    (conf.run_dir / "nginx.conf").write_text(supervise.render_nginx(conf, PATHS))
    result = subprocess.run(
        [*supervise.commands(conf)["nginx"], "-t", "-q"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_defaults_route_every_kind_of_process_of_one_host(tmp_path):
    conf = config(tmp_path)

    assert (conf.web_port, conf.socket_ports) == (9001, [9002, 9003])
    assert set(supervise.commands(conf)) == {"nginx", "web", "socket-1", "socket-2", "worker", "beat"}
    rendered = supervise.render_nginx(conf, PATHS)
    assert "listen 127.0.0.1:9000;" in rendered
    assert "server 127.0.0.1:9001;" in rendered
    assert "server 127.0.0.1:9002 max_fails=3 fail_timeout=5s;" in rendered
    assert "server 127.0.0.1:9003 max_fails=3 fail_timeout=5s;" in rendered
    assert "alias /srv/eventhub/static/;" in rendered
    assert "alias /srv/eventhub/media/;" in rendered
    assert "server_tokens off;" in rendered
    # At the edge, what the client claims is replaced, in every proxied location (web, sockets, exports).
    assert rendered.count("proxy_set_header X-Forwarded-For $remote_addr;") == 3
    assert rendered.count("proxy_set_header X-Forwarded-Proto $scheme;") == 3
    assert "{{" not in rendered
    nginx_accepts(tmp_path, conf)


def test_behind_a_load_balancer_nginx_appends_to_its_forwarding_headers(tmp_path):
    conf = config(tmp_path, NGINX_BEHIND_PROXY="1")

    rendered = supervise.render_nginx(conf, PATHS)

    assert rendered.count("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;") == 3
    assert rendered.count("proxy_set_header X-Forwarded-Proto $forwarded_proto;") == 3
    assert supervise.child_env(conf, {})["TRUSTED_PROXY_COUNT"] == "2"
    assert supervise.child_env(config(tmp_path), {})["TRUSTED_PROXY_COUNT"] == "1"
    nginx_accepts(tmp_path, conf)


def test_with_a_certificate_nginx_serves_tls(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "events.example.org")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    conf = config(tmp_path, TLS_CERTIFICATE=str(tmp_path / "cert.pem"), TLS_CERTIFICATE_KEY=str(tmp_path / "key.pem"))

    rendered = supervise.render_nginx(conf, PATHS)

    assert "listen 127.0.0.1:9000 ssl http2;" in rendered
    nginx_accepts(tmp_path, conf)


def test_a_host_runs_only_the_processes_it_is_given(tmp_path):
    assert set(supervise.commands(config(tmp_path, SERVE_PROCESSES="nginx,sockets", SOCKET_PROCESSES="3"))) == {
        "nginx",
        "socket-1",
        "socket-2",
        "socket-3",
    }
    with pytest.raises(SystemExit, match="unknown web2"):
        config(tmp_path, SERVE_PROCESSES="web2")
