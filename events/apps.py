from django.apps import AppConfig


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "events"

    def ready(self):
        from personnel.scope import register_caller_fact

        from . import workbench  # noqa: F401  (registers the home panels)
        from .models import INVITED, INVITED_SQL

        register_caller_fact(INVITED, INVITED_SQL)
