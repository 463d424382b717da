from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from eventhub import errors
from eventhub.images import PROFILE_PHOTO, reencode
from eventhub.services import full_clean_or_invalid

from .models import Interest, Profile, User


def profile_get_or_create(*, user: User) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def _interest_slugs(names: list[str]) -> dict[str, str]:
    """Interest slug -> display name, in the given order; rejects names without a usable slug."""
    slugs: dict[str, str] = {}
    for name in names:
        slug = slugify(name)[:60]
        if not slug:
            raise errors.Invalid(fields={"interests": _("%(name)r is not a usable interest.") % {"name": name}})
        slugs.setdefault(slug, name.strip()[:60])
    return slugs


@transaction.atomic
def profile_update(*, user: User, interests: list[str] | None = None, **fields: Any) -> Profile:
    """Update the user's own profile; ``interests`` are names, created on first use.

    Everything is validated before anything is written, so a rejected update leaves neither
    rows nor an uploaded photo file behind."""
    profile = profile_get_or_create(user=user)
    slugs = _interest_slugs(interests) if interests is not None else None
    for name in ("full_name", "bio", "company", "job_title", "language"):
        if name in fields:
            setattr(profile, name, fields[name])
    replaced_photo = None
    if fields.get("photo") is not None:
        replaced_photo = profile.photo.name or None
        # validated by content, re-encoded without metadata, bounded (eventhub/images.py)
        profile.photo = reencode(fields["photo"], policy=PROFILE_PHOTO, field="photo")
    full_clean_or_invalid(profile)
    profile.save()
    if replaced_photo and replaced_photo != profile.photo.name:
        storage = profile.photo.storage
        transaction.on_commit(lambda: storage.delete(replaced_photo))
    if slugs is not None:
        objs = [Interest.objects.get_or_create(slug=slug, defaults={"name": name})[0] for slug, name in slugs.items()]
        profile.interests.set(objs)
    return profile
