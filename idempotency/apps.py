from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdempotencyConfig(AppConfig):
    """One-time keys of creating requests: the API's `Idempotency-Key` header and the
    browser forms' submission keys, in one table (see `idempotency.services`)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "idempotency"
    verbose_name = _("重复提交防护")
