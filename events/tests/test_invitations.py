"""Invitations by e-mail through the portal and the link's page: a person without an account
signs up from the link and lands in the organization (or on their speaker profile); a person
with an account signs in and lands there too; the link is single-use, expires, dies on revoke
and on resend; duplicates are refused with a clear error; only managers (team) and editors
(speakers) invite."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from eventhub.models import OutboundEmail
from eventhub.testing.factories import EventFactory, MemberFactory, UserFactory
from events.enums import MemberRole
from events.models import Invitation, OrganizationMember, Participant, Speaker

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-Passw0rd"


@pytest.fixture(autouse=True)
def _portal_settings(page_settings):
    pass


@pytest.fixture
def org(acme_org):
    return acme_org


@pytest.fixture
def owner(acme_owner):
    return acme_owner


@pytest.fixture
def event(org):
    return EventFactory(organization=org, name="Acme Conf", slug="acme-conf")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


INVITATIONS = "/portal/acme/invitations/"


def invite(client: Client, email: str, role: str = MemberRole.EDITOR):
    return client.post(INVITATIONS, {"email": email, "role": role})


def link_in_mail(email: str) -> str:
    with scopes_disabled():
        mail = OutboundEmail.objects.filter(to=email).order_by("-id").first()
    assert mail is not None
    match = re.search(r"http://testserver(/invitations/\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


def membership(org, email: str) -> str | None:
    with scopes_disabled():
        return (
            OrganizationMember.objects.filter(organization=org, user__email=email)
            .values_list("role", flat=True)
            .first()
        )


def test_a_person_without_an_account_signs_up_from_the_link_and_lands_in_the_organization(org, owner):
    response = invite(signed_in(owner), "new.person@example.org")
    assert response.status_code == 302
    with scopes_disabled():
        mail = OutboundEmail.objects.get(to="new.person@example.org")
    assert mail.subject == "You are invited to join Acme Events on EventHub"
    link = link_in_mail("new.person@example.org")
    visitor = Client()

    page = visitor.get(link)
    assert page.status_code == 200
    assert b"You are invited to join Acme Events as Editor" in page.content
    signup_url = page.context["signup_url"]
    assert visitor.get(signup_url).context["form"].fields["email"].initial == "new.person@example.org"
    signup = visitor.post(signup_url, {"email": "new.person@example.org", "password1": PASSWORD, "password2": PASSWORD})
    assert signup.status_code == 302
    assert signup["Location"] == link  # back to the invitation
    accepted = visitor.post(link)

    assert accepted.status_code == 302
    assert accepted["Location"] == "/portal/acme/"
    assert membership(org, "new.person@example.org") == MemberRole.EDITOR
    assert visitor.get("/portal/acme/").status_code == 200
    with scopes_disabled():
        invitation = Invitation.objects.get()
    assert invitation.accepted_by.email == "new.person@example.org"


def test_a_person_with_an_account_signs_in_from_the_link_and_lands_in_the_organization(org, owner):
    existing = UserFactory(email="known@example.org")
    existing.set_password(PASSWORD)
    existing.save()
    invite(signed_in(owner), "known@example.org", role=MemberRole.OPERATOR)
    link = link_in_mail("known@example.org")
    visitor = Client()

    login_url = visitor.get(link).context["login_url"]
    login = visitor.post(login_url, {"login": "known@example.org", "password": PASSWORD})
    assert (login.status_code, login["Location"]) == (302, link)
    accepted = visitor.post(link)

    assert (accepted.status_code, accepted["Location"]) == (302, "/portal/acme/")
    assert membership(org, "known@example.org") == MemberRole.OPERATOR


def test_a_link_works_once(org, owner):
    invite(signed_in(owner), "once@example.org")
    link = link_in_mail("once@example.org")
    first, second = UserFactory(), UserFactory()
    assert signed_in(first).post(link).status_code == 302

    again = signed_in(second).post(link)

    assert again.status_code == 410
    assert b"This invitation has been used already." in again.content
    assert membership(org, second.email) is None


def test_an_expired_link_says_so_and_binds_nothing(org, owner):
    invite(signed_in(owner), "late@example.org")
    link = link_in_mail("late@example.org")
    with scopes_disabled():
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    person = UserFactory()

    page = Client().get(link)
    accepted = signed_in(person).post(link)

    assert (page.status_code, accepted.status_code) == (410, 410)
    assert b"This invitation has expired. Ask the organizers to send it again." in accepted.content
    assert membership(org, person.email) is None


def test_a_revoked_link_says_so_and_binds_nothing(org, owner):
    manager = signed_in(owner)
    invite(manager, "revoked@example.org")
    link = link_in_mail("revoked@example.org")
    with scopes_disabled():
        invitation = Invitation.objects.get()
    person = UserFactory()

    revoke = manager.post(
        reverse("portal:invitation-revoke", kwargs={"organization": "acme", "invitation_id": invitation.pk})
    )
    accepted = signed_in(person).post(link)

    assert revoke.status_code == 302
    assert accepted.status_code == 410
    assert b"This invitation was revoked." in accepted.content
    assert membership(org, person.email) is None
    assert manager.get(INVITATIONS).context["pending"] == []


def test_resending_replaces_the_link(org, owner):
    manager = signed_in(owner)
    invite(manager, "again@example.org")
    old_link = link_in_mail("again@example.org")
    with scopes_disabled():
        invitation = Invitation.objects.get()

    resend = manager.post(
        reverse("portal:invitation-resend", kwargs={"organization": "acme", "invitation_id": invitation.pk})
    )
    new_link = link_in_mail("again@example.org")
    person = signed_in(UserFactory(email="again@example.org"))

    assert resend.status_code == 302
    assert new_link != old_link
    assert person.post(old_link).status_code == 410
    assert person.post(new_link).status_code == 302
    assert membership(org, "again@example.org") == MemberRole.EDITOR


def test_a_forged_or_truncated_link_is_not_valid(org, owner):
    invite(signed_in(owner), "x@example.org")
    link = link_in_mail("x@example.org")

    forged = Client().get(link[:-3] + "abc")

    assert forged.status_code == 404
    assert b"This link is not valid" in forged.content


def test_duplicates_are_refused_with_a_clear_error(org, owner):
    manager = signed_in(owner)
    MemberFactory(organization=org, role=MemberRole.EDITOR, user__email="member@example.org")
    invite(manager, "pending@example.org")

    member = invite(manager, "member@example.org")
    pending = invite(manager, "Pending@Example.org")

    assert member.status_code == pending.status_code == 200
    assert member.context["form"].errors == {"email": ["This person is already a member."]}
    assert pending.context["form"].errors == {"email": ["An invitation to this address is pending: resend it instead."]}
    with scopes_disabled():
        assert Invitation.objects.count() == 1


def test_accepting_as_a_member_already_is_refused(org, owner):
    invite(signed_in(owner), "twice@example.org")
    link = link_in_mail("twice@example.org")

    answer = signed_in(owner).post(link)

    assert answer.status_code == 409
    assert b"You are a member of Acme Events already." in answer.content
    assert membership(org, owner.email) == MemberRole.OWNER


def test_only_an_owner_invites_an_owner_and_only_managers_invite_the_team(org, owner):
    admin = MemberFactory(organization=org, role=MemberRole.ADMIN).user
    editor = MemberFactory(organization=org, role=MemberRole.EDITOR).user
    operator = MemberFactory(organization=org, role=MemberRole.OPERATOR).user

    by_admin = invite(signed_in(admin), "boss@example.org", role=MemberRole.OWNER)
    editor_page = signed_in(editor).get(INVITATIONS)
    by_editor = invite(signed_in(editor), "someone@example.org")

    assert by_admin.context["form"].errors == {"role": ["Only an owner can grant or remove the owner role."]}
    assert editor_page.status_code == 200
    assert editor_page.context["form"] is None  # editors invite speakers only
    assert by_editor.status_code == 404
    assert signed_in(operator).get(INVITATIONS).status_code == 404
    with scopes_disabled():
        assert Invitation.objects.count() == 0


def test_a_speaker_without_an_account_signs_up_and_lands_on_their_profile(org, owner, event):
    with scopes_disabled():
        speaker = Speaker.objects.create(event=event, name="Ada Lovelace")
    invite_url = reverse(
        "portal:agenda-speaker-invite", kwargs={"organization": "acme", "event": "acme-conf", "speaker_id": speaker.pk}
    )
    assert signed_in(owner).post(invite_url, {"email": "ada@example.org"}).status_code == 302
    link = link_in_mail("ada@example.org")
    visitor = Client()
    signup_url = visitor.get(link).context["signup_url"]
    visitor.post(signup_url, {"email": "ada@example.org", "password1": PASSWORD, "password2": PASSWORD})

    accepted = visitor.post(link)
    profile = visitor.get(accepted["Location"])
    saved = visitor.post(
        accepted["Location"], {"name": "Ada King", "bio": "Poetical science.", "company": "", "job_title": ""}
    )

    assert accepted["Location"] == f"/portal/speaking/{event.pk}/"
    assert profile.status_code == 200
    assert saved.status_code == 302
    with scopes_disabled():
        speaker.refresh_from_db()
        assert (speaker.user.email, speaker.name, speaker.bio) == ("ada@example.org", "Ada King", "Poetical science.")
        assert Participant.objects.get(event=event, user=speaker.user).kind == "speaker"
    assert visitor.get("/portal/acme/").status_code == 404  # a speaker is no organization member


def test_a_linked_speaker_profile_cannot_be_invited_again(org, owner, event):
    with scopes_disabled():
        speaker = Speaker.objects.create(event=event, name="Grace", user=UserFactory())
    invite_url = reverse(
        "portal:agenda-speaker-invite", kwargs={"organization": "acme", "event": "acme-conf", "speaker_id": speaker.pk}
    )

    response = signed_in(owner).post(invite_url, {"email": "grace@example.org"})

    assert [str(m) for m in response.wsgi_request._messages] == [
        "This speaker profile is linked to an account already."
    ]
    with scopes_disabled():
        assert Invitation.objects.count() == 0


def test_someone_elses_speaker_profile_page_is_a_404(event):
    assert signed_in(UserFactory()).get(f"/portal/speaking/{event.pk}/").status_code == 404
