"""API plumbing shared by every app: the error format.

Every API error body is `{"detail": str, "errors": {field: [messages]}, "request_id":
str}` (plus `code` when there is a machine-readable one). `errors` is `{}` except for
validation errors (400). The same shape is produced for errors raised outside DRF
views (unknown URL, oversize body …) by `ningbo_grid.middleware.ApiErrorMiddleware`.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("请求内容过大。")
    default_code = "payload_too_large"


def error_body(request, detail, errors=None, code=None) -> dict:
    """The error shape, for code outside DRF views (middleware, Django handlers)."""
    body = {"detail": str(detail), "errors": errors or {}, "request_id": getattr(request, "request_id", None)}
    if code:
        body["code"] = code
    return body


def exception_handler(exc, context) -> Response | None:
    """Render every API error as JSON: `{"detail", "errors", "request_id"}` (see module).

    Maps Django's `Http404` (404), `PermissionDenied` (403), `ValidationError` (400, as
    raised by services) and `RequestDataTooBig` (413) too. A request with no
    credentials, or with an unknown, revoked or expired API key, answers 401 with
    `WWW-Authenticate: Api-Key realm="api"` (the API key class is the first
    authentication class); a known user without the right answers 403. Anything else
    is left to Django (a 500, a bug).
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*(exc.args[:1] or ()))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    if isinstance(exc, exceptions.AuthenticationFailed):
        response.status_code = status.HTTP_401_UNAUTHORIZED
        response["WWW-Authenticate"] = 'Api-Key realm="api"'
    body: dict = {"request_id": getattr(request, "request_id", None)}
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        body["detail"] = str(_("输入有误。"))
        body["errors"] = data if isinstance(data, dict) else {"non_field_errors": data}
    else:
        body["detail"] = data.get("detail", data) if isinstance(data, dict) else data
        body["errors"] = {}
        code = getattr(exc.detail, "code", None) or getattr(exc, "default_code", None)
        if code:
            body["code"] = code
    response.data = body
    return response
