#!/usr/bin/env python
"""Bytes and time of the emergency roll-call board of a district response (issue #17, Art. 18).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<your db> python bench/emergency_board.py

On a database seeded as `make run` seeds it (`seed_demo --scale demo --demo`: 海曙区, ~12,000
grids and micro-grids), inside one transaction that is ROLLED BACK at the end, the demo's
district supervisor activates a typhoon response for 海曙区; then, signed in as that
supervisor (Django's test client, in process: no network; second factor marked done), it GETs the response page, the
board the htmx poll fetches every 10 s, and the busiest township's page of grids not
checked in, `--repeat` times each, and prints bytes and the median and worst time (ms).
Refuses anything but PostgreSQL.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ningbo_grid.settings")


class Rollback(Exception):
    """Raised to roll the benchmark's rows back."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="GETs of each page (default 5)")
    repeat = parser.parse_args().repeat
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from emergency import services
    from emergency.models import CheckIn
    from grids.models import Area

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only")
    supervisor = get_user_model().objects.get(username="supervisor")
    district = Area.objects.get(name="海曙区", level="county")
    client = Client(HTTP_HOST="localhost")
    client.force_login(supervisor)
    # Signed in with the second factor, as `security.views` does after a TOTP code.
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.filter(user=supervisor, confirmed=True).get().persistent_id
    session.save()

    def measure(label: str, url: str) -> None:
        times, size = [], 0
        for _ in range(repeat):
            began = time.perf_counter()
            page = client.get(url, secure=True)
            times.append((time.perf_counter() - began) * 1000)
            if page.status_code != 200:
                sys.exit(f"{url}: {page.status_code}")
            size = len(page.content)
        print(f"{label:<28} {size:>10,} bytes  median {statistics.median(times):8.0f} ms  worst {max(times):8.0f} ms")

    try:
        with transaction.atomic():
            response = services.response_activate(
                actor=supervisor, area=district, hazard="typhoon", level="I", title="bench", instructions="bench"
            )
            rows = CheckIn.objects.filter(response=response)
            busiest = rows.values("township_id").annotate(n=Count("id")).order_by("-n").first()
            print(f"district response: {rows.count():,} check-ins; load average {os.getloadavg()[0]:.1f}")
            measure("response page", f"/emergency/{response.pk}/")
            measure("board poll (summary)", f"/emergency/{response.pk}/board/")
            measure(
                f"board poll (township, {busiest['n']})",
                f"/emergency/{response.pk}/board/?township={busiest['township_id']}",
            )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
