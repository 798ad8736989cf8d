"""Security records: the tamper-evident audit trail, account flags, password history and
the list of a user's signed-in sessions (等保 2.0 level 3; issue #22)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import EventKind


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a security audit row (they are append-only)."""


class SecurityEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("security audit rows are append-only")

    def delete(self):
        raise AppendOnlyError("security audit rows are append-only; see `purge_security_events`")


class SecurityEvent(models.Model):
    """One security-relevant event (GB/T 22239-2019 8.1.4.3): who, from where, what, on what, when.

    Append-only (the model and queryset refuse updates and deletes; on PostgreSQL a
    trigger refuses them too, except deleting rows past the retention period) and
    tamper-evident: `hash` is the SHA-256 of this row's content and the previous row's
    `hash` (`prev_hash`), so changing or removing a row breaks the chain
    (`manage.py verify_audit_chain`). Rows never hold personal values (ID or phone
    numbers, names of residents): `target` names a record by type and id, `detail` holds
    codes and counts only. `actor_id`/`actor_username` are copied, not a foreign key, so
    the row stays as written. `at` is an aware UTC instant. Written by `security.audit.record`.
    """

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    kind = models.CharField(_("类型"), max_length=24, choices=EventKind.choices, db_index=True)
    actor_id = models.BigIntegerField(_("账号编号"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("账号"), max_length=150, blank=True, db_index=True)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    target = models.CharField(_("对象"), max_length=200, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全审计记录")
        verbose_name_plural = _("安全审计记录")
        ordering = ["-id"]
        permissions = [("export_securityevent", _("可导出安全审计记录"))]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.actor_username}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("security audit rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("security audit rows are append-only")


class AccountSecurity(models.Model):
    """Per-account security state: whether the next sign-in must set a new password
    (an initial password given by an administrator, or by `seed_demo` without `--demo`),
    and when the password was last changed (aware UTC)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security")
    must_change_password = models.BooleanField(_("首次登录须修改密码"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("账号安全状态")
        verbose_name_plural = _("账号安全状态")

    def __str__(self) -> str:
        return str(self.user)


class PasswordHistory(models.Model):
    """A password hash the user had (Django's hasher format), so a new password can't reuse
    one of the last `PASSWORD_HISTORY_COUNT` (`security.passwords.NoReuseValidator`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class UserSession(models.Model):
    """A signed-in browser session of a user, listed on "my sessions" where it can be ended.

    `session_key` is Django's session key (ending deletes that session); `started_at` and
    `last_seen` are aware UTC instants (`last_seen` refreshed at most once a minute);
    `user_agent` is the browser's own description, cut to 200 characters.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.user} {self.address or ''}"
