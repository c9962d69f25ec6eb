"""A company's public profile: its representatives edit it, every change is logged with who made
it and what was there before, and a moderator can put a change back.

The logo is checked like evidence (complaints/evidence.py: the type from the bytes, re-encoded,
EXIF dropped) and then made small; raster images only. A replaced logo's file is kept, so the
change log can show it and a moderator can restore it.
"""

import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from companies.models import Company, CompanyProfile, ProfileChange, Representative
from complaints.evidence import Evidence
from core.public_content import public_content_changed

# The text fields a representative edits: the description is the company's own column, the others its profile's.
COMPANY_FIELDS = ("description",)
PROFILE_FIELDS = ("support_phone", "support_email", "support_url", "opening_hours", "answering_hours")
LOGO_FIELD = "logo"
LOGO_MAX_SIDE = 400  # pixels: shown at most 96 px wide, twice that and more for sharp screens


class ProfileError(Exception):
    """A change that cannot be made; the message says why, for the person who tried."""


def may_edit_profile(user, company) -> bool:
    """Any representative of the company, checked afresh on every request."""
    return user.is_authenticated and Representative.objects.filter(user=user, company=company).exists()


def small_logo(evidence: Evidence) -> Evidence:
    """The checked image shrunk to LOGO_MAX_SIDE on its longer side, in its own format."""
    if not evidence.content_type.startswith("image/"):
        raise ProfileError(_("A logo must be a JPEG, PNG or WebP image."))
    with Image.open(io.BytesIO(evidence.content)) as image:
        fmt = image.format
        image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
        out = io.BytesIO()
        image.save(out, format=fmt, **({"optimize": True} if fmt == "PNG" else {"quality": 88}))
        width, height = image.size
    return Evidence(content=out.getvalue(), content_type=evidence.content_type,
                    original_name=evidence.original_name, width=width, height=height)


def _logo_size(name: str) -> tuple[int | None, int | None]:
    """The width and height of a kept logo file (our own re-encoded image)."""
    if not name:
        return None, None
    field = CompanyProfile._meta.get_field(LOGO_FIELD)
    with field.storage.open(name, "rb") as stored, Image.open(stored) as image:
        return image.size


def _holder(field: str, company: Company, profile: CompanyProfile):
    return company if field in COMPANY_FIELDS else profile


@transaction.atomic
def update_profile(company: Company, user, values: dict, *, logo: Evidence | None = None,
                   remove_logo: bool = False) -> list[ProfileChange]:
    """Write the changed fields and log each change; returns the changes (none when nothing changed)."""
    if not may_edit_profile(user, company):
        raise ProfileError(_("Only the company's representatives can edit its profile."))
    company = Company.objects.select_for_update().get(pk=company.pk)
    profile, _created = CompanyProfile.objects.select_for_update().get_or_create(company=company)
    changes = []
    for field in (*COMPANY_FIELDS, *PROFILE_FIELDS):
        holder = _holder(field, company, profile)
        old, new = getattr(holder, field), values[field]
        if old != new:
            setattr(holder, field, new)
            changes.append(ProfileChange(company=company, field=field, old_value=old, new_value=new, changed_by=user))
    old_logo = profile.logo.name
    if logo is not None:
        logo = small_logo(logo)
        profile.logo.save(logo.original_name, ContentFile(logo.content), save=False)
        profile.logo_width, profile.logo_height = logo.width, logo.height
    elif remove_logo and old_logo:
        profile.logo = ""
        profile.logo_width = profile.logo_height = None
    if profile.logo.name != old_logo:
        changes.append(ProfileChange(company=company, field=LOGO_FIELD, old_value=old_logo,
                                     new_value=profile.logo.name, changed_by=user))
    if changes:
        company.save(update_fields=COMPANY_FIELDS)
        profile.save()
        ProfileChange.objects.bulk_create(changes)
        public_content_changed()
    return changes


@transaction.atomic
def revert_change(change: ProfileChange, moderator) -> ProfileChange:
    """Put the field back as it was before the change, and log that as a change of its own.

    Refused when the field has changed again since: the later change is reverted first, so
    a revert never silently undoes someone else's newer words.
    """
    company = Company.objects.select_for_update().get(pk=change.company_id)
    profile, _created = CompanyProfile.objects.select_for_update().get_or_create(company=company)
    change = ProfileChange.objects.select_for_update().get(pk=change.pk)
    if change.reverted_at is not None:
        raise ProfileError(_("This change was already reverted."))
    if change.field == LOGO_FIELD:
        current = profile.logo.name
    else:
        current = getattr(_holder(change.field, company, profile), change.field)
    if current != change.new_value:
        raise ProfileError(_("The field has changed since. Revert the later change first."))
    if change.field == LOGO_FIELD:
        profile.logo.name = change.old_value
        profile.logo_width, profile.logo_height = _logo_size(change.old_value)
        profile.save(update_fields=[LOGO_FIELD, "logo_width", "logo_height"])
    else:
        holder = _holder(change.field, company, profile)
        setattr(holder, change.field, change.old_value)
        holder.save(update_fields=[change.field])
    change.reverted_by, change.reverted_at = moderator, timezone.now()
    change.save(update_fields=["reverted_by", "reverted_at"])
    public_content_changed()
    return ProfileChange.objects.create(company=company, field=change.field, old_value=current,
                                        new_value=change.old_value, changed_by=moderator, is_revert=True)
