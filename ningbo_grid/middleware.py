"""Request-level middleware shared by every app."""

import uuid

from django.http import HttpRequest, HttpResponse


class RequestIdMiddleware:
    """Give every request an id, echoed in the `X-Request-ID` response header.

    A caller may send its own `X-Request-ID` (up to 64 printable ASCII characters) to
    trace a request across systems; otherwise a random hex id is made. API error bodies
    repeat it as `request_id` so a department's support desk can quote it (Art. 11).
    """

    header = "HTTP_X_REQUEST_ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get(self.header, "")
        if not (0 < len(given) <= 64 and given.isascii() and given.isprintable()):
            given = uuid.uuid4().hex
        request.request_id = given
        response = self.get_response(request)
        response["X-Request-ID"] = given
        return response
