"""Optimistic concurrency for API updates: ETag out, `If-Match` in (RFC 9110, 9111).

The ETag of a row is a strong validator made from its `version` attribute if it has
one (an integer bumped by each change), else from `updated_at` (microseconds) and the
primary key. Event workflow steps do not use `If-Match`: they send the event's `version`
in the body, as the browser's forms do (events.api.views). For other updates::

    from ningbo_grid.concurrency import etag_of, check_if_match

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag_of(self.get_object())   # or use ETagMixin below
        return response

    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        event = self.get_object()
        check_if_match(request, event, required=True)   # 428 if missing, 412 if stale
        event = services.event_sign(actor=request.user, event=event, ...)
        return Response(..., headers={"ETag": etag_of(event)})

For a race-free check, call `check_if_match` again inside the service's transaction on
the row it locked with `select_for_update()` (pass the header value down as
`expected_etag=if_match_values(request)` and call `check_etag(expected, row)`).
`If-Match: *` matches any existing row. Weak tags (`W/"…"`) never match (strong
comparison, as RFC 9110 requires for If-Match).
"""

import hashlib

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("该记录已被他人修改，请重新读取后再提交。")
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _("修改须带 If-Match 请求头（取自读取时的 ETag）。")
    default_code = "precondition_required"


def etag_of(obj) -> str:
    """The quoted strong ETag of `obj` (see module docstring)."""
    version = getattr(obj, "version", None)
    if version is not None:
        raw = f"{obj._meta.label_lower}:{obj.pk}:v{version}"
    else:
        updated = getattr(obj, "updated_at", None)
        raw = f"{obj._meta.label_lower}:{obj.pk}:{updated.isoformat() if updated else ''}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def if_match_values(request) -> list[str] | None:
    """The entity tags of the `If-Match` header, or None when absent."""
    header = request.META.get("HTTP_IF_MATCH")
    if header is None:
        return None
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def check_etag(expected: list[str] | None, obj, required: bool = True) -> None:
    """Raise 428 if `expected` is None and `required`; 412 if no tag matches `obj`."""
    if expected is None:
        if required:
            raise PreconditionRequired()
        return
    if "*" in expected:
        return
    if etag_of(obj) not in expected:
        raise PreconditionFailed()


def check_if_match(request, obj, required: bool = True) -> None:
    """`check_etag` with the request's `If-Match` header."""
    check_etag(if_match_values(request), obj, required=required)


class ETagMixin:
    """For DRF viewsets: `retrieve` answers with an `ETag` header."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag_of(instance)
        return response
