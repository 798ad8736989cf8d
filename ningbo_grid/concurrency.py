"""ETags for API reads (RFC 9110): a strong validator of a row's state.

The ETag of a row is made from its `version` attribute if it has one (an integer bumped
by each change), else from `updated_at` (microseconds) and the primary key. Changes do not
use `If-Match`: every workflow step names the event's `version` in its body, as the
browser's forms do (events.api.views), and a stale one is 409 `stale_version`.
"""

import hashlib

from rest_framework.response import Response


def etag_of(obj) -> str:
    """The quoted strong ETag of `obj` (see module docstring)."""
    version = getattr(obj, "version", None)
    if version is not None:
        raw = f"{obj._meta.label_lower}:{obj.pk}:v{version}"
    else:
        updated = getattr(obj, "updated_at", None)
        raw = f"{obj._meta.label_lower}:{obj.pk}:{updated.isoformat() if updated else ''}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


class ETagMixin:
    """For DRF viewsets: `retrieve` answers with an `ETag` header."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag_of(instance)
        return response
