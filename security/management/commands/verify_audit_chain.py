"""`manage.py verify_audit_chain`: check the security audit trail's hash chain.

Exits non-zero (CommandError) naming each row whose content changed or whose predecessor
is missing; otherwise prints the row count and the newest hash (note it elsewhere to
detect later removal of the newest rows)."""

from django.core.management.base import BaseCommand, CommandError

from security.audit import verify_chain
from security.models import SecurityEvent


class Command(BaseCommand):
    help = "Verify the security audit trail's hash chain (exit 1 naming the broken rows)."

    def handle(self, *args, **options):
        breaks = [f"{b.id}: {b.problem}" for b in verify_chain()]
        if breaks:
            raise CommandError("audit chain broken at rows " + "; ".join(breaks[:50]))
        head = SecurityEvent.objects.order_by("-id").first()
        count = SecurityEvent.objects.count()
        self.stdout.write(f"chain intact: {count} rows; newest hash {head.hash if head else '-'}")
