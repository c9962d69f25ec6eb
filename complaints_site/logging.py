"""Log records about requests name the path and the user id, and nothing more of the request."""

import logging


class RequestContextFilter(logging.Filter):
    def filter(self, record):
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        record.path = getattr(request, "path", "-")
        record.user_id = getattr(user, "pk", None) or "-"
        return True
