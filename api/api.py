"""The API under /api/v1/: one django-ninja application, its OpenAPI description generated from
the code (the views' type hints and api/schemas.py) at /api/v1/openapi.json, and an interactive
page at /api/v1/docs."""

import threading

from ninja import NinjaAPI
from ninja.throttling import BaseThrottle

from api import company_api, public_api
from api.limits import Limited, count
from api.public_api import FilterInvalid, form_errors


class AddressThrottle(BaseThrottle):
    """settings.ACCOUNT_RATE_LIMITS["api_read"] per client address. Reads go on when the counters
    cannot be reached (Redis down): refusing them would protect nothing."""

    def __init__(self):
        self._local = threading.local()

    def allow_request(self, request) -> bool:
        try:
            count(request, "api_read")
        except Limited as limited:
            if limited.retry_after is None:
                return True
            self._local.wait = limited.retry_after
            return False
        return True

    def wait(self):
        return getattr(self._local, "wait", None)


DESCRIPTION = """
Public complaints about companies, the companies' answers and their record, as on the site.

* Public reads need no key. They are limited per address (429 with `Retry-After`), answer with
  `ETag` (send `If-None-Match` to get 304) and allow any origin (CORS).
* Lists are paged by cursor: follow `next` until it is null.
* `/company/...` needs a company token (`Authorization: Bearer cpt_...`), made by a representative
  on the company's API page. A revoked or expired token gets 401, a read-only token 403 on writes.
* Errors are JSON: `{"detail": "..."}`, or for bad input (422) a list of
  `{"loc": [...], "msg": "...", "type": "..."}`.

The same data as files: /open-data/.
"""

api = NinjaAPI(
    title="Complaint portal API", version="1", description=DESCRIPTION, urls_namespace="api-v1",
    throttle=[AddressThrottle()], docs_url="/docs", openapi_url="/openapi.json",
)
api.add_router("/", public_api.router)
api.add_router("/", company_api.router)


@api.exception_handler(FilterInvalid)
def invalid_filters(request, error: FilterInvalid):
    return api.create_response(request, form_errors(error.form), status=422)

