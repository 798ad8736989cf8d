"""API clients of department systems and webhook subscriptions/deliveries (Art. 11, 14, 17).

An `ApiClient` is a department system's key to `/api/v1/`. Each client owns a service
user (unusable password, so it can never sign in to the pages) holding a platform role
(`personnel.Membership`) on the client's organisation, so `personnel.scope` and every
`restrict()` treat the system exactly as they treat that organisation's staff. The
client's `scopes` further limit which kinds of request it may make
(`integrations.permissions.HasApiScope`).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from personnel.models import Organisation
from personnel.scope import covering_q, unit_ids

from .choices import DeliveryStatus, Scope, SignatureAlgorithm

SUPERVISE = "supervise_area"


class ApiClientQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "ApiClientQuerySet":
        """Clients of organisations whose jurisdiction `user` supervises (`supervise_area`).

        `action` is accepted for symmetry with other apps; viewing and managing need the
        same permission. API clients themselves never see API clients.
        """
        return self.filter(covering_q(user, SUPERVISE, "organisation__area"))

    def usable(self) -> "ApiClientQuerySet":
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class ApiClient(models.Model):
    """A department system's API key (Art. 11 information sharing, Art. 17 dispatch).

    The key is 32 random bytes (URL-safe base64, 43 characters), shown once at creation.
    Only `key_prefix` (its first 8 characters, shown in lists so people can tell keys
    apart) and `key_hash` are stored. `key_hash` is the hex SHA-256 of the whole key: a
    slow password hash (PBKDF2, `make_password`) protects low-entropy human passwords;
    a 256-bit random key cannot be guessed whatever the hash, and SHA-256 lets every
    request find its client by an indexed equality lookup instead of spending ~100 ms
    of PBKDF2 per API call. `expires_at`/`revoked_at`/`last_used_at` are UTC instants.
    """

    name = models.CharField(_("名称"), max_length=100)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="api_clients", verbose_name=_("所属单位")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client", verbose_name=_("服务账号")
    )
    scopes = models.JSONField(_("权限范围"), default=list, help_text=_("read、report、handle 的子集"))
    key_prefix = models.CharField(_("密钥前缀"), max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    objects = ApiClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.key_prefix}…）"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def get_scopes_display(self) -> str:
        labels = dict(Scope.choices)
        return "、".join(str(labels.get(s, s)) for s in self.scopes or [])


class WebhookSubscriptionQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "WebhookSubscriptionQuerySet":
        """`view`: supervisors of the organisation's area and the unit's own members
        (handlers, including its API clients); `manage`: supervisors only."""
        q = covering_q(user, SUPERVISE, "organisation__area")
        if action == "view":
            q |= Q(organisation_id__in=unit_ids(user, "handler"))
        return self.filter(q)


class WebhookSubscription(models.Model):
    """An organisation's URL that receives signed JSON for the chosen event types.

    `secret` signs every delivery (HMAC-SHA256, or HMAC-SM3 when `signature_algorithm`
    says so; see `integrations.signing`). It has to
    be kept in clear to sign, so it is shown once at creation and can only be replaced
    (`webhook_subscription_rotate_secret`), never displayed again, like an API key.
    `event_types` is a list of `WebhookEventType` values.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="webhooks", verbose_name=_("所属单位")
    )
    url = models.URLField(_("接收地址"), max_length=500)
    secret = models.CharField(max_length=80)
    event_types = models.JSONField(_("事件类型"), default=list)
    is_active = models.BooleanField(_("启用"), default=True)
    signature_algorithm = models.CharField(
        _("签名算法"), max_length=12, choices=SignatureAlgorithm.choices, default=SignatureAlgorithm.HMAC_SHA256
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WebhookSubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("事件推送订阅")
        verbose_name_plural = _("事件推送订阅")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.url}"


class WebhookDeliveryQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "WebhookDeliveryQuerySet":
        """Deliveries of the subscriptions `user` may see (see `WebhookSubscription`)."""
        q = covering_q(user, SUPERVISE, "subscription__organisation__area")
        q |= Q(subscription__organisation_id__in=unit_ids(user, "handler"))
        return self.filter(q)


class WebhookDelivery(models.Model):
    """One message to one subscription, with its attempts (a log row, kept).

    `payload` is the JSON envelope `{"id", "type", "created_at", "data"}` sent as the
    body. `attempt_count` counts HTTP attempts; after each failure `next_attempt_at`
    moves by `settings.WEBHOOK_BACKOFF` (seconds) until it is exhausted, then the status
    is `failed`. `last_response_code` is the receiver's HTTP status (null if none came).

    A row of the transactional outbox (see `ningbo_grid.outbox`): written in the
    transaction of the change that causes it, with `key` unique per cause, event type and
    subscription (`action:<id>:event.state_changed:<subscription>`,
    `alert:<event>:<stage>:<cycle>:event.overdue:<subscription>`), so a cause produces it
    once (null for deliveries emitted without a cause). `uuid` is the stable id receivers
    dedupe on: a delivery may reach them more than once, never under another id.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(max_length=160, unique=True, null=True, blank=True, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("订阅")
    )
    event_type = models.CharField(_("事件类型"), max_length=40)
    payload = models.JSONField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    attempt_count = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_response_code = models.PositiveSmallIntegerField(_("响应码"), null=True, blank=True)
    last_error = models.CharField(_("错误"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True, db_index=True)
    replay_count = models.PositiveSmallIntegerField(_("重发次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due_idx")]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription.url} ({self.status})"
