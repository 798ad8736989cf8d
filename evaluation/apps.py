from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evaluation"

    def ready(self) -> None:
        from . import (
            indicators_events,  # noqa: F401  (registers the event indicators)
            indicators_ledgers,  # noqa: F401  (registers the ledger indicators, after them)
        )
