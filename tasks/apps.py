from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    """任务下派 (Art. 19): work sent down to the grids, one assignment per grid."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks"
    verbose_name = _("任务下派")

    def ready(self) -> None:
        from . import workbench  # noqa: F401
