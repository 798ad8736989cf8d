from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    """一标三实 (Art. 12(2), 15(2)): standard addresses, actual housing, population and units, visits."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "ledgers"
    verbose_name = _("基础信息台账")

    def ready(self) -> None:
        from . import receivers, workbench  # noqa: F401
