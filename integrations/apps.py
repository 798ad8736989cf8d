from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """API clients of department systems, rate limits and webhooks (Art. 11, 14, 17)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"
    verbose_name = _("系统对接")

    def ready(self) -> None:
        from . import receivers, schema  # noqa: F401  (signal receivers, OpenAPI auth extension)
