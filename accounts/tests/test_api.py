"""``/api/v1/me``: the signed-in user's own profile."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import Interest, Profile
from eventhub.testing.factories import UserFactory
from eventhub.testing.live import session_token_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(user))
    return client


def _image(name: str, image_format: str, size: tuple[int, int] = (8, 8), mode: str = "RGB") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format.lower()}")


def _me_body(user, **overrides) -> dict:
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.profile.full_name,
        "photo": None,
        "bio": "",
        "company": "",
        "job_title": "",
        "interests": [],
        "language": "",
        "stream": f"user:{user.pk}",
        **overrides,
    }


def _profile_row(user) -> dict:
    profile = Profile.objects.get(user=user)
    return {
        "full_name": profile.full_name,
        "bio": profile.bio,
        "company": profile.company,
        "job_title": profile.job_title,
        "photo": profile.photo.name,
        "interests": sorted(profile.interests.values_list("name", flat=True)),
    }


# --- GET -------------------------------------------------------------------------------------


def test_me_get_returns_own_profile():
    user = UserFactory(email="ada@example.org")

    response = _client(user).get("/api/v1/me")

    assert response.status_code == 200
    assert response.json() == _me_body(user, full_name="Ada")


def test_me_get_unauthenticated_is_401_json():
    response = _client().get("/api/v1/me")

    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "not_authenticated", "detail": "Authentication credentials were not provided.", "fields": {}}
    }
    assert response["WWW-Authenticate"] == 'X-Session-Token realm="api"'


def test_me_get_with_unknown_session_token_is_401():
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN="not-a-session")

    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_me_get_with_portal_session_cookie_works():
    user = UserFactory()
    client = APIClient()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["id"] == user.pk


# --- PATCH -----------------------------------------------------------------------------------


def test_me_patch_updates_profile_fields_and_interests():
    user = UserFactory()
    client = _client(user)

    response = client.patch(
        "/api/v1/me",
        {
            "full_name": "Ada Lovelace",
            "bio": "Analyst.",
            "company": "Engines Ltd",
            "job_title": "Programmer",
            "interests": ["Python", "Data Science", "python "],
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == _me_body(
        user,
        full_name="Ada Lovelace",
        bio="Analyst.",
        company="Engines Ltd",
        job_title="Programmer",
        interests=["Data Science", "Python"],
    )
    assert sorted(Interest.objects.values_list("slug", flat=True)) == ["data-science", "python"]


def test_me_patch_is_partial_and_replaces_interests():
    user = UserFactory()
    client = _client(user)
    client.patch("/api/v1/me", {"company": "Engines Ltd", "interests": ["Python", "Go"]}, format="json")

    response = client.patch("/api/v1/me", {"interests": ["Rust"]}, format="json")

    assert response.status_code == 200
    assert (response.json()["company"], response.json()["interests"]) == ("Engines Ltd", ["Rust"])


def test_me_patch_photo_accepts_a_small_png():
    user = UserFactory()

    response = _client(user).patch("/api/v1/me", {"photo": _image("avatar.png", "PNG")}, format="multipart")

    assert response.status_code == 200
    profile = Profile.objects.get(user=user)
    assert response.json()["photo"] == f"http://testserver/media/{profile.photo.name}"
    assert profile.photo.name.startswith(f"profiles/{user.pk}/")
    with Image.open(profile.photo.path) as stored:  # re-encoded (eventhub/images.py)
        assert (stored.format, stored.size) == ("JPEG", (8, 8))


def test_me_patch_photo_replacing_deletes_the_old_file_after_commit(django_capture_on_commit_callbacks):
    user = UserFactory()
    client = _client(user)
    client.patch("/api/v1/me", {"photo": _image("first.png", "PNG")}, format="multipart")
    old = Path(Profile.objects.get(user=user).photo.path)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch("/api/v1/me", {"photo": _image("second.png", "PNG")}, format="multipart")

    new = Path(Profile.objects.get(user=user).photo.path)
    assert response.status_code == 200
    assert (old.exists(), new.exists(), new.suffix) == (False, True, ".jpg")


def test_me_patch_photo_rejects_a_non_image_with_400():
    user = UserFactory()
    before = _profile_row(user)
    text = SimpleUploadedFile("avatar.png", b"this is not an image", content_type="image/png")

    response = _client(user).patch("/api/v1/me", {"photo": text, "full_name": "Changed"}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "not_an_image",
            "detail": "The request has invalid fields.",
            "fields": {"photo": ["Upload a JPEG, PNG or WebP image."]},
        }
    }
    assert _profile_row(user) == before


def test_me_patch_photo_rejects_an_image_format_we_do_not_serve_with_400():
    user = UserFactory()
    before = _profile_row(user)

    response = _client(user).patch(
        "/api/v1/me", {"photo": _image("avatar.gif", "GIF"), "full_name": "Changed"}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "not_an_image",
            "detail": "The request has invalid fields.",
            "fields": {"photo": ["Upload a JPEG, PNG or WebP image."]},
        }
    }
    assert _profile_row(user) == before


def test_me_patch_photo_rejects_too_many_pixels_with_400():
    user = UserFactory()
    before = _profile_row(user)
    huge = _image("huge.png", "PNG", size=(10_001, 2), mode="1")

    response = _client(user).patch("/api/v1/me", {"photo": huge}, format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "photo": ["The image has too many pixels (at most 40 megapixels, 10000 pixels a side)."]
    }
    assert _profile_row(user) == before


def test_me_patch_unusable_interest_is_400_and_changes_nothing():
    user = UserFactory()
    client = _client(user)
    client.patch("/api/v1/me", {"interests": ["Python"]}, format="json")
    before = _profile_row(user)

    response = client.patch("/api/v1/me", {"full_name": "Changed", "interests": ["Go", "!!!"]}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "detail": "The request has invalid fields.",
            "fields": {"interests": ["'!!!' is not a usable interest."]},
        }
    }
    assert _profile_row(user) == before
    assert list(Interest.objects.values_list("name", flat=True)) == ["Python"]


def test_me_patch_too_long_field_is_400_with_fields():
    user = UserFactory()
    before = _profile_row(user)

    response = _client(user).patch("/api/v1/me", {"full_name": "x" * 151}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "detail": "The request has invalid fields.",
            "fields": {"full_name": ["Ensure this field has no more than 150 characters."]},
        }
    }
    assert _profile_row(user) == before


def test_me_patch_unauthenticated_is_401():
    response = _client().patch("/api/v1/me", {"full_name": "Nobody"}, format="json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert Profile.objects.count() == 0
