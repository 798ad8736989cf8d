"""`manage.py purge_security_events`: delete audit rows older than the retention period
(`SECURITY_AUDIT_RETENTION_DAYS`, never under 180 days; Cybersecurity Law Art. 21 asks
for six months). The oldest remaining row's `prev_hash` becomes the chain's anchor; an
`audit_purged` row records how many rows went and that anchor. Run daily by beat."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from security.tasks import purge_expired


class Command(BaseCommand):
    help = "Delete security audit rows past the retention period (>= 180 days)."

    def handle(self, *args, **options):
        removed = purge_expired()
        days = max(180, settings.SECURITY_AUDIT_RETENTION_DAYS)
        self.stdout.write(f"removed {removed} audit rows older than {days} days ({timezone.localdate()})")
