"""What every template sees of the site: its name, tagline, address and public cache settings."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from core.public_content import public_version


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_TAGLINE": settings.SITE_TAGLINE or _("Complaints in public, answers in public."),
        "SITE_URL": settings.SITE_URL,  # canonical addresses and link previews
        # How long shared parts of public pages may be kept ({% cache %} in the templates).
        "PUBLIC_CACHE_SECONDS": settings.VISITOR_CACHE_SECONDS,
        # For such parts that show counts: read only by a template that asks for it.
        "PUBLIC_VERSION": SimpleLazyObject(public_version),
    }
