"""The admin back office: every registered model's changelist (with a search) and add page load
for a superuser, and the pages of event-owned (scoped) models work without a tenant scope."""

import io

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled
from PIL import Image

from eventhub.audit import audit_log
from eventhub.testing.factories import (
    PASSWORD,
    EventFactory,
    MemberFactory,
    ParticipantFactory,
    RoomFactory,
    UserFactory,
)
from events.models import Participant, Speaker

pytestmark = pytest.mark.django_db

MODELS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
MODEL_IDS = [model._meta.label for model, _ in MODELS]


@pytest.fixture(autouse=True)
def _admin_settings(page_settings):
    pass


@pytest.fixture
def superuser():
    return UserFactory(email="root@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def data():
    """One row of every model of ours, so changelists render real rows (and their lookups)."""
    member = MemberFactory()
    event = EventFactory(organization=member.organization)
    participant = ParticipantFactory(event=event)
    room = RoomFactory(event=event)
    audit_log(actor=member.user, organization_id=event.organization_id, event_id=event.pk, action="x", obj=event)
    return {"member": member, "event": event, "participant": participant, "room": room}


def test_superuser_logs_in_through_the_admin_login(client, superuser):
    response = client.post(
        reverse("admin:login"), {"username": "root@example.org", "password": PASSWORD, "next": "/admin/"}
    )

    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200


def test_admin_login_page_loads(client):
    assert client.get(reverse("admin:login")).status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), MODELS, ids=MODEL_IDS)
def test_changelist_with_search_loads(admin_client, data, model, model_admin):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    plain = admin_client.get(url)
    searched = admin_client.get(url, {"q": "example"})

    assert (plain.status_code, searched.status_code) == (200, 200)


@pytest.mark.parametrize(("model", "model_admin"), MODELS, ids=MODEL_IDS)
def test_add_page_loads(admin_client, superuser, model, model_admin, rf):
    request = rf.get("/")
    request.user = superuser
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")

    response = admin_client.get(url)

    assert response.status_code == (200 if model_admin.has_add_permission(request) else 403)


@pytest.mark.parametrize("key", ["member", "event", "participant", "room"])
def test_change_page_of_scoped_model_loads(admin_client, data, key):
    obj = data[key]

    response = admin_client.get(reverse(f"admin:events_{obj._meta.model_name}_change", args=[obj.pk]))

    assert response.status_code == 200


def test_organization_change_page_with_member_inline_loads(admin_client, data):
    organization = data["member"].organization

    response = admin_client.get(reverse("admin:events_organization_change", args=[organization.pk]))

    assert response.status_code == 200
    assert data["member"].user.email in response.content.decode()


def test_add_participant_through_the_admin(admin_client, data):
    user = UserFactory()

    response = admin_client.post(
        reverse("admin:events_participant_add"), {"user": user.pk, "event": data["event"].pk, "kind": "speaker"}
    )

    assert response.status_code == 302
    with scopes_disabled():
        assert Participant.objects.filter(user=user, event=data["event"]).values_list("kind", flat=True).get() == (
            "speaker"
        )


def test_admin_is_not_for_non_staff(client):
    client.force_login(UserFactory())

    response = client.get(reverse("admin:events_event_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_speaker_photo_uploaded_in_the_admin_is_re_encoded_without_metadata(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with scopes_disabled():
        event = EventFactory()
        speaker = Speaker.objects.create(event=event, name="Ada")
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    Image.new("RGB", (2000, 1000)).save(buffer, format="JPEG", exif=exif)
    pdf = SimpleUploadedFile("cv.jpg", b"%PDF-1.7\n%%EOF\n")
    url = reverse("admin:events_speaker_change", args=[speaker.pk])
    fields = {"event": event.pk, "name": "Ada", "links": "[]", "bio": "", "company": "", "job_title": ""}

    refused = admin_client.post(url, {**fields, "photo": pdf})
    saved = admin_client.post(url, {**fields, "photo": SimpleUploadedFile("ada.jpg", buffer.getvalue())})

    assert refused.status_code == 200
    assert b"Upload a JPEG, PNG or WebP image." in refused.content
    assert saved.status_code == 302
    with scopes_disabled():
        speaker.refresh_from_db()
    stored = speaker.photo.read()
    assert b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (1024, 512)
