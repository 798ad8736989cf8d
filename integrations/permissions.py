"""Scope checks for API clients; session users are unaffected.

A view declares what an API client needs:

- `required_scope = "read"` (any `Scope` value) for every request to the view, or
- `scope_map = {"list": "read", "create": "report", "sign": "handle", ...}` per
  viewset action (or per HTTP method, e.g. `{"GET": "read", "POST": "report"}`).

Without a declaration, safe methods (GET, HEAD, OPTIONS) need `read` and other
methods are refused to API clients. `required_scope = None` set explicitly closes the
view to API clients altogether (e.g. managing API clients).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from .choices import Scope
from .models import ApiClient

_UNSET = object()


def required_scope(request, view) -> str | None:
    """The scope an API client needs for this request, or None if it may not make it."""
    scope_map = getattr(view, "scope_map", None) or {}
    action = getattr(view, "action", None)
    if action in scope_map:
        return scope_map[action]
    if request.method in scope_map:
        return scope_map[request.method]
    declared = getattr(view, "required_scope", _UNSET)
    if declared is not _UNSET:
        return declared
    if request.method in permissions.SAFE_METHODS:
        return Scope.READ
    return None


class HasApiScope(permissions.BasePermission):
    """Allow a request authenticated by API key only if the key has the needed scope."""

    message = _("该 API 密钥没有执行此操作的权限范围。")

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return True
        needed = required_scope(request, view)
        return needed is not None and client.has_scope(needed)
