"""`manage.py import_catalogue PATH`: load a seed-format CSV as published city items."""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from catalog.importing import read_seed_csv
from catalog.services.loading import catalogue_load


class Command(BaseCommand):
    help = "Load a catalogue CSV (catalog/data/README.md layout) as published city items; existing codes are skipped."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--effective-date", default="2026-01-01", help="local date the items take effect")

    def handle(self, *args, path: str, effective_date: str, **options):
        try:
            loaded = catalogue_load(
                rows=read_seed_csv(path), effective_date=datetime.date.fromisoformat(effective_date)
            )
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"{len(loaded)} items loaded"))
