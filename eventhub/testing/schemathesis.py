"""schemathesis over every operation of ``/api/v1/schema/`` against a live server (issue 11):
no 5xx, and every answer conforms to the schema (status documented, content type, headers and
body). Shared by the bounded CI run (``eventhub/tests/test_schemathesis.py``) and the long run
(``bench/schema_fuzz.py``). Plain Python, no Django: the bench imports it outside a project.

Path parameters are pinned to real objects (the demo event, one of its sessions, ticket types,
tickets) through a schemathesis config file, so generated requests reach the views' logic
instead of stopping at a 404 for a random id; query, header and body values stay generated."""

import subprocess
import sys
from pathlib import Path

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
SCHEMA_PATH = "/api/v1/schema/?format=json"


def write_config(path: Path, parameters: dict[str, int | str]) -> Path:
    """A schemathesis.toml that pins these path parameters for every operation."""
    lines = ["[parameters]"]
    for name, value in sorted(parameters.items()):
        lines.append(f'"path.{name}" = {value}' if isinstance(value, int) else f'"path.{name}" = "{value}"')
    path.write_text("\n".join(lines) + "\n")
    return path


def command(
    *,
    base_url: str,
    token: str,
    config: Path,
    examples: int,
    seed: int,
    phases: str = "examples,coverage,fuzzing",
    max_time: int | None = None,
    workers: int = 1,
) -> list[str]:
    """The ``schemathesis run`` command line for one session token."""
    args = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(config),
        "run",
        base_url + SCHEMA_PATH,
        "--header",
        f"X-Session-Token: {token}",
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(examples),
        "--phases",
        phases,
        "--workers",
        str(workers),
        "--seed",
        str(seed),
        "--no-shrink",
        "--max-failures",
        "100",
        "--request-timeout",
        "60",
        "--warnings",
        "off",
    ]
    if max_time is not None:
        args += ["--max-time", str(max_time)]
    return args


def run(args: list[str], *, timeout: float, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run it in ``cwd`` (schemathesis keeps a ``.schemathesis/`` cache in its working folder)."""
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False, cwd=cwd)
