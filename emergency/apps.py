from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    """应急响应 (Art. 18): responses activated for an area, check-ins of every grid and
    micro-grid leader, escalation of missed check-ins, the roll-call board."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "emergency"
    verbose_name = _("应急响应")

    def ready(self) -> None:
        from . import receivers  # noqa: F401
