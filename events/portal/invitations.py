"""Invitations in the portal: the organization's page to invite team members and to see, resend
and revoke pending invitations (``…/invitations/``); the speaker page's "invite" form; the
page a link opens (``/invitations/<token>``, routed by ``events/urls.py``: no login needed to
see it, signing up or in from there comes back to it); and the speaker's own profile page that
an accepted speaker invitation lands on (``/portal/speaking/<event_id>/``)."""

from typing import Any

from allauth.account.adapter import get_adapter
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from eventhub import errors
from eventhub.portal import ServiceFormView, apply_service_errors, attempt, error_text

from ..enums import InvitationKind, MemberRole
from ..models import Event, Organization, Speaker
from ..selectors.agenda import speaker_access
from ..selectors.invitations import (
    invitation_access,
    invitation_kinds_for,
    invitation_link_scope,
    invitations_pending,
    own_speaker_access,
)
from ..services import agenda as agenda_services
from ..services import invitations as services
from .access import OrganizationRequest, PortalRequest, SignedInRequest, event_page, organization_page
from .pages import EDIT, event_url


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


class TeamInvitationForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=MemberRole.choices, initial=MemberRole.EDITOR)


class SpeakerInvitationForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Speaker's e-mail address"))


def _invitations_url(organization: Organization) -> str:
    return reverse("portal:invitations", kwargs={"organization": organization.slug})


@organization_page()
def invitations(request: OrganizationRequest, organization: Organization) -> HttpResponse:
    kinds = invitation_kinds_for(user=request.user, organization=organization)
    if not kinds:
        raise errors.NotFound()
    can_invite_team = InvitationKind.TEAM in kinds
    form = TeamInvitationForm(request.POST or None) if can_invite_team else None
    if request.method == "POST":
        if form is None:
            raise errors.NotFound()
        if form.is_valid():
            try:
                invitation = services.invitation_create_team(
                    actor=request.user, organization=organization, base_url=_base_url(request), **form.cleaned_data
                )
            except (errors.NotFound, errors.PermissionDenied):
                raise
            except errors.DomainError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                return HttpResponseRedirect(_invitations_url(organization))
    context = {
        "org": organization,
        "form": form,
        "pending": list(invitations_pending(organization=organization, kinds=kinds)),
        "now": timezone.now(),
    }
    return render(request, "io/invitations.html", context)


def _invitation_action(
    request: OrganizationRequest, organization: Organization, invitation_id: int, call: Any
) -> HttpResponse:
    invitation = invitation_access(user=request.user, organization=organization, invitation_id=invitation_id)
    result, refusal = attempt(lambda: call(invitation))
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(request, str(result))
    return HttpResponseRedirect(_invitations_url(organization))


@require_POST
@organization_page()
def invitation_resend(request: OrganizationRequest, organization: Organization, invitation_id: int) -> HttpResponse:
    def resend(invitation: Any) -> str:
        services.invitation_resend(actor=request.user, invitation=invitation, base_url=_base_url(request))
        return _("Invitation sent to %(email)s again; the earlier link no longer works.") % {"email": invitation.email}

    return _invitation_action(request, organization, invitation_id, resend)


@require_POST
@organization_page()
def invitation_revoke(request: OrganizationRequest, organization: Organization, invitation_id: int) -> HttpResponse:
    def revoke(invitation: Any) -> str:
        services.invitation_revoke(actor=request.user, invitation=invitation)
        return _("Invitation of %(email)s revoked.") % {"email": invitation.email}

    return _invitation_action(request, organization, invitation_id, revoke)


@require_POST
@event_page(EDIT)
def speaker_invite(request: PortalRequest, event: Event, speaker_id: int) -> HttpResponse:
    speaker = speaker_access(user=request.user, event=event, speaker_id=speaker_id)
    form = SpeakerInvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("email", [])))
    else:
        _result, refusal = attempt(
            lambda: services.invitation_create_speaker(
                actor=request.user, speaker=speaker, email=form.cleaned_data["email"], base_url=_base_url(request)
            )
        )
        if refusal:
            messages.error(request, refusal)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    return HttpResponseRedirect(event_url("agenda-speaker", event, speaker_id=speaker.pk))


# --- the link -----------------------------------------------------------------------------------


def _landing(invitation: Any) -> str:
    if invitation.kind == InvitationKind.TEAM:
        return reverse("portal:organization", kwargs={"organization": invitation.organization.slug})
    return reverse("portal:speaker-profile", kwargs={"event_id": invitation.event_id})


def invitation_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what the invitation is for, and (signed out) sign-up and sign-in links that come
    back here, or (signed in) the accept button. POST: accept, then land in the organization's
    portal or on the speaker profile."""
    try:
        with invitation_link_scope(token=token) as link:
            invitation = link.invitation
            context: dict[str, Any] = {"invitation": invitation, "closed": link.closed, "token": token}
            if link.closed:
                return render(request, "io/invitation.html", context, status=410)
            if request.method == "POST":
                if not request.user.is_authenticated:
                    return HttpResponseRedirect(reverse("account_login") + "?" + urlencode({"next": request.path}))
                try:
                    services.invitation_accept(user=request.user, invitation=invitation, nonce=link.nonce)
                except errors.DomainError as error:
                    context["refusal"] = error_text(error)
                    return render(request, "io/invitation.html", context, status=409)
                messages.success(request, _("Welcome! The invitation is accepted."))
                return HttpResponseRedirect(_landing(invitation))
            if not request.user.is_authenticated:
                # The link came by e-mail to this address: allauth then pre-fills the sign-up
                # form with it and counts it as verified (its documented invitation hook).
                get_adapter(request).stash_verified_email(request, invitation.email)
            query = urlencode({"next": request.path})
            context.update(
                {
                    "signup_url": reverse("account_signup") + "?" + query,
                    "login_url": reverse("account_login") + "?" + query,
                }
            )
            return render(request, "io/invitation.html", context)
    except errors.NotFound:
        return render(request, "io/invitation.html", {"closed": "invalid"}, status=404)


# --- the speaker's own profile --------------------------------------------------------------------


class OwnProfileForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    job_title = forms.CharField(label=gettext_lazy("Job title"), max_length=200, required=False)
    company = forms.CharField(label=gettext_lazy("Company"), max_length=200, required=False)
    bio = forms.CharField(label=gettext_lazy("Bio"), widget=forms.Textarea(attrs={"rows": 6}), required=False)


class SpeakerProfile(ServiceFormView[OwnProfileForm]):
    form_class = OwnProfileForm
    template_name = "io/speaker_profile.html"
    request: SignedInRequest

    def setup(self, *, event_id: int) -> None:
        self.speaker: Speaker = own_speaker_access(user=self.request.user, event_id=event_id)
        self.event = self.speaker.event

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"initial": {name: getattr(self.speaker, name) for name in ("name", "job_title", "company", "bio")}}

    def save(self, form: OwnProfileForm) -> Speaker:
        return agenda_services.speaker_save(
            actor=self.request.user, event=self.event, speaker=self.speaker, **form.cleaned_data
        )

    def success_message(self, result: Speaker) -> str:
        return _("Your speaker profile is saved.")

    def success_url(self, result: Speaker) -> str:
        return reverse("portal:speaker-profile", kwargs={"event_id": self.event.pk})

    def get_context(self, form: OwnProfileForm) -> dict[str, Any]:
        return {"form": form, "event": self.event, "speaker": self.speaker}


speaker_profile = login_required(SpeakerProfile.as_view())
