from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobileConfig(AppConfig):
    """The grid worker's phone: the staff side as an installable web app (manifest,
    service worker, offline copies of pages), offline drafts and their outbox, and
    clearing the phone's copies at logout (see `mobile.views`, `mobile.middleware`)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "mobile"
    verbose_name = _("移动端离线工作")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from .middleware import mark_logout

        user_logged_out.connect(mark_logout, dispatch_uid="mobile.mark_logout")
