"""Headers every answer gets (issue 11): a Content-Security-Policy by path — pages allow only our
own scripts, API answers are data — and a Server header that names no software."""

import re

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from eventhub.testing.factories import EventFactory, MemberFactory
from events.services.displays import display_link_create

pytestmark = pytest.mark.django_db

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "connect-src 'self' ws://testserver"
)
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"


@pytest.fixture
def member(plain_static_storage):
    return MemberFactory()


def test_portal_admin_and_account_pages_allow_only_own_scripts(member, admin_user):
    client = Client()
    client.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    admin = Client()
    admin.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")

    answers = {
        "portal": client.get("/portal/"),
        "organization": client.get(f"/portal/{member.organization.slug}/"),
        "login page": Client().get("/accounts/login/"),
        "admin": admin.get("/admin/"),
    }

    assert {name: (r.status_code, r["Content-Security-Policy"]) for name, r in answers.items()} == {
        name: (200, PAGE_POLICY) for name in answers
    }


def test_door_display_page_allows_only_own_scripts(plain_static_storage):
    event = EventFactory()
    owner = MemberFactory(organization=event.organization).user
    with scopes_disabled():
        link = display_link_create(actor=owner, event=event, name="Hall")

    response = Client().get(f"/displays/{link.token}")

    assert (response.status_code, response["Content-Security-Policy"]) == (200, PAGE_POLICY)


def test_api_docs_run_their_inline_script_by_nonce_only(plain_static_storage):
    first, second = Client().get("/api/v1/docs/"), Client().get("/api/v1/docs/")

    nonces = [re.search(r"script-src 'self' 'nonce-([\w-]+)'", r["Content-Security-Policy"]) for r in (first, second)]
    assert first["Content-Security-Policy"] == PAGE_POLICY.replace(
        "script-src 'self'", f"script-src 'self' 'nonce-{nonces[0][1]}'"
    ).replace(" ws://testserver", "")
    assert f'<script nonce="{nonces[0][1]}">' in first.content.decode()
    assert nonces[0][1] != nonces[1][1]
    assert re.findall(r"<script(?: [^>]*)?>", first.content.decode()).count("<script>") == 0


def test_api_answers_are_data_and_no_answer_names_its_server():
    answers = [Client().get("/api/v1/me"), Client().get("/_allauth/app/v1/config"), Client().get("/portal/")]

    assert [r["Content-Security-Policy"] for r in answers[:2]] == [DATA_POLICY] * 2
    assert [r["Server"] for r in answers] == ["EventHub"] * 3


APP_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
    "manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'; connect-src 'self' ws://testserver"
)


def test_attendee_app_shell_worker_and_manifest_run_under_the_strict_app_policy(plain_static_storage):
    client = Client()

    shell = client.get("/app/")
    worker = client.get("/app/sw.js")
    manifest = client.get("/app/manifest.webmanifest")
    strings = client.get("/app/jsi18n.js")

    assert [r.status_code for r in (shell, worker, manifest, strings)] == [200, 200, 200, 200]
    assert {r["Content-Security-Policy"] for r in (shell, worker, manifest, strings)} == {APP_POLICY}
    body = shell.content.decode()
    assert "<script>" not in body  # no inline script: only src=
    assert 'style="' not in body
    assert worker["Content-Type"] == "text/javascript; charset=utf-8"
    source = worker.content.decode()
    assert re.match(r'const VERSION = "[0-9a-f]{16}";\nconst ASSETS = \[', source)
    assert '"/static/app/app.js"' in source
    assert '"/static/app/screens/agenda.js"' in source
    assert manifest.json()["start_url"] == "/app/"
    assert manifest.json()["display"] == "standalone"
