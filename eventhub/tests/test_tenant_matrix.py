"""Cross-tenant matrix, generated from the URL resolver (DESIGN §2).

Every route of the project is classified by its URL kwargs. A route whose kwargs name a tenant
object (an organization, an event, a member, a stream) joins the matrix automatically: for every
method, a member of organization A who points it at organization B's objects gets exactly the
answer (status and body) they get for an id or slug that does not exist, and nothing of B's
changes. A route with a kwarg nobody classified, or a kwarg-less route missing from the explicit
allowlist below, fails ``test_url_routes_are_all_classified`` so that no new route escapes.

How it stays fast (docs/decisions.md, "Tests"): the two-tenant world is built once per module
(and xdist worker) in a transaction held open for the module, each case runs in its own
savepoint (``eventhub.testing.db.module_transaction``); a route with k URL kwargs is tried with
each kwarg foreign alone and with all of them foreign (k + 1 cases, not 2^k - 1); and "nothing
changed" is read from PostgreSQL's count of the rows the requests wrote
(``eventhub.testing.db.table_writes``): a GET must write none, and B's rows are compared
before and after only when another method did write.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.http import HttpResponseNotFound
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scopes_disabled

from eventhub.audit import audit_log
from eventhub.models import AuditLogEntry
from eventhub.realtime.models import StreamEntry
from eventhub.realtime.services import stream_append
from eventhub.realtime.streams import event_staff_stream
from eventhub.testing.db import module_transaction, table_writes
from eventhub.testing.factories import (
    EventFactory,
    MemberFactory,
    OrganizationFactory,
    ParticipantFactory,
    RoomFactory,
)
from eventhub.testing.tenant_matrix import TenantObjects
from events.enums import EventStatus, EventVisibility, MemberRole
from events.models import Event, Organization, OrganizationMember, Participant, Room

METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
SAFE_METHODS = frozenset({"GET"})

# Tables a request may write without changing anything of any tenant's: the caller's own session
# (Django saves it when a view touched it). Any other row a GET writes fails the matrix.
TENANTLESS_TABLES = frozenset({"django_session"})


def _app_tenant_objects() -> list[TenantObjects]:
    """Every project app's ``tests/tenant_objects.py`` (see eventhub.testing.tenant_matrix)."""
    found = []
    for app in apps.get_app_configs():
        if Path(app.path).parent != Path(settings.BASE_DIR):
            continue
        name = f"{app.name}.tests.tenant_objects"
        if importlib.util.find_spec(f"{app.name}.tests") and importlib.util.find_spec(name):
            found.append(importlib.import_module(name).TENANT_OBJECTS)
    return found


APP_OBJECTS = _app_tenant_objects()

# Whole URL trees outside tenancy, by prefix, with the reason.
NON_TENANT_PREFIXES = {
    "accounts/": "allauth browser pages (login, signup, password reset): the caller's own account",
    "_allauth/": "allauth headless API (mobile and browser clients): the caller's own account",
    "admin/": "Django admin: staff only, guarded by its own permissions, not by tenant URLs",
}

# Kwarg-less routes, each with the reason it is not a tenant route.
NON_TENANT_ROUTES = {
    "": "redirect to the portal home",
    "api/v1/me": "the caller's own profile",
    "api/v1/me/organizations": "the caller's own memberships (read in user_scope)",
    "api/v1/me/events": "the caller's own events (read in user_scope)",
    "api/v1/events/open": "public events open to join, of every organization by design (joinable_events_scope)",
    "api/v1/schema/": "OpenAPI schema, no data",
    "api/v1/docs/": "API documentation page, no data",
    "api/v1/^.*$": "JSON 404 for unknown API paths",
    "portal/": "portal home: the caller's own organizations",
    "portal/organizations/new": "creates a new organization owned by the caller",
    "my/events/": "the caller's own events (read in user_scope), the attendee's home",
    "i18n/setlang/": "the language switcher: sets the caller's language cookie and own profile setting",
    "api/v1/stripe/webhook": "Stripe's signed webhook: authenticated by its signature, finds the order by metadata",
    "app/": "the attendee app's shell: static HTML, no data (the app reads the API)",
    "app/sw.js": "the attendee app's service worker: static code and a file list",
    "app/manifest.webmanifest": "the attendee app's web app manifest, no data",
    "app/jsi18n.js": "the attendee app's translation catalogue, no data",
    "favicon.ico": "redirect to the static icon, no data",
    "healthz": "liveness probe, no data",
    "readyz": "readiness probe: dependency checks, no tenant data",
    "metrics": "Prometheus scrape: loopback or the metrics token, aggregate counters only",
}

MISSING = {
    "organization": "no-such-organization",
    "event": "no-such-event",
    "event_id": 987654321,
    "member_id": 987654321,
    "stream": "event:987654321:staff",
}
for _objects in APP_OBJECTS:
    MISSING.update(_objects.missing)

