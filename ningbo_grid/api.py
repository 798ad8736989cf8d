"""API plumbing shared by every app: the error format."""

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context) -> Response | None:
    """Render every API error as JSON: `{"detail", "errors", "request_id"}`.

    `errors` maps field names to lists of messages for validation errors (400);
    `detail` is a one-line summary in the request's language. Non-API exceptions are
    left to Django (which turns them into 500s, so the services raise API-friendly
    errors instead).
    """
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    body: dict = {"request_id": getattr(request, "request_id", None)}
    if isinstance(exc, exceptions.ValidationError):
        data = response.data
        if isinstance(data, dict):
            body["detail"] = "Invalid input."
            body["errors"] = data
        else:
            body["detail"] = "Invalid input."
            body["errors"] = {"non_field_errors": data}
    else:
        data = response.data
        body["detail"] = data.get("detail", data) if isinstance(data, dict) else data
        code = getattr(exc, "default_code", None)
        if code:
            body["code"] = code
    response.data = body
    return response
