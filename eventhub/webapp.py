"""The attendee app's shell (``/app/``): one HTML page with no data in it, its service worker
and its web app manifest. Everything the app shows it reads from ``/api/v1/``,
``/_allauth/app/v1/`` and ``/ws/v1/`` like a phone (docs/app.md)."""

import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

APP_STATIC = "app"
# What the service worker keeps for offline use besides the app's own files.
EXTRA_STATIC = ("vendor/qrcode-generator/qrcode.mjs",)
APP_PAGES = ("/app/", "/app/jsi18n.js", "/app/manifest.webmanifest")
WORKER_SOURCE = "sw.src.js"


def _located(path: str) -> Path | None:
    found = finders.find(path)
    return Path(found) if isinstance(found, str) else None


@cache
def _static_files() -> tuple[list[str], str]:
    """The app's static paths (relative to STATIC_URL) and a version hash over their contents:
    a new deploy changes the hash, so the service worker installs afresh and drops the old cache."""
    root = _located(APP_STATIC)
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != WORKER_SOURCE) if root else []
    paths = [f"{APP_STATIC}/{p.relative_to(root).as_posix()}" for p in files if root] + list(EXTRA_STATIC)
    digest = hashlib.sha256()
    for path in paths:
        if located := _located(path):
            digest.update(path.encode() + located.read_bytes())
    return paths, digest.hexdigest()[:16]


def _static_url(path: str) -> str:
    # Unhashed names: the ES modules import each other by relative path, so every file of the
    # app is asked for by its plain name; the service worker's version keeps them coherent.
    return f"{settings.STATIC_URL}{path}"


@require_GET
def shell(request: HttpRequest) -> HttpResponse:
    """The app's one page. Routing happens in the browser (``#/agenda`` …)."""
    paths, version = _static_files()
    # Every module at once: without the hints the browser finds them level by level of imports.
    modules = [_static_url(p) for p in paths if p.endswith((".js", ".mjs")) and p != f"{APP_STATIC}/app.js"]
    return render(
        request, "app/shell.html", {"static_prefix": settings.STATIC_URL, "version": version, "modules": modules}
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """``/app/sw.js``: served under ``/app/`` so its scope is the app, with the list of files to
    keep offline written into it."""
    paths, version = _static_files()
    source = _located(f"{APP_STATIC}/{WORKER_SOURCE}")
    assets = [*APP_PAGES, *(_static_url(p) for p in paths)]
    header = f"const VERSION = {json.dumps(version)};\nconst ASSETS = {json.dumps(assets)};\n"
    body = header + (source.read_text() if source else "")
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    icons = [
        {"src": static(f"app/icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    maskable = static("app/icons/maskable-512.png")
    icons.append({"src": maskable, "sizes": "512x512", "type": "image/png", "purpose": "maskable"})
    response = JsonResponse(
        {
            "name": _("EventHub"),
            "short_name": _("EventHub"),
            "description": _("Your events: agenda, tickets and live updates, also offline."),
            "start_url": "/app/",
            "scope": "/app/",
            "display": "standalone",
            "background_color": "#f4f5f8",
            "theme_color": "#151a2d",
            "icons": icons,
        }
    )
    response["Content-Type"] = "application/manifest+json"
    return response
