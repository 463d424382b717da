"""Profile photos through ``PATCH /api/v1/me`` (issue 11, Medium 10): validated by content,
re-encoded without metadata, bounded in bytes and pixels, and served back with ``nosniff``."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import Profile
from eventhub.testing.factories import UserFactory
from eventhub.testing.live import session_token_for

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(user))
    return client


def _jpeg_with_gps_and_comment() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, comment=b"<script>alert('home')</script>")
    return buffer.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and IHDR declaring ``width`` × ``height`` (1-bit), with a tiny
    IDAT: what a decompression bomb looks like before anyone decodes it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


def _profile_row(user) -> dict:
    return Profile.objects.filter(user=user).values().first() or {}


def test_jpeg_with_gps_exif_is_stored_without_any_metadata_and_upright():
    user = UserFactory()
    original = _jpeg_with_gps_and_comment()
    with Image.open(io.BytesIO(original)) as check:  # the fixture does carry what must go
        assert check.getexif().get_ifd(GPS_IFD)
        assert b"<script>" in check.info["comment"]

    response = _client(user).patch(
        "/api/v1/me", {"photo": SimpleUploadedFile("me.jpg", original, content_type="image/jpeg")}, format="multipart"
    )

    assert response.status_code == 200
    stored_bytes = Profile.objects.get(user=user).photo.read()
    assert b"<script>" not in stored_bytes
    assert b"PhoneMaker" not in stored_bytes
    assert b"Exif" not in stored_bytes
    with Image.open(io.BytesIO(stored_bytes)) as stored:
        assert stored.format == "JPEG"
        assert dict(stored.getexif()) == {}
        assert "comment" not in stored.info
        assert "icc_profile" not in stored.info
        assert stored.size == (48, 64)  # the orientation was applied, then dropped


def test_large_photo_is_scaled_into_the_box():
    user = UserFactory()
    buffer = io.BytesIO()
    Image.new("RGB", (3000, 1500), (10, 120, 200)).save(buffer, format="PNG")

    response = _client(user).patch(
        "/api/v1/me", {"photo": SimpleUploadedFile("wide.png", buffer.getvalue())}, format="multipart"
    )

    assert response.status_code == 200
    with Image.open(Profile.objects.get(user=user).photo.path) as stored:
        assert stored.size == (1024, 512)


def test_pdf_renamed_jpg_is_refused_and_nothing_is_stored(settings):
    user = UserFactory()
    before = _profile_row(user)
    pdf = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

    response = _client(user).patch(
        "/api/v1/me", {"photo": SimpleUploadedFile("me.jpg", pdf, content_type="image/jpeg")}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"photo": ["Upload a JPEG, PNG or WebP image."]}
    assert _profile_row(user) == before
    assert not (settings.MEDIA_ROOT / "profiles").exists()


def test_decompression_bomb_png_is_refused_with_a_clear_400_not_a_warning(recwarn):
    user = UserFactory()
    bomb = _png_header_only(20_000, 20_000)
    before = _profile_row(user)

    response = _client(user).patch(
        "/api/v1/me", {"photo": SimpleUploadedFile("bomb.png", bomb, content_type="image/png")}, format="multipart"
    )

    assert len(bomb) < 200
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "photo": ["The image has too many pixels (at most 40 megapixels, 10000 pixels a side)."]
    }
    assert _profile_row(user) == before
    assert [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)] == []


def test_photo_over_the_byte_limit_is_refused(settings):
    user = UserFactory()
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024), content_type="image/jpeg")

    response = _client(user).patch("/api/v1/me", {"photo": big}, format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"photo": ["The image is too large (at most 10 MB)."]}


def test_body_over_the_request_limit_is_refused_before_it_is_read(settings):
    settings.REQUEST_BODY_MAX_BYTES = 1024 * 1024
    user = UserFactory()
    before = _profile_row(user)
    body = b"x" * (2 * 1024 * 1024)

    response = _client(user).generic(
        "PATCH",
        "/api/v1/me",
        body,
        content_type="multipart/form-data; boundary=zzz",
        HTTP_CONTENT_LENGTH=str(len(body)),
    )

    assert response.status_code == 413
    assert response.json() == {
        "error": {"code": "payload_too_large", "detail": "The request body exceeds 1048576 bytes.", "fields": {}}
    }
    assert _profile_row(user) == before


def test_stored_photo_is_served_as_an_image_with_nosniff_in_every_profile(settings):
    settings.DEBUG = False
    user = UserFactory()
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG")
    _client(user).patch("/api/v1/me", {"photo": SimpleUploadedFile("a.png", buffer.getvalue())}, format="multipart")
    name = Profile.objects.get(user=user).photo.name

    served = Client().get(f"/media/{name}")

    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]


def test_media_that_is_not_an_image_is_a_download_never_a_page(settings):
    (settings.MEDIA_ROOT / "profiles").mkdir(parents=True)
    (settings.MEDIA_ROOT / "profiles" / "evil.html").write_text("<script>alert(1)</script>")

    served = Client().get("/media/profiles/evil.html")
    escaping = Client().get("/media/../settings.py")

    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"] == "attachment"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert escaping.status_code == 404
