"""Invitations by e-mail: to the organization's team with a role, or to claim a speaker profile.

The address need not have an account. The e-mail (through the outbox, ``OutboundEmail``: it
commits with the invitation and is sent by a retried task) carries a link with a signed token
(``django.core.signing``, salt ``events.invitation``) naming the invitation and its nonce. The
link is single-use (``accepted_at``), expires (``expires_at``, ``INVITATION_TTL`` after it was
last sent), and dies on revoke or resend (resending rotates the nonce). Accepting binds the
invitation to the signed-in account, whichever address it signed up with: the link is the
credential, as with pretix's team invites. Every write is audited."""

from datetime import datetime, timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.selectors import user_by_email
from eventhub import errors
from eventhub.audit import audit_log
from eventhub.outbox import email_enqueue
from eventhub.services import require_permission

from ..enums import InvitationKind, MemberRole, ParticipantKind
from ..models import Invitation, Organization, OrganizationMember, Participant, Speaker, new_invitation_nonce

INVITATION_TTL = timedelta(days=14)
LINK_SIGNING_NAMESPACE = "events.invitation"
EMAIL_TYPE = "invitation.sent"
PENDING = gettext_lazy("An invitation to this address is pending: resend it instead.")


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=LINK_SIGNING_NAMESPACE)


def invitation_token_id(token: str) -> tuple[int, str] | None:
    """The invitation id and nonce a token names, or None for a token we did not sign."""
    try:
        data = signing.loads(token, salt=LINK_SIGNING_NAMESPACE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or not isinstance(data.get("n"), str):
        return None
    return data["i"], data["n"]


def _audit(actor: User | None, invitation: Invitation, action: str, **changes: object) -> None:
    audit_log(
        actor=actor,
        organization_id=invitation.organization_id,
        event_id=invitation.event_id,
        action=action,
        obj=invitation,
        changes={"email": invitation.email, **changes},
    )


def _start_clock(invitation: Invitation, *, now: datetime) -> None:
    invitation.sent_at = now
    invitation.expires_at = now + INVITATION_TTL


def _send(invitation: Invitation, *, base_url: str) -> None:
    """Queue the e-mail of a saved invitation (the outbox row commits with it)."""
    link = base_url.rstrip("/") + reverse("invitation", kwargs={"token": invitation_token(invitation)})
    inviter = invitation.invited_by.email if invitation.invited_by else _("The organizers")
    if invitation.kind == InvitationKind.TEAM:
        subject = _("You are invited to join %(org)s on EventHub") % {"org": invitation.organization.name}
        what = _("%(inviter)s invites you to join %(org)s as %(role)s.") % {
            "inviter": inviter,
            "org": invitation.organization.name,
            "role": MemberRole(invitation.role).label,
        }
    else:
        assert invitation.event is not None
        assert invitation.speaker is not None
        subject = _("You are invited to speak at %(event)s") % {"event": invitation.event.name}
        what = _("%(inviter)s invites you to take over your speaker profile “%(name)s” at %(event)s.") % {
            "inviter": inviter,
            "name": invitation.speaker.name,
            "event": invitation.event.name,
        }
    body = "\n\n".join(
        [
            what,
            _("Open this link to accept; you can sign up or sign in there:"),
            link,
            _("The link works once and expires on %(date)s.")
            % {"date": invitation.expires_at.strftime("%Y-%m-%d %H:%M UTC")},
        ]
    )
    email_enqueue(to=invitation.email, subject=subject, body=body, type=EMAIL_TYPE)


def _normalized(email: str) -> str:
    email = email.strip()
    if "@" not in email:
        raise errors.Invalid(fields={"email": _("Enter an e-mail address.")})
    local, _at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def _create(invitation: Invitation, *, base_url: str) -> Invitation:
    try:
        with transaction.atomic():
            _start_clock(invitation, now=timezone.now())
            invitation.save()
            _send(invitation, base_url=base_url)
    except IntegrityError:  # the open-invitation constraints: a concurrent duplicate
        raise errors.Invalid(fields={"email": str(PENDING)}) from None
    return invitation


@transaction.atomic
def invitation_create_team(
    *, actor: User, organization: Organization, email: str, role: str, base_url: str
) -> Invitation:
    """Invite an address to the organization with ``role``. Refused for a member's address and
    for an address with a pending invitation. Side effects: the e-mail (outbox), an audit entry."""
    require_permission(actor, "events.manage_members", organization)
    if role not in MemberRole.values:
        raise errors.Invalid(fields={"role": _("Unknown role.")})
    if role == MemberRole.OWNER and not actor.has_perm("events.manage_owners", organization):
        raise errors.Invalid(fields={"role": _("Only an owner can grant or remove the owner role.")})
    email = _normalized(email)
    user = user_by_email(email=email)
    if user is not None and OrganizationMember.objects.filter(organization=organization, user=user).exists():
        raise errors.Invalid(fields={"email": _("This person is already a member.")})
    open_invitations = Invitation.objects.filter(
        organization=organization, kind=InvitationKind.TEAM, accepted_at__isnull=True, revoked_at__isnull=True
    )
    if open_invitations.filter(email__iexact=email).exists():
        raise errors.Invalid(fields={"email": str(PENDING)})
    invitation = _create(
        Invitation(organization=organization, kind=InvitationKind.TEAM, email=email, role=role, invited_by=actor),
        base_url=base_url,
    )
    _audit(actor, invitation, "invitation.created", role=role)
    return invitation


@transaction.atomic
def invitation_create_speaker(*, actor: User, speaker: Speaker, email: str, base_url: str) -> Invitation:
    """Invite an address to claim a speaker profile (link it to their account). Refused when
    the profile is linked already or an invitation to the address is pending."""
    event = speaker.event
    require_permission(actor, "events.change_agenda", event)
    email = _normalized(email)
    if speaker.user_id is not None:
        raise errors.Invalid(fields={"email": _("This speaker profile is linked to an account already.")})
    open_invitations = Invitation.objects.filter(
        speaker=speaker, kind=InvitationKind.SPEAKER, accepted_at__isnull=True, revoked_at__isnull=True
    )
    if open_invitations.filter(email__iexact=email).exists():
        raise errors.Invalid(fields={"email": str(PENDING)})
    invitation = _create(
        Invitation(
            organization_id=event.organization_id,
            kind=InvitationKind.SPEAKER,
            email=email,
            event=event,
            speaker=speaker,
            invited_by=actor,
        ),
        base_url=base_url,
    )
    _audit(actor, invitation, "invitation.created", speaker=speaker.pk)
    return invitation


def _require_manage(actor: User, invitation: Invitation) -> None:
    if invitation.kind == InvitationKind.TEAM:
        require_permission(actor, "events.manage_members", invitation.organization)
    else:
        require_permission(actor, "events.change_agenda", invitation.event)


def _lock(invitation: Invitation) -> Invitation:
    found = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organization", "event", "speaker", "invited_by")
        .filter(pk=invitation.pk)
        .first()
    )
    if found is None:
        raise errors.NotFound()
    return found


