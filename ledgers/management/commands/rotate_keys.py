"""`manage.py rotate_keys [--batch N]`: re-encrypt residents' personal data under the current key.

Key rotation, without downtime (see README.md, Personal data):
1. generate a key: `python -c "from ningbo_grid.keys import new_key_entry; print(new_key_entry('k2'))"`;
2. put it FIRST in `PERSONAL_DATA_KEYS` (keep the old one after it) and restart the web,
   worker and beat processes: new values use the new key, old ones still decrypt;
3. run `manage.py rotate_keys`: rows written with an older key are re-encrypted and
   re-hashed in batches, each batch its own short transaction (rows being edited are
   skipped and picked up on the next pass); safe to stop and run again;
4. when it reports 0 rows left, remove the old key and restart.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from ledgers.models import Person, Unit
from ningbo_grid.crypto import BlindIndexField, EncryptedField, stale_q

MODELS = (Person, Unit)


def _fields(model) -> tuple[list[str], list[str]]:
    encrypted = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
    hashes = [f.name for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
    return [f.name for f in encrypted] + hashes, hashes


def rotate(model, batch: int) -> int:
    """Re-encrypt every row of `model` holding a value written with an older key; returns the count."""
    update_fields, hashes = _fields(model)
    done = 0
    while True:
        with transaction.atomic():
            stale = model.objects.filter(stale_q(hashes)).select_for_update(skip_locked=True)
            rows = list(stale.order_by("pk")[:batch])
            for row in rows:
                row.save(update_fields=update_fields)
        done += len(rows)
        if len(rows) < batch:
            return done


class Command(BaseCommand):
    help = "Re-encrypt residents' ID numbers and mobiles (and units' phones) under the current key, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, batch: int, **options):
        for model in MODELS:
            count = rotate(model, batch)
            left = model.objects.filter(stale_q(_fields(model)[1])).count()
            self.stdout.write(f"{model._meta.label}: {count} re-encrypted, {left} left")
