from django.apps import AppConfig


class StaffofficeConfig(AppConfig):
    """The township's staff office in the browser (Art. 8, 16, 21, 24, 25, 27)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "staffoffice"
    verbose_name = "网格人员管理"
