"""`manage.py sweep_deadlines`: fire due deadline alerts now (what the beat task runs)."""

from django.core.management.base import BaseCommand

from events.sweep import describe, sweep_due


class Command(BaseCommand):
    help = "Fire due deadline warnings and overdue alerts once each (Art. 17)."

    def handle(self, *args, **options):
        counts = sweep_due()
        self.stdout.write(describe(counts))
