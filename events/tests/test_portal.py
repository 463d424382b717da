"""The organizer portal through Django's test client: permissions per role (a page you may not
use is a 404, DESIGN §2), form errors, successful flows with their audit entries, and N+1 guards
on the list pages."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from eventhub.audit import audit_log
from eventhub.models import AuditLogEntry
from eventhub.testing.factories import (
    PASSWORD,
    EventFactory,
    MemberFactory,
    OrganizationFactory,
    ParticipantFactory,
    UserFactory,
)
from events.enums import MemberRole
from events.models import Event, OrganizationMember
from events.services.organizations import participant_join

pytestmark = pytest.mark.django_db

ROLES = [role.value for role in MemberRole]
MANAGERS = {"owner", "admin"}
EDITORS = {"owner", "admin", "editor"}


@pytest.fixture(autouse=True)
def _portal_settings(page_settings):
    pass


@pytest.fixture
def event(org):
    return EventFactory(organization=org, name="Acme Conf", slug="acme-conf", timezone="Europe/Berlin")


@pytest.fixture
def as_role(client, org, owner):
    """Log the client in as a member with the given role (the owner for "owner")."""

    def login(role: str):
        user = owner if role == "owner" else MemberFactory(organization=org, role=role).user
        client.force_login(user)
        return user

    return login


def _audit(action: str) -> list[AuditLogEntry]:
    with scopes_disabled():
        return list(AuditLogEntry.objects.filter(action=action).order_by("id"))


def _members(org) -> dict[str, str]:
    with scopes_disabled():
        return dict(OrganizationMember.objects.filter(organization=org).values_list("user__email", "role"))


def _without_csrf_tokens(content: bytes) -> bytes:
    """The page with its CSRF tokens blanked (Django masks them differently on every render)."""
    content = re.sub(rb'"X-CSRFToken": "[^"]+"', b'"X-CSRFToken": ""', content)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b'name="csrfmiddlewaretoken" value=""', content)


def _event_form(**overrides) -> dict:
    data = {
        "name": "Launch Party",
        "slug": "launch-party",
        "timezone": "America/New_York",
        "start": "2026-12-10T18:00",
        "end": "2026-12-10T23:30",
        "venue_name": "Pier 17",
        "venue_address": "",
        "description": "",
        "status": "draft",
        "visibility": "public",
    }
    data.update(overrides)
    return data


# --- permissions by role --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_organization_pages_by_role(client, as_role, org, event, role):
    as_role(role)

    pages = {
        "organization": client.get(reverse("portal:organization", kwargs={"organization": "acme"})),
        "members": client.get(reverse("portal:members", kwargs={"organization": "acme"})),
        "audit": client.get(reverse("portal:audit-log", kwargs={"organization": "acme"})),
        "event": client.get(reverse("portal:event", kwargs={"organization": "acme", "event": "acme-conf"})),
        "event_new": client.get(reverse("portal:event-create", kwargs={"organization": "acme"})),
        "event_edit": client.get(reverse("portal:event-edit", kwargs={"organization": "acme", "event": "acme-conf"})),
    }

    assert {name: response.status_code for name, response in pages.items()} == {
        "organization": 200,
        "members": 200,
        "audit": 200 if role in MANAGERS else 404,
        "event": 200,
        "event_new": 200 if role in EDITORS else 404,
        "event_edit": 200 if role in EDITORS else 404,
    }


@pytest.mark.parametrize("role", ROLES)
def test_links_shown_only_for_usable_pages(client, as_role, org, event, role):
    as_role(role)

    org_page = client.get(reverse("portal:organization", kwargs={"organization": "acme"})).content.decode()
    event_page = client.get(reverse("portal:event", kwargs={"organization": "acme", "event": "acme-conf"}))
    members_page = client.get(reverse("portal:members", kwargs={"organization": "acme"})).content.decode()

    assert ("/portal/acme/audit/" in org_page) == (role in MANAGERS)
    assert ("/portal/acme/events/new" in org_page) == (role in EDITORS)
    assert ("/portal/acme/events/acme-conf/edit" in event_page.content.decode()) == (role in EDITORS)
    assert ('name="role"' in members_page) == (role in MANAGERS)
    assert ("Add a member" in members_page) == (role in MANAGERS)


def test_outsider_gets_404_on_every_page(client, org, event, owner):
    client.force_login(UserFactory())
    paths = [
        reverse("portal:organization", kwargs={"organization": "acme"}),
        reverse("portal:members", kwargs={"organization": "acme"}),
        reverse("portal:audit-log", kwargs={"organization": "acme"}),
        reverse("portal:event", kwargs={"organization": "acme", "event": "acme-conf"}),
        reverse("portal:event-edit", kwargs={"organization": "acme", "event": "acme-conf"}),
        reverse("portal:event-create", kwargs={"organization": "acme"}),
    ]

    assert [client.get(path).status_code for path in paths] == [404] * len(paths)


def test_participant_of_event_gets_404_on_portal_pages(client, org, event, owner):
    client.force_login(ParticipantFactory(event=event).user)

    response = client.get(reverse("portal:event", kwargs={"organization": "acme", "event": "acme-conf"}))

    assert response.status_code == 404


def test_event_of_another_organization_is_404_like_a_missing_one(client, org, owner):
    other = EventFactory(slug="secret-summit")
    client.force_login(owner)

    foreign = client.get(reverse("portal:event", kwargs={"organization": "acme", "event": "secret-summit"}))
    missing = client.get(reverse("portal:event", kwargs={"organization": "acme", "event": "no-such-event"}))
    other_org = client.get(
        reverse("portal:event", kwargs={"organization": other.organization.slug, "event": "secret-summit"})
    )

    assert (foreign.status_code, missing.status_code, other_org.status_code) == (404, 404, 404)
    assert _without_csrf_tokens(foreign.content) == _without_csrf_tokens(missing.content)


def test_anonymous_is_sent_to_login(client, org):
    response = client.get(reverse("portal:organization", kwargs={"organization": "acme"}))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/portal/acme/"


@pytest.mark.parametrize("role", ["editor", "operator", "analyst"])
def test_non_managers_cannot_change_members(client, as_role, org, owner, role):
    as_role(role)
    target = MemberFactory(organization=org, role=MemberRole.ANALYST, user__email="target@example.org")
    UserFactory(email="new@example.org")
    before = _members(org)

    add = client.post(reverse("portal:members", kwargs={"organization": "acme"}), {"email": "new@example.org"})
    change = client.post(
        reverse("portal:member-role", kwargs={"organization": "acme", "member_id": target.pk}),
        {"role": "owner"},
        headers={"HX-Request": "true"},
    )
    remove = client.post(reverse("portal:member-remove", kwargs={"organization": "acme", "member_id": target.pk}))

    assert (add.status_code, change.status_code, remove.status_code) == (404, 404, 404)
    assert _members(org) == before
    assert _audit("member.added") == _audit("member.role_changed") == _audit("member.removed") == []


@pytest.mark.parametrize("role", ["operator", "analyst"])
def test_operators_and_analysts_cannot_edit_events(client, as_role, org, event, role):
    as_role(role)

    edit = client.post(
        reverse("portal:event-edit", kwargs={"organization": "acme", "event": "acme-conf"}),
        _event_form(slug="acme-conf", name="Hijacked"),
    )
    create = client.post(reverse("portal:event-create", kwargs={"organization": "acme"}), _event_form())

    assert (edit.status_code, create.status_code) == (404, 404)
    with scopes_disabled():
        assert list(Event.objects.values_list("name", flat=True)) == ["Acme Conf"]


def test_member_of_another_organization_cannot_manage_this_one(client, org, owner):
    stranger = MemberFactory(role=MemberRole.OWNER).user  # owner elsewhere
    member = MemberFactory(organization=org, role=MemberRole.EDITOR)
    client.force_login(stranger)

    response = client.post(
        reverse("portal:member-role", kwargs={"organization": "acme", "member_id": member.pk}), {"role": "owner"}
    )

    assert response.status_code == 404
    assert _members(org)[member.user.email] == "editor"


# --- events: create and edit ------------------------------------------------------------------


def test_create_event_stores_times_from_the_event_zone(client, as_role, org):
    user = as_role("editor")

    response = client.post(reverse("portal:event-create", kwargs={"organization": "acme"}), _event_form())

    assert response.status_code == 302
    assert response["Location"] == "/portal/acme/events/launch-party/"
    with scopes_disabled():
        event = Event.objects.get(slug="launch-party")
    new_york = ZoneInfo("America/New_York")
    assert (event.organization_id, event.timezone) == (org.pk, "America/New_York")
    assert event.start == datetime(2026, 12, 10, 18, 0, tzinfo=new_york)
    assert event.end == datetime(2026, 12, 10, 23, 30, tzinfo=new_york)
    [entry] = _audit("event.created")
    assert (entry.actor_id, entry.organization_id, entry.event_id) == (user.pk, org.pk, event.pk)
    assert entry.changes["after"]["name"] == "Launch Party"


def test_create_event_end_before_start_shows_error(client, as_role, org):
    as_role("owner")

    response = client.post(
        reverse("portal:event-create", kwargs={"organization": "acme"}),
        _event_form(start="2026-12-10T18:00", end="2026-12-10T17:00"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"end": ["The event must end after it starts."]}
    assert "The event must end after it starts." in response.content.decode()
    with scopes_disabled():
        assert Event.objects.count() == 0
    assert _audit("event.created") == []


def test_create_event_duplicate_slug_shows_error(client, as_role, org, event):
    as_role("owner")

    response = client.post(
        reverse("portal:event-create", kwargs={"organization": "acme"}), _event_form(slug="acme-conf")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"slug": ["Another event of this organization uses this address."]}
    with scopes_disabled():
        assert Event.objects.count() == 1


def test_same_slug_in_another_organization_is_fine(client, as_role, org):
    EventFactory(slug="launch-party")  # another organization's
    as_role("owner")

    response = client.post(reverse("portal:event-create", kwargs={"organization": "acme"}), _event_form())

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, {"timezone"}),
        ({"start": "not a date"}, {"start"}),
        ({"name": "", "slug": "has spaces"}, {"name", "slug"}),
    ],
)
def test_create_event_bad_input_shows_errors(client, as_role, org, overrides, errors):
    as_role("owner")

    response = client.post(reverse("portal:event-create", kwargs={"organization": "acme"}), _event_form(**overrides))

    assert response.status_code == 200
    assert set(response.context["form"].errors) == errors


def test_edit_form_shows_times_in_event_zone(client, as_role, org):
    berlin = ZoneInfo("Europe/Berlin")
    EventFactory(
        organization=org,
        slug="winter",
        timezone="Europe/Berlin",
        start=datetime(2026, 12, 8, 9, 0, tzinfo=berlin),
        end=datetime(2026, 12, 9, 18, 0, tzinfo=berlin),
    )
    as_role("owner")

    page = client.get(reverse("portal:event-edit", kwargs={"organization": "acme", "event": "winter"}))

    html = page.content.decode()
    assert 'value="2026-12-08T09:00"' in html
    assert 'value="2026-12-09T18:00"' in html


def test_edit_event_writes_audit_and_redirects_to_new_slug(client, as_role, org, event):
    user = as_role("admin")

    response = client.post(
        reverse("portal:event-edit", kwargs={"organization": "acme", "event": "acme-conf"}),
        _event_form(name="Acme Conf 2027", slug="acme-conf-2027", timezone="Europe/Berlin"),
    )

    assert response.status_code == 302
    assert response["Location"] == "/portal/acme/events/acme-conf-2027/"
    with scopes_disabled():
        event.refresh_from_db()
    assert (event.name, event.slug) == ("Acme Conf 2027", "acme-conf-2027")
    [entry] = _audit("event.updated")
    assert entry.actor_id == user.pk
    assert entry.changes["name"] == {"old": "Acme Conf", "new": "Acme Conf 2027"}


def test_saving_unchanged_event_records_no_change(client, as_role, org):
    berlin = ZoneInfo("Europe/Berlin")
    EventFactory(
        organization=org,
        slug="winter",
        name="Winter",
        timezone="Europe/Berlin",
        start=datetime(2026, 12, 8, 9, 0, tzinfo=berlin),
        end=datetime(2026, 12, 9, 18, 0, tzinfo=berlin),
        venue_name="Hall",
        status="published",
        visibility="public",
        open_registration=False,
    )
    as_role("owner")

    response = client.post(
        reverse("portal:event-edit", kwargs={"organization": "acme", "event": "winter"}),
        _event_form(
            name="Winter",
            slug="winter",
            timezone="Europe/Berlin",
            start="2026-12-08T09:00",
            end="2026-12-09T18:00",
            venue_name="Hall",
            status="published",
        ),
    )

    assert response.status_code == 302
    assert _audit("event.updated") == []


def test_edit_event_end_before_start_keeps_event(client, as_role, org, event):
    as_role("editor")
    with scopes_disabled():
        before = Event.objects.values().get(pk=event.pk)

    response = client.post(
        reverse("portal:event-edit", kwargs={"organization": "acme", "event": "acme-conf"}),
        _event_form(slug="acme-conf", start="2026-12-10T18:00", end="2026-12-01T18:00"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"end": ["The event must end after it starts."]}
    with scopes_disabled():
        assert Event.objects.values().get(pk=event.pk) == before
    assert _audit("event.updated") == []


def test_event_overview_shows_counts_and_stream(client, as_role, org, event):
    ParticipantFactory.create_batch(3, event=event)
    ParticipantFactory(event=event, kind="speaker")
    as_role("analyst")

    response = client.get(reverse("portal:event", kwargs={"organization": "acme", "event": "acme-conf"}))

    html = response.content.decode()
    assert response.context["participants"] == 4
    assert ("attendee", "Attendees", 3) in response.context["kinds"]
    assert ("speaker", "Speakers", 1) in response.context["kinds"]
    assert f'data-stream="event:{event.pk}:staff"' in html
    assert 'data-since="0"' in html
    assert 'data-live="participants"' in html


# --- members ------------------------------------------------------------------------------------


def test_add_member_by_email(client, as_role, org):
    actor = as_role("owner")
    UserFactory(email="newbie@example.org")

    response = client.post(
        reverse("portal:members", kwargs={"organization": "acme"}), {"email": " NewBie@Example.org", "role": "editor"}
    )

    assert response.status_code == 302
    assert _members(org) == {"owner@example.org": "owner", "newbie@example.org": "editor"}
    [entry] = _audit("member.added")
    assert (entry.actor_id, entry.changes) == (actor.pk, {"user": "newbie@example.org", "role": "editor"})


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("nobody@example.org", "No account uses this email address; ask them to sign up first."),
        ("owner@example.org", "This person is already a member."),
        ("not-an-email", "Enter a valid email address."),
    ],
)
def test_add_member_errors(client, as_role, org, email, error):
    as_role("owner")

    response = client.post(
        reverse("portal:members", kwargs={"organization": "acme"}), {"email": email, "role": "editor"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"email": [error]}
    assert _members(org) == {"owner@example.org": "owner"}


def test_change_role_with_htmx_returns_the_row(client, as_role, org):
    actor = as_role("admin")
    member = MemberFactory(organization=org, role=MemberRole.EDITOR, user__email="ed@example.org")

    response = client.post(
        reverse("portal:member-role", kwargs={"organization": "acme", "member_id": member.pk}),
        {"role": "operator"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="member-{member.pk}"')
    assert '<option value="operator" selected>' in html
    assert "<html" not in html
    assert _members(org)["ed@example.org"] == "operator"
    [entry] = _audit("member.role_changed")
    assert (entry.actor_id, entry.changes) == (actor.pk, {"role": {"old": "editor", "new": "operator"}})


def test_change_role_without_htmx_redirects(client, as_role, org):
    as_role("owner")
    member = MemberFactory(organization=org, role=MemberRole.EDITOR)

    response = client.post(
        reverse("portal:member-role", kwargs={"organization": "acme", "member_id": member.pk}), {"role": "analyst"}
    )

    assert (response.status_code, response["Location"]) == (302, "/portal/acme/members/")
    assert _members(org)[member.user.email] == "analyst"


def test_last_owner_cannot_be_demoted(client, as_role, org, owner):
    as_role("owner")
    owner_member = OrganizationMember.objects.with_scopes_disabled().get(user=owner)

    response = client.post(
        reverse("portal:member-role", kwargs={"organization": "acme", "member_id": owner_member.pk}),
        {"role": "editor"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "An organization needs at least one owner." in html
    assert '<option value="owner" selected>' in html
    assert _members(org)["owner@example.org"] == "owner"
    assert _audit("member.role_changed") == []


def test_admin_cannot_demote_an_owner(client, as_role, org, owner):
    as_role("admin")
    second_owner = MemberFactory(organization=org, role=MemberRole.OWNER).user
    target = OrganizationMember.objects.with_scopes_disabled().get(user=second_owner)

    response = client.post(
        reverse("portal:member-role", kwargs={"organization": "acme", "member_id": target.pk}),
        {"role": "editor"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "Only an owner can grant or remove the owner role." in response.content.decode()
    assert _members(org)[second_owner.email] == "owner"
    assert _audit("member.role_changed") == []


def test_last_owner_cannot_be_removed(client, as_role, org, owner):
    as_role("owner")
    owner_member = OrganizationMember.objects.with_scopes_disabled().get(user=owner)
    url = reverse("portal:member-remove", kwargs={"organization": "acme", "member_id": owner_member.pk})

    htmx = client.post(url, headers={"HX-Request": "true"})
    plain = client.post(url, follow=True)

    assert "An organization needs at least one owner." in htmx.content.decode()
    assert "An organization needs at least one owner." in plain.content.decode()
    assert _members(org) == {"owner@example.org": "owner"}
    assert _audit("member.removed") == []


def test_second_owner_can_be_demoted(client, as_role, org):
    as_role("owner")
    other = MemberFactory(organization=org, role=MemberRole.OWNER, user__email="co@example.org")

    client.post(
        reverse("portal:member-role", kwargs={"organization": "acme", "member_id": other.pk}),
        {"role": "admin"},
        headers={"HX-Request": "true"},
    )

    assert _members(org) == {"owner@example.org": "owner", "co@example.org": "admin"}


def test_remove_member_with_htmx(client, as_role, org):
    actor = as_role("owner")
    member = MemberFactory(organization=org, role=MemberRole.ANALYST, user__email="bye@example.org")

    response = client.post(
        reverse("portal:member-remove", kwargs={"organization": "acme", "member_id": member.pk}),
        headers={"HX-Request": "true"},
    )

    assert (response.status_code, response.content) == (200, b"")
    assert _members(org) == {"owner@example.org": "owner"}
    [entry] = _audit("member.removed")
    assert (entry.actor_id, entry.changes) == (actor.pk, {"user": "bye@example.org", "role": "analyst"})


def test_member_of_another_organization_is_404_on_role_change(client, as_role, org):
    as_role("owner")
    foreign = MemberFactory(role=MemberRole.EDITOR)

    response = client.post(
        reverse("portal:member-role", kwargs={"organization": "acme", "member_id": foreign.pk}), {"role": "owner"}
    )

    assert response.status_code == 404
    with scopes_disabled():
        foreign.refresh_from_db()
    assert foreign.role == "editor"


def test_admin_demoting_themselves_gets_a_refresh(client, as_role, org):
    admin_user = as_role("admin")
    member = OrganizationMember.objects.with_scopes_disabled().get(user=admin_user)

    response = client.post(
        reverse("portal:member-role", kwargs={"organization": "acme", "member_id": member.pk}),
        {"role": "editor"},
        headers={"HX-Request": "true"},
    )

    assert (response.status_code, response["HX-Refresh"]) == (204, "true")
    assert _members(org)[admin_user.email] == "editor"


# --- audit log ---------------------------------------------------------------------------------


def test_audit_log_lists_organizer_actions(client, as_role, org, event):
    as_role("owner")
    UserFactory(email="newbie@example.org")
    client.post(
        reverse("portal:members", kwargs={"organization": "acme"}), {"email": "newbie@example.org", "role": "editor"}
    )
    client.post(
        reverse("portal:event-edit", kwargs={"organization": "acme", "event": "acme-conf"}),
        _event_form(slug="acme-conf", name="Renamed Conf", timezone="Europe/Berlin"),
    )
    EventFactory(slug="other-event")  # another organization's event
    with scopes_disabled():
        other_org_actions = AuditLogEntry.objects.exclude(organization=org).count()

    response = client.get(reverse("portal:audit-log", kwargs={"organization": "acme"}))

    html = response.content.decode()
    assert [row["entry"].action for row in response.context["entries"]] == ["event.updated", "member.added"]
    assert "Renamed Conf" in html
    assert "newbie@example.org" in html
    assert other_org_actions == 0


# --- organizations and home ------------------------------------------------------------------------


def test_create_organization_makes_actor_owner(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("portal:organization-create"), {"name": "New Team", "slug": "new-team"})

    assert response["Location"] == "/portal/new-team/"
    with scopes_disabled():
        assert list(OrganizationMember.objects.values_list("user_id", "role")) == [(user.pk, "owner")]
    assert [entry.action for entry in _audit("organization.created")] == ["organization.created"]


def test_create_organization_taken_slug(client, org):
    client.force_login(UserFactory())

    response = client.post(reverse("portal:organization-create"), {"name": "Copy", "slug": "acme"})

    assert response.status_code == 200
    assert "slug" in response.context["form"].errors


def test_home_and_switcher_list_only_my_organizations(client, org, event, owner):
    EventFactory(name="Not Mine Fest")
    client.force_login(owner)

    response = client.get(reverse("portal:home"))

    html = response.content.decode()
    assert [entry["organization"].slug for entry in response.context["switcher"]] == ["acme"]
    assert "Acme Conf" in html
    assert "Not Mine Fest" not in html


# --- allauth pages in our layout --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_allauth_pages_use_portal_layout(client, path):
    response = client.get(path)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="topbar"' in html
    assert "css/portal.css" in html
    assert 'class="card entrance-card"' in html
    assert "<form" in html


def test_login_through_the_form(client, owner):
    response = client.post("/accounts/login/", {"login": "owner@example.org", "password": PASSWORD})

    assert (response.status_code, response["Location"]) == (302, "/portal/")


def test_login_with_wrong_password_shows_error(client, owner):
    response = client.post("/accounts/login/", {"login": "owner@example.org", "password": "wrong"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in html


def test_account_pages_use_manage_layout(client, owner):
    client.force_login(owner)

    response = client.get("/accounts/email/")

    assert response.status_code == 200
    assert 'class="manage-nav card"' in response.content.decode()


# --- N+1 guards ----------------------------------------------------------------------------------


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_organization_page_queries_do_not_grow(client, org, owner, django_assert_num_queries):
    client.force_login(owner)
    url = reverse("portal:organization", kwargs={"organization": "acme"})
    ParticipantFactory(event=EventFactory(organization=org))
    one = _count_queries(client, url)
    for event in EventFactory.create_batch(2, organization=org):
        ParticipantFactory(event=event)

    with django_assert_num_queries(one):
        client.get(url)


def test_members_page_queries_do_not_grow(client, org, owner, django_assert_num_queries):
    client.force_login(owner)
    url = reverse("portal:members", kwargs={"organization": "acme"})
    one = _count_queries(client, url)
    MemberFactory.create_batch(2, organization=org, role=MemberRole.EDITOR)

    with django_assert_num_queries(one):
        client.get(url)


def test_audit_log_queries_do_not_grow(client, org, owner, django_assert_num_queries):
    client.force_login(owner)
    url = reverse("portal:audit-log", kwargs={"organization": "acme"})
    events = EventFactory.create_batch(3, organization=org)
    audit_log(actor=owner, organization_id=org.pk, event_id=events[0].pk, action="event.updated", obj=events[0])
    one = _count_queries(client, url)
    for event in events[1:]:
        audit_log(actor=UserFactory(), organization_id=org.pk, event_id=event.pk, action="event.updated", obj=event)

    with django_assert_num_queries(one):
        client.get(url)


def test_home_queries_do_not_grow(client, owner, org, django_assert_num_queries):
    client.force_login(owner)
    EventFactory(organization=org)
    one = _count_queries(client, reverse("portal:home"))
    for other in OrganizationFactory.create_batch(2):
        MemberFactory(organization=other, user=owner, role=MemberRole.EDITOR)
        EventFactory(organization=other)

    with django_assert_num_queries(one):
        client.get(reverse("portal:home"))


def test_password_reset_by_code_pages_use_portal_layout(client, owner, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "owner@example.org"}, follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="card entrance-card"' in html
    assert 'name="code"' in html
    assert [message.to for message in mailoutbox] == [["owner@example.org"]]


def test_logout_confirmation_page_signs_out(client, owner):
    client.force_login(owner)

    page = client.get("/accounts/logout/")
    response = client.post("/accounts/logout/")

    assert page.status_code == 200
    assert 'class="manage-nav card"' in page.content.decode()
    assert response.status_code == 302
    assert client.get("/portal/").status_code == 302


def test_event_overview_subscribes_from_the_head_its_counts_belong_to(client, as_role, org, event):
    with scopes_disabled():
        for user in UserFactory.create_batch(2):
            participant_join(user=user, event=event)
    as_role("operator")

    response = client.get(reverse("portal:event", kwargs={"organization": "acme", "event": "acme-conf"}))

    assert (response.context["participants"], response.context["stream_head"]) == (2, 2)
    assert 'data-since="2"' in response.content.decode()


def test_change_role_to_unknown_value_shows_row_error(client, as_role, org):
    as_role("owner")
    member = MemberFactory(organization=org, role=MemberRole.EDITOR)

    response = client.post(
        reverse("portal:member-role", kwargs={"organization": "acme", "member_id": member.pk}),
        {"role": "emperor"},
        headers={"HX-Request": "true"},
    )

    assert "Choose a valid role." in response.content.decode()
    assert _members(org)[member.user.email] == "editor"
    assert _audit("member.role_changed") == []


def test_admin_removing_themselves_is_sent_home(client, as_role, org):
    admin_user = as_role("admin")
    member = OrganizationMember.objects.with_scopes_disabled().get(user=admin_user)

    response = client.post(
        reverse("portal:member-remove", kwargs={"organization": "acme", "member_id": member.pk}),
        headers={"HX-Request": "true"},
    )

    assert (response.status_code, response["HX-Redirect"]) == (204, "/portal/")
    assert admin_user.email not in _members(org)
    assert client.get(reverse("portal:members", kwargs={"organization": "acme"})).status_code == 404