# URL kwargs that name a tenant object.
TENANT_KWARGS = frozenset(MISSING)
# URL kwargs that carry a bearer secret: a route named only by them is reachable by whoever holds
# the link, by design, so it is outside the matrix (its app tests revocation instead).
BEARER_KWARGS = {name: reason for objects in APP_OBJECTS for name, reason in objects.bearer_kwargs.items()}

# Sent with every unsafe request: valid input for the portal forms, so a missing check would
# show up as a changed row rather than as a form error.
PAYLOAD = {
    "name": "Taken over",
    "slug": "taken-over",
    "email": "intruder@example.org",
    "role": MemberRole.OWNER,
    "timezone": "UTC",
    "start": "2031-05-01T09:00",
    "end": "2031-05-02T18:00",
    "status": EventStatus.PUBLISHED,
    "visibility": EventVisibility.PUBLIC,
    "open_registration": "on",
}
for _objects in APP_OBJECTS:
    PAYLOAD.update(_objects.payload)


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str | None
    kwargs: frozenset[str]
    positional: int

    @property
    def is_organizer_route(self) -> bool:
        """Organizer-only: anything addressed by organization, and the (staff) stream probe."""
        return "organization" in self.kwargs or "stream" in self.kwargs


def _kwargs_of(pattern) -> tuple[set[str], int]:
    """Named and unnamed groups of a ``path()`` or ``re_path()`` pattern (both compile to a regex)."""
    regex = pattern.regex
    return set(regex.groupindex), regex.groups - len(regex.groupindex)


def _walk(patterns, prefix: str = "", namespace: str = "", kwargs=frozenset(), positional: int = 0):
    for entry in patterns:
        named, unnamed = _kwargs_of(entry.pattern)
        here = kwargs | named
        if isinstance(entry, URLResolver):
            inner_namespace = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(
                entry.url_patterns, prefix + str(entry.pattern), inner_namespace, here, positional + unnamed
            )
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield Route(prefix + str(entry.pattern), name, frozenset(here), positional + unnamed)


ROUTES = list(_walk(get_resolver().url_patterns))


def _is_allowlisted_prefix(route: Route) -> bool:
    return route.pattern.startswith(tuple(NON_TENANT_PREFIXES))


def _is_bearer_link(route: Route) -> bool:
    return bool(route.kwargs) and route.kwargs <= set(BEARER_KWARGS)


def _classification_problems(route: Route) -> list[str]:
    if _is_allowlisted_prefix(route) or _is_bearer_link(route):
        return []
    problems = []
    if route.positional:
        problems.append(f"{route.pattern!r}: unnamed URL groups cannot be classified")
    unknown = route.kwargs - TENANT_KWARGS
    if unknown:
        problems.append(f"{route.pattern!r}: unclassified URL kwargs {sorted(unknown)}")
    if not route.kwargs and not route.positional and route.pattern not in NON_TENANT_ROUTES:
        problems.append(f"{route.pattern!r}: kwarg-less route missing from NON_TENANT_ROUTES")
    if route.kwargs and route.name is None:
        problems.append(f"{route.pattern!r}: tenant routes need a name so the matrix can reverse them")
    return problems


def _is_tenant_route(route: Route) -> bool:
    return (
        not _is_allowlisted_prefix(route)
        and not _is_bearer_link(route)
        and bool(route.kwargs)
        and not _classification_problems(route)
    )


TENANT_ROUTES = [route for route in ROUTES if _is_tenant_route(route)]


def _foreign_combinations(route: Route) -> list[frozenset[str]]:
    """Each kwarg pointing at B alone (the rest stay A's own), and all of them at once.

    A leak needs the view to skip the check that ties one kwarg to the others or to the caller;
    pointing one kwarg at a time at B exercises each such check with everything else valid, and
    all-foreign is the case where B's objects are consistent with each other. The mixed subsets
    in between (2^k - 1 - (k + 1) of them) add no check that these do not already reach."""
    names = sorted(route.kwargs)
    singles = [frozenset({name}) for name in names]
    return singles + [frozenset(names)] if len(names) > 1 else singles


MEMBER_CASES = [
    pytest.param(route, foreign, method, id=f"{route.pattern}|B:{'+'.join(sorted(foreign))}|{method}")
    for route in TENANT_ROUTES
    for foreign in _foreign_combinations(route)
    for method in METHODS
]
ATTENDEE_CASES = [
    pytest.param(route, method, id=f"{route.pattern}|{method}")
    for route in TENANT_ROUTES
    if route.is_organizer_route
    for method in METHODS
]


# --- the world: two organizations with data that could leak ------------------------------


@dataclass
class Tenant:
    organization: Organization
    owner: object
    member: OrganizationMember
    event: Event
    room: Room
    app_values: dict[str, object] = field(default_factory=dict)


