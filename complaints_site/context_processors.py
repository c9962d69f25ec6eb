from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        # How long shared parts of public pages may be kept ({% cache %} in the templates).
        "PUBLIC_CACHE_SECONDS": settings.VISITOR_CACHE_SECONDS,
    }
