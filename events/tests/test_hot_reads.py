"""The hot reads of issue 12 through the application gunicorn serves (``eventhub.wsgi``, with its
two middleware stacks): agenda bodies kept and shared between processes, the offline bundle's
shared public part, the lean stack of token reads. Correctness first: a publish is seen at once
with a new ETag, no personal part reaches another phone, cookie requests keep CSRF."""

import io
import json
import sys
import zlib
from typing import Any

import pytest
from django.conf import settings
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from django.urls import reverse
from django_scopes import scopes_disabled

from eventhub.api.rendered import PREFIX
from eventhub.lanes import NOT_FOR_TOKEN_READS
from eventhub.testing.factories import UserFactory
from eventhub.testing.live import session_token_for
from eventhub.wsgi import application
from events.api.agenda import RENDERED
from events.api.personal import PUBLIC_PARTS
from events.enums import EventVisibility
from events.models import Event
from events.services.agenda import session_delay
from events.tests.agenda_world import World, build_world, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def wsgi(method: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request through ``eventhub.wsgi.application``, as gunicorn makes it."""
    path, _, query = path.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
    started: list[Any] = []
    # Django closes a connection that is inside a transaction when a request ends; the test
    # client disconnects that receiver around each request, and so does this.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        result = application(environ, lambda status, headers, exc_info=None: started.append((status, headers)))
        body = b"".join(result)
        result.close()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    status, response_headers = started[0]
    return int(status.split()[0]), dict(response_headers), body


def token(user) -> dict[str, str]:
    return {"X-Session-Token": session_token_for(user)}


def another_process() -> None:
    """What a second server process holds: nothing of its own (the shared cache stays)."""
    RENDERED.clear_local()
    PUBLIC_PARTS.clear_local()


def publish_through_the_portal(world: World) -> None:
    client = client_for()
    client.force_login(world.editor)
    page = reverse(
        "portal:agenda-publish",
        kwargs={"organization": world.event.organization.slug, "event": world.event.slug},
    )
    assert client.post(page, {"day": "2031-06-10"}).status_code == 302


def lunch_start(body: bytes, world: World) -> str:
    sessions = json.loads(body)["results"]
    return next(s["start"] for s in sessions if s["id"] == world.sessions["lunch"].pk)


# --- agenda bodies ------------------------------------------------------------------------------


def test_agenda_read_after_a_publish_shows_the_change_with_a_new_etag_in_every_process(world):
    me = token(world.attendee)
    status, headers, before = wsgi("GET", world.url("sessions"), me)
    assert status == 200
    etag = headers["ETag"]
    assert wsgi("GET", world.url("sessions"), me)[2] == before  # kept: the same bytes again
    with scopes_disabled():
        session_delay(actor=world.editor, session=world.sessions["lunch"], minutes=30)
    draft_only = wsgi("GET", world.url("sessions"), {**me, "If-None-Match": etag})

    publish_through_the_portal(world)
    status, headers, after = wsgi("GET", world.url("sessions"), {**me, "If-None-Match": etag})
    another_process()
    elsewhere = wsgi("GET", world.url("sessions"), me)

    assert draft_only[0] == 304  # drafts change nothing attendees read
    assert status == 200
    assert headers["ETag"] != etag
    assert lunch_start(before, world) == "2031-06-10T12:00:00+02:00"
    assert lunch_start(after, world) == "2031-06-10T12:30:00+02:00"
    assert (elsewhere[0], elsewhere[1]["ETag"], elsewhere[2]) == (200, headers["ETag"], after)


def test_a_body_kept_in_the_shared_cache_is_served_to_another_process_only_under_its_own_etag(world):
    me = token(world.attendee)
    _, headers, body = wsgi("GET", world.url("sessions"), me)
    stored = cache.get(f"{PREFIX}body:{headers['ETag']}")
    another_process()
    publish_through_the_portal(world)  # nothing to publish: no new version, the same head
    _, again, served = wsgi("GET", world.url("sessions"), me)

    assert stored is not None
    assert stored[0] == body
    assert (again["ETag"], served) == (headers["ETag"], body)


def test_event_row_changed_behind_the_orm_is_seen_by_the_next_read(world):
    outsider = token(UserFactory())
    assert wsgi("GET", world.url("sessions"), outsider)[0] == 200
    with scopes_disabled():  # an UPDATE that does not touch updated_at: the row version still moves
        Event.objects.filter(pk=world.event.pk).update(visibility=EventVisibility.PRIVATE)

    hidden = wsgi("GET", world.url("sessions"), outsider)
    anonymous = wsgi("GET", world.url("sessions"))
    participant = wsgi("GET", world.url("sessions"), token(world.attendee))

    assert (hidden[0], anonymous[0], participant[0]) == (404, 404, 200)


# --- the offline bundle -------------------------------------------------------------------------


def _bundle(world: World, headers: dict[str, str], *, gzip: bool) -> tuple[dict[str, Any], str]:
    encoding = {"Accept-Encoding": "gzip" if gzip else "identity"}
    status, response_headers, body = wsgi("GET", world.url("bundle"), {**headers, **encoding})
    assert status == 200, body[:300]
    if gzip:
        assert response_headers["Content-Encoding"] == "gzip"
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # one gzip member, checked (CRC, length)
        body = inflater.decompress(body) + inflater.flush()
        assert inflater.eof
        assert inflater.unused_data == b""
    else:
        assert "Content-Encoding" not in response_headers
    return json.loads(body), response_headers["ETag"]


def test_bundles_of_two_phones_share_the_public_part_and_never_each_others_personal_part(world):
    ada, bob = world.attendee, world.other_attendee
    keynote, pandas = world.sessions["keynote"].pk, world.sessions["pandas"].pk
    ada_client, bob_client = client_for(ada), client_for(bob)
    assert ada_client.put(world.url(f"sessions/{keynote}/bookmark")).status_code == 201
    assert ada_client.put(world.url(f"sessions/{keynote}/note"), {"text": "Ada's secret"}).status_code == 200
    assert bob_client.put(world.url(f"sessions/{pandas}/bookmark")).status_code == 201
    assert bob_client.put(world.url(f"sessions/{pandas}/note"), {"text": "Bob's secret"}).status_code == 200
    ada_token, bob_token = token(ada), token(bob)

    bundles = []
    for gzip in (True, False, True):  # alternating phones: each one's parts composed onto the kept public part
        bundles.append(("ada", *_bundle(world, ada_token, gzip=gzip)))
        bundles.append(("bob", *_bundle(world, bob_token, gzip=gzip)))
        another_process()

    public_keys = ("event", "schedule_version", "rooms", "tracks", "speakers", "sessions", "announcements")
    first_public = {key: bundles[0][1][key] for key in public_keys}
    for who, bundle, _ in bundles:
        user, session, text = (ada, keynote, "Ada's secret") if who == "ada" else (bob, pandas, "Bob's secret")
        assert list(bundle) == [*public_keys, "bookmarks", "notes", "heads"]
        assert {key: bundle[key] for key in public_keys} == first_public
        assert bundle["bookmarks"] == [session]
        assert bundle["notes"] == [{"session": session, "text": text}]
        assert set(bundle["heads"]) == {f"event:{world.event.pk}", f"user:{user.pk}"}
    etags = {who: {etag for name, _, etag in bundles if name == who} for who in ("ada", "bob")}
    assert etags["ada"].isdisjoint(etags["bob"])


def test_bundle_after_a_publish_has_the_change_a_new_etag_and_the_new_head(world):
    me = token(world.attendee)
    before, etag = _bundle(world, me, gzip=True)
    with scopes_disabled():
        session_delay(actor=world.editor, session=world.sessions["lunch"], minutes=30)
    publish_through_the_portal(world)
    another_process()
    after, new_etag = _bundle(world, me, gzip=True)
    status = wsgi("GET", world.url("bundle"), {**me, "Accept-Encoding": "gzip", "If-None-Match": etag})[0]

    def start(bundle: dict[str, Any]) -> str:
        return next(s["start"] for s in bundle["sessions"] if s["id"] == world.sessions["lunch"].pk)

    stream = f"event:{world.event.pk}"
    assert (start(before), start(after)) == ("2031-06-10T12:00:00+02:00", "2031-06-10T12:30:00+02:00")
    assert after["schedule_version"] == before["schedule_version"] + 1
    assert after["heads"][stream] > before["heads"][stream]
    assert new_etag != etag
    assert status == 200


# --- the lean stack of token reads --------------------------------------------------------------


def test_token_reads_keep_security_headers_private_caching_and_set_no_cookie(world):
    status, headers, _ = wsgi("GET", world.url("sessions"), token(world.attendee))

    assert status == 200
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert headers["Server"] == "EventHub"
    assert headers["Cache-Control"] == "private, no-cache"
    assert {"X-Session-Token", "Cookie"} <= {part.strip() for part in headers["Vary"].split(",")}
    assert "Set-Cookie" not in headers


def test_cookie_requests_take_the_whole_stack_where_csrf_still_applies(world):
    client = client_for()
    client.force_login(world.attendee)
    cookie = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    bookmark = world.url(f"sessions/{world.sessions['keynote'].pk}/bookmark")

    read = wsgi("GET", world.url("me/bookmarks"), cookie)
    read_with_both = wsgi("GET", world.url("me/bookmarks"), {**cookie, **token(world.other_attendee)})
    refused = wsgi("PUT", bookmark, cookie)  # no CSRF token
    by_token = wsgi("PUT", bookmark, token(world.attendee))

    assert read[0] == 200
    assert read_with_both[0] == 200
    assert refused[0] == 403
    assert json.loads(refused[2])["error"]["code"] == "permission_denied"
    assert "CSRF" in json.loads(refused[2])["error"]["detail"]
    assert by_token[0] == 201


def test_every_middleware_is_in_the_lean_stack_in_order_or_skipped_for_a_reason():
    lean = [name for name in settings.API_TOKEN_READ_MIDDLEWARE if name not in settings.MIDDLEWARE]
    kept = [name for name in settings.API_TOKEN_READ_MIDDLEWARE if name in settings.MIDDLEWARE]

    assert lean == ["eventhub.api.middleware.AnonymousUntilAuthenticatedMiddleware"]
    assert kept == [name for name in settings.MIDDLEWARE if name in kept]  # the whole stack's order
    assert set(settings.MIDDLEWARE) - set(kept) == set(NOT_FOR_TOKEN_READS)
