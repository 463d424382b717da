from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from .models import Interest, Profile, User

PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
PHOTO_MAX_PIXELS = 4096 * 4096


def profile_get_or_create(*, user: User) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def _checked_photo(photo: UploadedFile) -> UploadedFile:
    """Accept only real JPEG/PNG/WebP images of bounded size (no decompression bombs)."""
    try:
        with Image.open(photo, formats=PHOTO_FORMATS) as image:
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise ValidationError({"photo": "The photo is too large (at most 16 megapixels)."})
            image.verify()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError({"photo": "Upload a JPEG, PNG or WebP image."}) from None
    photo.seek(0)
    return photo


@transaction.atomic
def profile_update(*, user: User, interests: list[str] | None = None, **fields: Any) -> Profile:
    """Update the user's own profile; ``interests`` are names, created on first use."""
    profile = profile_get_or_create(user=user)
    for name in ("full_name", "bio", "company", "job_title"):
        if name in fields:
            setattr(profile, name, fields[name])
    if fields.get("photo") is not None:
        profile.photo = _checked_photo(fields["photo"])
    profile.full_clean()
    profile.save()
    if interests is not None:
        from django.utils.text import slugify

        objs = []
        for name in interests:
            slug = slugify(name)[:60]
            if not slug:
                raise ValidationError({"interests": f"{name!r} is not a usable interest."})
            interest, _ = Interest.objects.get_or_create(slug=slug, defaults={"name": name.strip()[:60]})
            objs.append(interest)
        profile.interests.set(objs)
    return profile