@dataclass
class World:
    a: Tenant
    b: Tenant
    b_attendee: object


def _tenant(*, event_visibility: str) -> Tenant:
    organization = OrganizationFactory()
    owner = MemberFactory(organization=organization, role=MemberRole.OWNER).user
    member = MemberFactory(organization=organization, role=MemberRole.EDITOR)
    event = EventFactory(organization=organization, visibility=event_visibility, open_registration=True)
    room = RoomFactory(event=event)
    ParticipantFactory(event=event)
    audit_log(actor=owner, organization_id=organization.pk, event_id=event.pk, action="event.created", obj=event)
    tenant = Tenant(organization=organization, owner=owner, member=member, event=event, room=room)
    for objects in APP_OBJECTS:
        tenant.app_values.update(objects.populate(tenant))
    return tenant


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """Built once per module (per xdist worker) in a transaction held open for the module; each
    test runs in a savepoint of it, rolled back after the test (eventhub.testing.db)."""
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with module_transaction(django_db_blocker):
        with django_db_blocker.unblock(), scopes_disabled(), fast_hashing:
            a = _tenant(event_visibility=EventVisibility.PUBLIC)
            # B's event is private: A's members must not even learn that it exists.
            b = _tenant(event_visibility=EventVisibility.PRIVATE)
            b_attendee = ParticipantFactory(event=b.event).user
        yield World(a=a, b=b, b_attendee=b_attendee)


@pytest.fixture
def world(db, plain_static_storage, _world, settings) -> World:
    # Request counters (login and ticketing rate limits) start at zero for every case: the world's
    # users make thousands of requests in one module, and a limit must never answer for the route.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }
    return _world


def _values(tenant: Tenant) -> dict[str, object]:
    return {
        "organization": tenant.organization.slug,
        "event": tenant.event.slug,
        "event_id": tenant.event.pk,
        "member_id": tenant.member.pk,
        "stream": event_staff_stream(tenant.event.pk),
        **tenant.app_values,
    }


def _url(route: Route, values: dict[str, object]) -> str:
    url = reverse(route.name, kwargs={name: values[name] for name in route.kwargs})
    return url + "?since=0" if "stream" in route.kwargs else url


def _request(client: Client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, PAYLOAD)
    body = urlencode(PAYLOAD)
    return client.generic(method, url, body, content_type="application/x-www-form-urlencoded")


def _rows(tenant: Tenant) -> dict[str, list[dict]]:
    """Every row that belongs to the tenant, plus the tables' sizes (an insert anywhere shows)."""
    organization_id = tenant.organization.pk
    with scopes_disabled():
        event_ids = list(Event.objects.filter(organization_id=organization_id).values_list("pk", flat=True))
        streams = [f"event:{pk}" for pk in event_ids] + [f"event:{pk}:staff" for pk in event_ids]
        app_rows = {}
        for objects in APP_OBJECTS:
            app_rows.update(objects.rows(organization_id, event_ids))
        return {
            **app_rows,
            "organization": list(Organization.objects.filter(pk=organization_id).values()),
            "events": list(Event.objects.filter(pk__in=event_ids).order_by("pk").values()),
            "members": list(OrganizationMember.objects.filter(organization_id=organization_id).order_by("pk").values()),
            "participants": list(Participant.objects.filter(event_id__in=event_ids).order_by("pk").values()),
            "rooms": list(Room.objects.filter(event_id__in=event_ids).order_by("pk").values()),
            "audit": list(AuditLogEntry.objects.filter(organization_id=organization_id).order_by("pk").values()),
            "stream_entries": list(StreamEntry.objects.filter(stream__in=streams).order_by("pk").values()),
            "table_sizes": [
                model.objects.all().count()
                for model in (Organization, Event, OrganizationMember, Participant, Room, AuditLogEntry, StreamEntry)
            ],
        }


