"""Per-request security checks for signed-in browser sessions (issue #22).

`SessionSecurityMiddleware`, after authentication, django-otp's OTPMiddleware and messages:
1. signs out a session idle longer than `SESSION_IDLE_MINUTES` or older than
   `SESSION_ABSOLUTE_HOURS` (the request then continues as anonymous: pages redirect to
   the login, the API answers 401/403);
2. sends a user who needs a second factor (`security.twofactor.requires_second_factor`)
   and has not passed it in this session to TOTP verification or enrolment (API: 403
   `second_factor_required`);
3. sends a user whose password was given by an administrator to set their own
   (API: 403 `password_change_required`);
4. records every download (a response with `Content-Disposition: attachment`) of a
   signed-in user in the security audit trail as an export: path and parameter names, no values.
"""

import functools
import logging
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import middleware as otp_middleware
from django_otp.models import Device

from ningbo_grid.api import error_body

from . import audit, passwords, sessions, twofactor
from .backends import CONFIRMED_TOTP_IDS
from .choices import EventKind

#: Paths a signed-in user reaches before passing the second factor …
#: (the phone app's service worker and manifest are the same script and file for everyone:
#: a redirect would make the browser refuse to install the worker.)
OPEN_PREFIXES = (
    *("/static/", "/accounts/login/", "/accounts/logout/", "/security/2fa/", "/i18n/", "/healthz"),
    *("/sw.js", "/manifest.webmanifest"),
)
#: … and, once past it, before setting their own password.
PASSWORD_PREFIXES = ("/security/password/",)
API_PREFIXES = ("/api/", "/open311/")
NOT_NEEDED_UNTIL = "_security_no_second_factor_until"
NOT_NEEDED_FOR = 300  # seconds
PASSWORD_OK = "_security_password_ok"  # noqa: S105  (a session key, not a password)


class SessionSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit.current_request.set(request)
        try:
            return self._serve(request)
        finally:
            audit.current_request.reset(token)

    def _serve(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            early = self._check(request)
            if early is not None:
                return early
        response = self.get_response(request)
        if "attachment" in response.get("Content-Disposition", "") and request.user.is_authenticated:
            audit.record(
                EventKind.EXPORT,
                request=request,
                target=request.path[:200],
                parameters=sorted(request.GET.keys()),
                status=response.status_code,
            )
        return response

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        now = time.time()
        why = sessions.expired(request.session, now)
        if why is not None:
            audit.record(EventKind.SESSION_EXPIRED, actor=user, request=request, reason=why)
            logout(request)
            messages.info(request, _("长时间未操作，已自动退出，请重新登录。"))
            return None
        sessions.touch(request, now)
        path = request.path
        if path.startswith(OPEN_PREFIXES):
            return None
        api = path.startswith(API_PREFIXES)
        if not user.is_verified() and self._needs_second_factor(request, now):
            if api:
                detail = _("此账号须先在浏览器中完成双因素认证。")
                return JsonResponse(error_body(request, detail, code="second_factor_required"), status=403)
            name = "security:otp-verify" if twofactor.confirmed_device(user) else "security:otp-enrol"
            return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
        if not request.session.get(PASSWORD_OK) and not path.startswith(PASSWORD_PREFIXES):
            if passwords.must_change(user):
                if api:
                    detail = _("请先在浏览器中修改初始密码。")
                    return JsonResponse(error_body(request, detail, code="password_change_required"), status=403)
                return redirect(f"{reverse('security:password-change')}?{urlencode({'next': path})}")
            request.session[PASSWORD_OK] = True
        return None

    @staticmethod
    def _needs_second_factor(request: HttpRequest, now: float) -> bool:
        """`requires_second_factor`, remembered for NOT_NEEDED_FOR seconds when False (it
        costs queries; a role that needs it, given during a session, applies within that)."""
        if request.session.get(NOT_NEEDED_UNTIL, 0) > now:
            return False
        if twofactor.requires_second_factor(request.user):
            return True
        request.session[NOT_NEEDED_UNTIL] = now + NOT_NEEDED_FOR
        return False


#: The persistent id of a TOTP device, before its primary key (django-otp's `Device.persistent_id`).
TOTP_PREFIX = "otp_totp.totpdevice/"


class OTPMiddleware(otp_middleware.OTPMiddleware):
    """django-otp's middleware (`request.user.is_verified()`, `request.user.otp_device`)
    without its query for a TOTP device: whether the session's device exists, is the
    user's and is confirmed is read with the user (`security.backends.UserBackend`:
    `confirmed_totp_ids`), in the same query at every request. `otp_device` is then the
    device read only if something uses it. Other devices (recovery codes) and users read
    without the ids take django-otp's own path."""

    def _verify_user_sync(self, request, user):
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY) if user.is_authenticated else None
        known = getattr(user, CONFIRMED_TOTP_IDS, None)
        if not persistent_id or known is None or not persistent_id.startswith(TOTP_PREFIX):
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        pk = persistent_id.removeprefix(TOTP_PREFIX)
        if pk.isascii() and pk.isdigit() and int(pk) in known:
            user.otp_device = SimpleLazyObject(functools.partial(Device.from_persistent_id, persistent_id))
        else:  # deleted, unconfirmed or another user's: not verified (as django-otp)
            del request.session[DEVICE_ID_SESSION_KEY]
        return user


access_log = logging.getLogger("security.access")


class AccessLogMiddleware:
    """One line per request to the `security.access` logger (LOG_DIR/access.log when LOG_DIR
    is set; kept >= 6 months, Cybersecurity Law Art. 21): source address, account id (or -),
    method, path without the query string (it may carry personal values), status, duration
    in milliseconds and the request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        response = self.get_response(request)
        if settings.LOG_DIR:
            user = getattr(request, "user", None)
            access_log.info(
                "%s %s %s %s %s %dms %s",
                audit.client_address(request) or "-",
                user.pk if user is not None and user.is_authenticated else "-",
                request.method,
                request.path,
                response.status_code,
                (time.monotonic() - started) * 1000,
                getattr(request, "request_id", "-"),
            )
        return response
