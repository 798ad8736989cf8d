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
        parser.add_argument(
            "--demo",
            action="store_true",
            help="demo logins keep the documented password and get printed second-factor keys "
            "(manage.py demo_totp); without it they change the password at first sign-in",
        )

    def handle(self, *args, scale: str, seed: int, demo: bool = False, **options):
        for app in SEED_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            with transaction.atomic():
                module.seed(scale=scale, rng=random.Random(f"{seed}:{app}"), stdout=self.stdout)
        # Last, over every app's accounts: passwords and second factors (by name, as above).
        with transaction.atomic():
            importlib.import_module("security.demo").secure_logins(demo=demo, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
