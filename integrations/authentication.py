"""API key authentication for department systems.

Send the key as `Authorization: Api-Key <key>` (or `X-Api-Key: <key>`). The request is
then made as the client's service user (`request.user`, bound to its organisation) and
`request.auth` is the `ApiClient`, whose `scopes` `HasApiScope` checks. An unknown,
revoked or expired key answers 401 with a message saying which; a request without a key
falls through to the other authentication classes (the browser session).

Open311 GeoReport takes the key as the spec says, `api_key` in the POST body, and passes
it to `ApiKeyAuthentication.authenticate_key`: one lookup, one failure throttle and one
`last_used_at` for every way a key is used. A key is never read from a query string
(it would be written to access logs).
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import ApiClient
from .services import hash_key
from .throttling import note_auth_failure

KEYWORD = "Api-Key"
# `last_used_at` is written at most this often per client, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def key_from_request(request) -> str | None:
    """The API key sent with `request`, or None if none was sent."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _sep, value = header.partition(" ")
        if scheme.lower() == KEYWORD.lower():
            return value.strip()
    value = request.META.get("HTTP_X_API_KEY")
    return value.strip() if value is not None else None


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """DRF authentication by API key (see the module docstring). One query per request."""

    def authenticate(self, request):
        key = key_from_request(request)
        if key is None:
            return None
        return self.authenticate_key(request, key)

    def authenticate_key(self, request, key: str) -> tuple:
        """`(user, client)` for the API key `key` sent with `request` (a DRF or a plain
        Django request: only its `META` is read, for the client IP). Raises
        `AuthenticationFailed` (codes invalid_key, key_revoked, key_expired,
        client_inactive) and `Throttled` once the IP has failed too often
        (`integrations.throttling.note_auth_failure`). Updates `last_used_at` (at most
        once a minute per client)."""
        client = None
        if key and len(key) <= 100:
            client = ApiClient.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if client is None:
            note_auth_failure(request)
            raise exceptions.AuthenticationFailed(_("API 密钥无效。"), code="invalid_key")
        if client.is_revoked:
            raise exceptions.AuthenticationFailed(_("API 密钥已被吊销。"), code="key_revoked")
        if client.is_expired:
            raise exceptions.AuthenticationFailed(_("API 密钥已过期。"), code="key_expired")
        if not client.user.is_active:
            raise exceptions.AuthenticationFailed(_("API 客户端已停用。"), code="client_inactive")
        now = timezone.now()
        if client.last_used_at is None or now - client.last_used_at > LAST_USED_RESOLUTION:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
            client.last_used_at = now
        return client.user, client

    def authenticate_header(self, request) -> str:
        return f'{KEYWORD} realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's browser-session authentication, its CSRF refusal (403, `permission_denied`)
    worded in the request's language like every other API error (DRF's is English:
    "CSRF Failed: CSRF token missing.")."""

    def enforce_csrf(self, request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(
                _("CSRF 校验失败：以登录会话调用接口时，须在 X-CSRFToken 请求头中带上 csrftoken Cookie 的值。")
            ) from None
