"""Pages of one's own account security (second factor, sessions, password) and the audit trail.

Enrolment: `otp_enrol` shows a QR code (`otp_qr`, SVG) and the key of a new TOTP device;
a correct code confirms it, verifies this session and shows ten single-use recovery codes
once. `otp_verify` asks for a code (or a recovery code) after the password. Failures are
throttled by django-otp (doubling delays) and logged.
"""

import csv
import json

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.qr import write_qrcode_image

from ningbo_grid.spreadsheets import safe_cell
from personnel import selectors as staff_selectors

from . import audit, passwords, sessions, twofactor
from .choices import EventKind
from .forms import AuditSearchForm, TokenForm
from .middleware import PASSWORD_OK
from .models import SecurityEvent, UserSession

AUDIT_PAGE = 100


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if ok else "/"


@login_required
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code and key, then a code from the app to confirm."""
    if twofactor.confirmed_device(request.user) and request.user.is_verified():
        return redirect("security:account")
    if twofactor.confirmed_device(request.user):
        return redirect(f"{reverse_lazy('security:otp-verify')}?next={_next(request)}")
    device = twofactor.pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            codes = twofactor.new_recovery_codes(request.user)
            audit.record(EventKind.OTP_ENROLLED, request=request, target=f"user:{request.user.pk}")
            return render(request, "security/recovery_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("token", _("验证码不正确，请核对手机时间后重试。"))
        audit.record(EventKind.OTP_FAILED, request=request, stage="enrol")
    context = {"form": form, "secret": twofactor.base32_key(device), "next": _next(request)}
    return render(request, "security/otp_enrol.html", context)


@login_required
def otp_qr(request: HttpRequest) -> HttpResponse:
    """The pending device's otpauth:// URL as an SVG QR code (never cached)."""
    response = HttpResponse(content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    write_qrcode_image(twofactor.pending_device(request.user).config_url, response)
    return response


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code (used up)."""
    device = twofactor.confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse_lazy('security:otp-enrol')}?next={_next(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        allowed, _why = device.verify_is_allowed()
        recovery = twofactor.recovery_device(request.user)
        used = None
        if allowed and device.verify_token(token):
            used = device
        elif recovery is not None and len(token) == 8 and recovery.verify_token(token.lower()):
            used = recovery
        if used is not None:
            otp_login(request, used)
            audit.record(EventKind.OTP_VERIFIED, request=request, recovery_code=used is recovery)
            return redirect(_next(request))
        form.add_error("token", _("验证码不正确或尝试过于频繁，请稍后重试。"))
        audit.record(EventKind.OTP_FAILED, request=request, stage="verify")
    return render(request, "security/otp_verify.html", {"form": form, "next": _next(request)})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """My account security: the second factor, recovery codes left, and my signed-in sessions."""
    recovery = twofactor.recovery_device(request.user)
    context = {
        "device": twofactor.confirmed_device(request.user),
        "required": twofactor.requires_second_factor(request.user),
        "codes_left": recovery.token_set.count() if recovery else 0,
        "sessions": sessions.current(request.user),
        "this_key": request.session.session_key,
        "idle_minutes": sessions.idle_seconds() // 60,
    }
    return render(request, "security/account.html", context)


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes (only in a verified session) and show the new ones once."""
    if not request.user.is_verified():
        return redirect("security:otp-verify")
    codes = twofactor.new_recovery_codes(request.user)
    audit.record(EventKind.OTP_ENROLLED, request=request, target=f"user:{request.user.pk}", recovery_codes=True)
    return render(request, "security/recovery_codes.html", {"codes": codes, "next": reverse_lazy("security:account")})


@login_required
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End one of my sessions (another browser or device)."""
    row = get_object_or_404(UserSession, pk=pk, user=request.user)
    sessions.end(row)
    audit.record(EventKind.SESSION_ENDED, request=request, target=f"user:{request.user.pk}", count=1)
    messages.success(request, _("已结束该会话。"))
    return redirect("security:account")


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    """End all my sessions but this one."""
    count = sessions.end_all(request.user, except_key=request.session.session_key)
    audit.record(EventKind.SESSION_ENDED, request=request, target=f"user:{request.user.pk}", count=count)
    messages.success(request, _("已结束其他 %(n)d 个会话。") % {"n": count})
    return redirect("security:account")


@login_required
@require_POST
def staff_sessions_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End every session of a staff member's account, on all devices (a lost phone, a
    suspected account): for those who may change the staff record (`Staff.objects.restrict`
    "change"). A record out of the caller's sight is 404; seen but not theirs to change,
    403. Logged in the audit trail with the number of sessions ended."""
    staff = get_object_or_404(staff_selectors.staff_list(request.user), pk=pk)
    if not staff_selectors.staff_list(request.user, "change").filter(pk=staff.pk).exists():
        raise PermissionDenied(_("您无权管理该人员的账号。"))
    if staff.user_id is None:
        messages.info(request, _("该人员没有平台账号。"))
    else:
        count = sessions.end_all(staff.user)
        audit.record(
            EventKind.SESSION_ENDED, request=request, target=f"user:{staff.user_id}", count=count, by_administrator=True
        )
        messages.success(request, _("已结束该人员的全部 %(n)d 个登录会话。") % {"n": count})
    return redirect("personnel:staff-detail", pk=staff.pk)


class PasswordChange(PasswordChangeView):
    """Change my password (required at the first sign-in with an administrator's initial password)."""

    template_name = "security/password_change.html"
    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = passwords.must_change(self.request.user)
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        passwords.require_change(self.request.user, False)
        self.request.session[PASSWORD_OK] = True
        update_session_auth_hash(self.request, form.user)
        audit.record(EventKind.PASSWORD_CHANGED, request=self.request, target=f"user:{self.request.user.pk}")
        messages.success(self.request, _("密码已修改。"))
        return response


@permission_required("security.view_securityevent", raise_exception=True)
def audit_list(request: HttpRequest) -> HttpResponse:
    """The security audit trail for security auditors: filter, page through, export."""
    form = AuditSearchForm(request.GET or None)
    rows = SecurityEvent.objects.order_by("-id")
    if form.is_bound and form.is_valid():
        rows = form.filter(rows)
    elif form.is_bound:
        rows = rows.none()
    before = request.GET.get("before", "")
    if before.isdigit():
        rows = rows.filter(id__lt=int(before))
    page = list(rows[: AUDIT_PAGE + 1])
    context = {
        "form": form,
        "rows": page[:AUDIT_PAGE],
        "more": page[AUDIT_PAGE - 1].id if len(page) > AUDIT_PAGE else None,
        "query": request.GET.copy(),
        "can_export": request.user.has_perm("security.export_securityevent"),
    }
    context["query"].pop("before", None)
    return render(request, "security/audit_list.html", context)


class _Echo:
    def write(self, value):
        return value


@permission_required("security.export_securityevent", raise_exception=True)
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered trail as CSV (UTF-8 with BOM for spreadsheet programs), streamed; the
    export itself is logged as an export (SessionSecurityMiddleware)."""
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return redirect("security:audit")
    rows = SecurityEvent.objects.order_by("id")
    if form.is_bound:
        rows = form.filter(rows)
    writer = csv.writer(_Echo())
    header = ["id", "at", "kind", "actor_id", "actor_username", "address", "target", "detail", "prev_hash", "hash"]

    def lines():
        yield "\ufeff" + writer.writerow(header)
        for row in rows.iterator(chunk_size=2000):
            values = [row.id, row.at.isoformat(), row.kind, row.actor_id or "", row.actor_username]
            values += [
                row.address or "",
                row.target,
                json.dumps(row.detail, ensure_ascii=False),
                row.prev_hash,
                row.hash,
            ]
            yield writer.writerow([safe_cell(value) for value in values])

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="security-audit-{stamp}.csv"'
    return response
