"""`manage.py seed_demo`: deterministic demo data on top of the imported divisions."""

import importlib
import random

from django.core.management.base import BaseCommand
from django.db import transaction

#: Apps contribute in this order; each may have a `demo` module with `seed(*, scale, rng, stdout)`.
SEED_APPS = ["grids", "personnel", "catalog", "events", "evaluation", "ledgers"]


class Command(BaseCommand):
    help = "Build deterministic demo data: grids, staff and logins, catalogue, events, scorecards."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["demo", "ningbo"],
            default="demo",
            help="demo: fill 海曙区 completely (fast); ningbo: grids for the whole city.",
        )
        parser.add_argument("--seed", type=int, default=20231, help="random seed (same seed, same data)")

    def handle(self, *args, scale: str, seed: int, **options):
        for app in SEED_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            with transaction.atomic():
                module.seed(scale=scale, rng=random.Random(f"{seed}:{app}"), stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
