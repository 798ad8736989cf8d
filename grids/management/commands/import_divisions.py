"""`manage.py import_divisions [PATH]`: load or update the statistical divisions (see grids.importing)."""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from grids.choices import DIVISION_LEVELS
from grids.importing import DEFAULT_PATH, divisions_import


class Command(BaseCommand):
    help = "Import city/county/township/village divisions from a CSV file (atomic, idempotent, applies renames)."

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", default=str(DEFAULT_PATH), help=f"CSV file (default {DEFAULT_PATH.name})"
        )

    def handle(self, *args, path: str, **options):
        started = time.monotonic()
        try:
            counts = divisions_import(path=path)
        except ValidationError as exc:
            raise CommandError("nothing imported:\n  " + "\n  ".join(exc.messages)) from exc
        for level in DIVISION_LEVELS:
            c = counts[level]
            self.stdout.write(
                f"{level:9} created {c['created']:5}  renamed {c['renamed']:5}  unchanged {c['unchanged']:5}"
            )
        if counts["missing"]["total"]:
            self.stdout.write(
                f"{counts['missing']['total']} imported divisions are not in this file (left as they are)"
            )
        changed = sum(counts[level]["created"] + counts[level]["renamed"] for level in DIVISION_LEVELS)
        elapsed = time.monotonic() - started
        if changed:
            self.stdout.write(self.style.SUCCESS(f"imported {changed} changes in {elapsed:.1f}s"))
        else:
            self.stdout.write(self.style.SUCCESS(f"nothing to change: the divisions are up to date ({elapsed:.1f}s)"))
