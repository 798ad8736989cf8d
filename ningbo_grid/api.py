"""API plumbing shared by every app: the error format, its codes and their schema.

Every API error body is::

    {"detail": str, "code": str, "errors": {field: [messages]},
     "error_codes": {field: [codes]}, "request_id": str}

`code` is one of `ERROR_CODES` (stable: integrators branch on it; `detail` is a message
for people, in the request's language). `errors` and `error_codes` are `{}` except for
validation errors (400, `code` `invalid`), where they have the same shape: a field's
list of messages and the matching list of machine codes (`required`, `invalid`,
`invalid_choice`, `max_length` …); nested inputs nest (`{"rules": [{}, {"grade": [...]}]}`).
Fields that are not one field are under `non_field_errors`. The same shape is produced
for errors raised outside DRF views (unknown URL, oversize body …) by
`ningbo_grid.middleware.ApiErrorMiddleware`; `add_error_responses` publishes it in the
OpenAPI schema as the `Error` component every operation references.
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

#: Every value of an error body's `code`: its HTTP status and what it means (English, for
#: the schema and the README). Add a code here before raising it.
ERROR_CODES: dict[str, tuple[int, str]] = {
    "invalid": (400, "bad input: see `errors` (messages) and `error_codes` (codes) per field"),
    "parse_error": (400, "the body or the query string cannot be parsed (malformed JSON, NUL characters)"),
    "invalid_idempotency_key": (400, "the Idempotency-Key header is not 1-255 printable ASCII characters"),
    "not_authenticated": (401, "no credentials: send `Authorization: Api-Key <key>` (or sign in)"),
    "authentication_failed": (401, "the credentials were refused"),
    "invalid_key": (401, "unknown API key"),
    "key_revoked": (401, "the API key was revoked"),
    "key_expired": (401, "the API key has expired"),
    "client_inactive": (401, "the API client is deactivated"),
    "permission_denied": (403, "you may not do this (scope, role, or a missing CSRF token of a session)"),
    "not_found": (404, "no such resource, or outside your jurisdiction (the two are not told apart)"),
    "method_not_allowed": (405, "the operation does not take this HTTP method"),
    "not_acceptable": (406, "no representation in the format asked for (`Accept`, `?format=`)"),
    "conflict": (409, "clashes with the current state (a repeated one-time step, a concurrent twin)"),
    "stale_version": (409, "the event changed since the `version` you sent: read it again"),
    "invalid_transition": (409, "the step is not allowed in the event's current status"),
    "payload_too_large": (413, "the body is larger than the server takes"),
    "unsupported_media_type": (415, "the body's Content-Type is not one the operation takes"),
    "idempotency_key_reused": (422, "the Idempotency-Key was used for another request"),
    "version_required": (428, "a workflow step without the event's `version` in its body"),
    "throttled": (429, "too many requests: wait `Retry-After` seconds"),
    "server_error": (500, "a fault on our side, logged with the `request_id`"),
}

#: The code of an error answered without an exception that names one (middleware).
CODE_OF_STATUS = {
    400: "parse_error",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "throttled",
}


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("请求内容过大。")
    default_code = "payload_too_large"


def error_body(request, detail, errors=None, code=None, *, status_code=500, error_codes=None) -> dict:
    """The error shape, for code outside DRF views (middleware, Django handlers): `code`
    defaults to the one of `status_code` (`CODE_OF_STATUS`, else `server_error`)."""
    return {
        "detail": str(detail),
        "code": code or CODE_OF_STATUS.get(status_code, "server_error"),
        "errors": errors or {},
        "error_codes": error_codes if error_codes is not None else _codes_like(errors or {}),
        "request_id": getattr(request, "request_id", None),
    }


def _codes_like(errors: dict) -> dict:
    """`invalid` for each message of `errors` (errors made without codes)."""
    return {field: ["invalid"] * len(messages) for field, messages in errors.items()}


def exception_handler(exc, context) -> Response | None:
    """Render every API error as JSON in the module's shape.

    Maps Django's `Http404` (404), `PermissionDenied` (403), `ValidationError` (400, as
    raised by services; its codes kept) and `RequestDataTooBig` (413) too. A request with
    no credentials, or with an unknown, revoked or expired API key, answers 401 with
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
    if isinstance(exc, exceptions.ValidationError):
        data, codes = response.data, exc.get_codes()
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        error_codes = codes if isinstance(codes, dict) else {"non_field_errors": codes}
        body = error_body(request, _("输入有误。"), errors, "invalid", error_codes=error_codes)
    else:
        data = response.data
        detail = data.get("detail", data) if isinstance(data, dict) else data
        code = getattr(exc.detail, "code", None) or exc.default_code
        body = error_body(request, detail, code=code if code in ERROR_CODES else None, status_code=exc.status_code)
    response.data = body
    return response


def _error_schemas() -> dict:
    nested = {"$ref": "#/components/schemas/ErrorDetails"}
    details = {
        "type": "object",
        "description": "per field (nested for nested inputs); `non_field_errors` for the input as a whole",
        "additionalProperties": {
            "anyOf": [
                {
                    "type": "array",
                    "items": {"anyOf": [{"type": "string"}, nested]},
                },
                nested,
            ]
        },
    }
    listing = "\n".join(f"- `{code}` ({status_}): {text}" for code, (status_, text) in ERROR_CODES.items())
    error = {
        "type": "object",
        "description": "Every error answer of the API (Open311 has GeoReport's own format).",
        "properties": {
            "detail": {"type": "string", "description": "for people, in the request's language (Accept-Language)"},
            "code": {
                "type": "string",
                "enum": list(ERROR_CODES),
                "description": f"machine code to branch on:\n\n{listing}",
            },
            "errors": {"$ref": "#/components/schemas/ErrorDetails"},
            "error_codes": {
                "allOf": [{"$ref": "#/components/schemas/ErrorDetails"}],
                "description": "as `errors`, with a machine code (`required`, `invalid` …) for each message",
            },
            "request_id": {"type": "string", "nullable": True, "description": "the X-Request-ID to quote"},
        },
        "required": ["detail", "code", "errors", "error_codes", "request_id"],
    }
    return {"ErrorDetails": details, "Error": error}


#: The error answers every operation documents (with the `Error` body), besides its own.
COMMON_ERRORS = {
    "400": "bad input (`invalid`, with field codes) or an unparsable request (`parse_error`)",
    "401": "no or refused credentials",
    "403": "`permission_denied`",
    "404": "`not_found` (absent or outside your jurisdiction)",
    "429": "`throttled`",
    "default": "any other error, in the same shape (see `code`)",
}
BODY_ERRORS = {"413": "`payload_too_large`", "415": "`unsupported_media_type`"}
METHODS = ("get", "post", "put", "patch", "delete")


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the `Error` component, referenced by every
    error answer of every operation (its own, `COMMON_ERRORS`, and for bodies `BODY_ERRORS`)."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(_error_schemas())
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path in result.get("paths", {}).values():
        for method in METHODS:
            operation = path.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            common = {**COMMON_ERRORS, **(BODY_ERRORS if "requestBody" in operation else {})}
            for code, description in common.items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if code == "default" or int(code) >= 400:
                    response["content"] = content
    return result