# The portal layout (also on its 404 page) embeds the CSRF token, masked afresh per response;
# everything else in the page must be identical.
_CSRF_TOKEN = re.compile(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+')


def _answer(response) -> tuple[int, bytes]:
    return response.status_code, _CSRF_TOKEN.sub(rb"\1<csrf-token>", response.content)


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


# --- tests -----------------------------------------------------------------------------------


def test_url_routes_are_all_classified():
    problems = [problem for route in ROUTES for problem in _classification_problems(route)]
    patterns = {route.pattern for route in ROUTES}
    stale = sorted(set(NON_TENANT_ROUTES) - patterns)

    assert problems == []
    assert stale == [], "allowlisted routes that no longer exist"
    assert TENANT_ROUTES, "the matrix found no tenant routes at all"


@pytest.mark.parametrize(("route", "foreign", "method"), MEMBER_CASES)
def test_tenant_route_for_other_tenants_objects_is_identical_to_missing(world, route, foreign, method):
    own, theirs = _values(world.a), _values(world.b)
    foreign_url = _url(route, {**own, **{name: theirs[name] for name in foreign}})
    missing_url = _url(route, {**own, **{name: MISSING[name] for name in foreign}})
    client = _logged_in(world.a.owner)
    _assert_answers_like_missing(world, client, method, foreign_url, missing_url)


def _assert_answers_like_missing(world, client, method: str, foreign_url: str, missing_url: str) -> None:
    """Foreign answers exactly like missing, and nothing of B's changes.

    "Nothing changed" is read from the database's own count of the rows this transaction wrote
    (``table_writes``). A GET must write no row at all (the caller's session aside). Another
    method usually writes nothing either, which proves B's rows unchanged without reading them;
    when it did write, B's rows after the requests are compared with B's rows before them, read
    after rolling the requests back to a savepoint taken just before."""
    before_requests = transaction.savepoint()
    with table_writes() as writes:
        foreign_response = _request(client, method, foreign_url)
        missing_response = _request(client, method, missing_url)
    written = writes.except_tables(TENANTLESS_TABLES)

    assert _answer(foreign_response) == _answer(missing_response)
    assert foreign_response.status_code in (404, 405)
    if method in SAFE_METHODS:
        assert written == {}, writes.statements_on(set(written))
    elif written:
        after = _rows(world.b)
        transaction.savepoint_rollback(before_requests)
        assert after == _rows(world.b)
    else:
        transaction.savepoint_commit(before_requests)


@pytest.mark.parametrize(("route", "method"), ATTENDEE_CASES)
def test_organizer_route_for_attendee_is_identical_to_missing(world, route, method):
    theirs = _values(world.b)
    foreign_url = _url(route, theirs)
    missing_url = _url(route, {**theirs, **MISSING})
    client = _logged_in(world.b_attendee)
    _assert_answers_like_missing(world, client, method, foreign_url, missing_url)


@pytest.mark.parametrize(
    ("stream", "missing"),
    [
        ("event:{b_event}", "event:987654321"),
        ("event:{b_event}:staff", "event:987654321:staff"),
        ("user:{b_owner}", "user:987654321"),
    ],
    ids=["private-event", "private-event-staff", "other-user"],
)
def test_stream_catch_up_of_other_tenant_is_identical_to_missing(world, stream, missing):
    """Every stream kind of B's that A's owner may not read answers like a stream of nothing."""
    name = stream.format(b_event=world.b.event.pk, b_owner=world.b.owner.pk)
    client = _logged_in(world.a.owner)
    with scopes_disabled():
        stream_append(stream=name, type="test.secret", data={"secret": True})
    before = _rows(world.b)

    foreign_response = client.get(f"/api/v1/streams/{name}/entries", {"since": 0})
    missing_response = client.get(f"/api/v1/streams/{missing}/entries", {"since": 0})
    owner_response = _logged_in(world.b.owner).get(f"/api/v1/streams/{name}/entries", {"since": 0})

    assert [entry["data"] for entry in owner_response.json()["entries"]] == [{"secret": True}]  # it could leak
    assert _answer(foreign_response) == _answer(missing_response)
    assert foreign_response.json() == {"error": {"code": "not_found", "detail": "Not found.", "fields": {}}}
    assert _rows(world.b) == before


@pytest.mark.parametrize("route", TENANT_ROUTES, ids=lambda route: route.pattern)
def test_tenant_route_for_own_objects_is_found(world, route):
    """The positive control: the URLs the matrix builds do reach the objects of one's own
    organization, so the 404s above come from the tenant check, not from a broken URL."""
    client = _logged_in(world.a.owner)

    response = client.get(_url(route, _values(world.a)))

    assert response.status_code in (200, 405), response.content[:300]


class _LeakingClient:
    """A client whose every request runs ``leak`` and then answers 404 like a missing object."""

    def __init__(self, leak) -> None:
        self.leak = leak

    def _answer(self, *args, **kwargs) -> HttpResponseNotFound:
        with scopes_disabled():
            self.leak()
        return HttpResponseNotFound(b"Not found.")

    get = post = generic = _answer


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_matrix_check_fails_when_a_request_changes_b(world, method):
    """The negative control of the "nothing changed" checks, both the no-write proof (GET) and
    the before/after comparison it falls back to (other methods): a request that answers exactly
    like a missing object but renames B's event fails."""
    client = _LeakingClient(lambda: Event.objects.filter(pk=world.b.event.pk).update(name="Taken over"))

    with pytest.raises(AssertionError) as failure:
        _assert_answers_like_missing(world, client, method, "/foreign", "/missing")

    # GET names the statement that wrote; the others show B's changed row
    assert ('UPDATE "events_event"' if method == "GET" else "Taken over") in str(failure.value)
