"""The Celery application: workers run the thin tasks in each app's `tasks.py`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ningbo_grid.settings")

app = Celery("ningbo_grid")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
