"""The record of a request made with a one-time key (see `idempotency.services`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """A request made by `caller` with the one-time `key`: what was asked (`fingerprint`,
    SHA-256 hex of method, path, query and body) and what was answered (status, content
    type, a few headers, the body), replayed for a repeat until `expires_at` (UTC).

    `caller` is `client:<ApiClient id>`, `user:<user id>` or `public:<form>`. Unique per
    (caller, key): a concurrent twin waits on the unique index for the first to commit.
    """

    caller = models.CharField(_("调用方"), max_length=80)
    key = models.CharField(_("一次性标识"), max_length=255)
    fingerprint = models.CharField(_("请求指纹"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("响应状态"), null=True)
    content_type = models.CharField(_("响应类型"), max_length=100, blank=True)
    headers = models.JSONField(_("响应头"), default=dict)
    content = models.BinaryField(_("响应内容"), default=b"")
    created_at = models.DateTimeField(_("创建时间"))
    expires_at = models.DateTimeField(_("过期时间"), db_index=True)

    class Meta:
        verbose_name = _("一次性提交记录")
        verbose_name_plural = _("一次性提交记录")
        constraints = [models.UniqueConstraint(fields=["caller", "key"], name="idempotency_unique_caller_key")]

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"
