"""`manage.py rollup_rebuild [--from DATE] [--to DATE]`: rebuild the dashboard rollups of past days."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from evaluation.rollups import rollup_rebuild


def _date(text):
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {text}") from exc


class Command(BaseCommand):
    help = "Rebuild the daily rollups (local dates, inclusive) from the event record; default: all history."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", help="first local date, YYYY-MM-DD (default: first report)")
        parser.add_argument("--to", dest="date_to", help="last local date, YYYY-MM-DD (default: today)")

    def handle(self, *args, date_from=None, date_to=None, **options):
        run = rollup_rebuild(_date(date_from), _date(date_to))
        self.stdout.write(f"rollups {run.date_from}…{run.date_to}: {run.rows} rows")
