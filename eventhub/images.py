"""Untrusted images in, safe images out: the one place every upload of a picture goes through
(profile photos; speaker photos, chat attachments later).

An upload is refused unless its *content* is one of the allowed formats (Pillow opened with an
explicit ``formats=`` list: a PDF or an HTML file named ``.jpg`` is refused, and no other
decoder Pillow has is ever reached), its byte size and its declared dimensions are bounded —
read from the header before a single pixel is decoded, so a decompression bomb (a 20,000 ×
20,000 PNG of a few KB) is a quick refusal, never a warning and a 1.2 GB decode. What is kept is
a re-encoding of the pixels: EXIF orientation applied, scaled into a bounded box, and written
from a fresh image with no metadata at all (no EXIF and so no GPS position, no comments — HTML
in a JPEG comment included —, no ICC profile, no XMP)."""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from typing import IO, Any

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from eventhub import errors

# Process-wide: a picture past Pillow's own bomb limit is an error, never a warning that lets
# the decode go on (our own caps below are far lower and are checked first where possible).
warnings.simplefilter("error", Image.DecompressionBombWarning)

MIB = 1024 * 1024


@dataclass(frozen=True)
class ImagePolicy:
    """What an upload may be, and what is kept of it."""

    formats: tuple[str, ...] = ("JPEG", "PNG", "WEBP")
    max_bytes: int = 10 * MIB
    max_pixels: int = 40_000_000
    """Declared width × height, checked before decoding (40 MP: any phone camera)."""
    max_side: int = 10_000
    box: int = 1024
    """The kept image fits in ``box`` × ``box`` (aspect ratio kept; smaller images stay as they are)."""
    output_format: str = "JPEG"
    quality: int = 85


PROFILE_PHOTO = ImagePolicy()
SPEAKER_PHOTO = ImagePolicy()

_NAMES = {"WEBP": "WebP"}
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
_CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
}


def content_type_for(name: str) -> str | None:
    """The content type an image we stored is served with, by its extension; ``None`` for
    anything else (served as a download, never rendered)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return _CONTENT_TYPES.get(extension)


def _refuse(field: str, message: str, code: str) -> errors.Invalid:
    return errors.Invalid(message, code=code, fields={field: [message]})


def _size_of(upload: Any) -> int | None:
    size = getattr(upload, "size", None)
    return size if isinstance(size, int) else None


def reencode(upload: IO[bytes] | Any, *, policy: ImagePolicy = PROFILE_PHOTO, field: str = "photo") -> ContentFile:
    """The upload as a new, metadata-free image file (a ``ContentFile`` with a random name of the
    policy's format), or ``errors.Invalid`` with code ``image_too_large`` or ``not_an_image`` on
    ``field``. Reads at most ``policy.max_bytes`` of the upload."""
    too_heavy = _("The image is too large (at most %(mb)s MB).") % {"mb": policy.max_bytes // MIB}
    size = _size_of(upload)
    if size is not None and size > policy.max_bytes:
        raise _refuse(field, too_heavy, "image_too_large")
    data = upload.read(policy.max_bytes + 1)
    if len(data) > policy.max_bytes:
        raise _refuse(field, too_heavy, "image_too_large")
    too_big = _refuse(
        field,
        _("The image has too many pixels (at most %(mp)s megapixels, %(side)s pixels a side).")
        % {"mp": policy.max_pixels // 1_000_000, "side": policy.max_side},
        "image_too_large",
    )
    names = [_NAMES.get(name, name) for name in policy.formats]
    not_image = _refuse(
        field,
        _("Upload a %(formats)s or %(last)s image.") % {"formats": ", ".join(names[:-1]), "last": names[-1]},
        "not_an_image",
    )
    try:
        with Image.open(io.BytesIO(data), formats=list(policy.formats)) as image:
            width, height = image.size
            if width * height > policy.max_pixels or max(width, height) > policy.max_side:
                raise too_big
            if policy.output_format == "JPEG" and image.format == "JPEG":
                image.draft("RGB", (policy.box, policy.box))  # decode JPEGs at a reduced scale
            image.load()
            kept = _pixels(image, policy)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_big from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        # not one of the formats, truncated, or corrupt
        raise not_image from None
    out = io.BytesIO()
    options: dict[str, Any] = {"quality": policy.quality, "optimize": True} if policy.output_format == "JPEG" else {}
    kept.save(out, format=policy.output_format, **options)
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(8)}.{_EXTENSIONS[policy.output_format]}")


def _pixels(image: Image.Image, policy: ImagePolicy) -> Image.Image:
    """Upright, within the box, in a mode the output format takes, and with nothing but pixels."""
    upright = ImageOps.exif_transpose(image)  # a new image; orientation applied
    upright.thumbnail((policy.box, policy.box), Image.Resampling.LANCZOS)
    if policy.output_format == "JPEG":
        if upright.mode in ("RGBA", "LA", "P", "PA"):
            rgba = upright.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            upright = flat
        elif upright.mode != "RGB":
            upright = upright.convert("RGB")
    # A fresh image from the bare pixels: no info dict (EXIF, comments, ICC, XMP) comes along.
    clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    if upright.mode == "P":
        clean.putpalette(upright.getpalette() or [])
    return clean


class ReencodedImageField(forms.FileField):
    """A form field for a picture: an upload comes out of ``clean`` re-encoded by ``policy``
    (the admin's speaker photos; any form that takes a picture). Django's own ``ImageField``
    form field lets Pillow try every format it knows and keeps the bytes as they came."""

    def __init__(self, *, policy: ImagePolicy = PROFILE_PHOTO, **kwargs: Any) -> None:
        self.policy = policy
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            try:
                return reencode(value, policy=self.policy)
            except errors.Invalid as error:
                raise forms.ValidationError(error.detail, code=error.code) from None
        return value