def _require_open(invitation: Invitation, *, now: datetime) -> None:
    if invitation.revoked_at is not None:
        raise errors.Gone(_("This invitation was revoked. Ask the organizers for a new one."))
    if invitation.accepted_at is not None:
        raise errors.Gone(_("This invitation has been used already."))
    if invitation.expires_at <= now:
        raise errors.Gone(_("This invitation has expired. Ask the organizers to send it again."))


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation, base_url: str) -> Invitation:
    """Send the invitation again with a new link (the old one stops working) and a new expiry."""
    _require_manage(actor, invitation)
    invitation = _lock(invitation)
    if invitation.revoked_at is not None or invitation.accepted_at is not None:
        raise errors.Invalid(_("Only a pending invitation can be sent again."))
    invitation.nonce = new_invitation_nonce()
    _start_clock(invitation, now=timezone.now())
    invitation.save(update_fields=["nonce", "sent_at", "expires_at"])
    _send(invitation, base_url=base_url)
    _audit(actor, invitation, "invitation.resent")
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    _require_manage(actor, invitation)
    invitation = _lock(invitation)
    if invitation.accepted_at is not None:
        raise errors.Invalid(_("This invitation has been accepted: remove the member instead."))
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _audit(actor, invitation, "invitation.revoked")
    return invitation


@transaction.atomic
def invitation_accept(*, user: User, invitation: Invitation, nonce: str) -> Invitation:
    """Accept with the signed-in account: a team invitation makes it a member with the role; a
    speaker invitation links the speaker profile to it and makes it a speaker of the event.
    Refused (``Gone``) for a revoked, used, expired or superseded (resent) link, and
    (``Conflict``) when the account is a member already, or the profile or the account is linked
    already. Locking: the invitation row, so a link is used once however often it is posted."""
    if not user.is_authenticated:
        raise errors.PermissionDenied()
    now = timezone.now()
    invitation = _lock(invitation)
    if invitation.nonce != nonce:
        raise errors.Gone(_("This link has been replaced by a newer invitation: use the latest e-mail."))
    _require_open(invitation, now=now)
    if invitation.kind == InvitationKind.TEAM:
        organization = invitation.organization
        if OrganizationMember.objects.filter(organization=organization, user=user).exists():
            raise errors.Conflict(_("You are a member of %(org)s already.") % {"org": organization.name})
        OrganizationMember.objects.create(organization=organization, user=user, role=invitation.role)
        audit_log(
            actor=user,
            organization_id=organization.pk,
            action="member.added",
            obj=invitation,
            changes={"user": user.email, "role": invitation.role, "invitation": invitation.pk},
        )
    else:
        assert invitation.speaker is not None
        assert invitation.event is not None
        speaker = Speaker.objects.select_for_update().get(pk=invitation.speaker.pk)
        if speaker.user_id is not None:
            raise errors.Conflict(_("This speaker profile is linked to an account already."))
        if Speaker.objects.filter(event=invitation.event, user=user).exists():
            raise errors.Conflict(_("Your account has a speaker profile at this event already."))
        speaker.user = user
        speaker.save(update_fields=["user", "updated_at"])
        Participant.objects.get_or_create(event=invitation.event, user=user, defaults={"kind": ParticipantKind.SPEAKER})
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _audit(user, invitation, "invitation.accepted", account=user.email)
    return invitation
