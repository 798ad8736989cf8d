from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Login lockout, second factor, sessions, password rules and the security audit trail
    (等保 2.0 level 3: identity, access control, security audit; issue #22)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "security"
    verbose_name = "安全"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (signal receivers that feed the audit trail)
