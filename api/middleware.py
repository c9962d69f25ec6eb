"""Conditional requests for the API: an ETag on every answer, 304 for a client that has it."""

from django.middleware.http import ConditionalGetMiddleware

API_PREFIX = "/api/v1/"


class ApiConditionalGetMiddleware(ConditionalGetMiddleware):
    """Django's ConditionalGetMiddleware (ETag from the body, If-None-Match and If-Modified-Since
    answered with 304), for the API only: the pages have their own caching."""

    def process_response(self, request, response):
        if not request.path.startswith(API_PREFIX) or request.path.startswith(API_PREFIX + "docs"):
            return response
        if request.path.startswith(API_PREFIX + "company/"):
            response["Cache-Control"] = "private, no-store"  # a company's own data: no shared copy, ever
        elif request.method in ("GET", "HEAD") and response.status_code == 200 and not response.has_header(
                "Cache-Control"):
            response["Cache-Control"] = "public, max-age=60"
        return super().process_response(request, response)
