"""`manage.py ledger_rollups [--full]`: refresh the ledger statistics' rollups now.

Without `--full`, what the beat task does (`ledgers.rollups.rollup_refresh`): recount the
grids whose ledgers changed, never counted or counted before today. With `--full`, every
grid and township (after a migration, a restore or a bulk load). One transaction per
township: safe to stop and run again.
"""

import time

from django.core.management.base import BaseCommand

from ledgers.rollups import rollup_refresh


class Command(BaseCommand):
    help = "Refresh the ledger statistics' rollups (per grid and township)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="recount every grid, not only the changed ones")

    def handle(self, *args, full: bool = False, **options):
        started = time.monotonic()
        count = rollup_refresh(full=full)
        self.stdout.write(f"{count} grids recounted in {time.monotonic() - started:.1f} s")
