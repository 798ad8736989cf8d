#!/usr/bin/env python
"""Time an emergency activation for one district at Ningbo's size (issue #17: ≤ 5 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<your db> python bench/emergency.py

Builds, inside one transaction that is ROLLED BACK at the end (the database is left as
it was), a district of 16 townships × 12 villages × 8 grids × 7 micro-grids (1,536 grids
and 10,752 micro-grids: a tenth of the city's ~15,000 and ~100,000), a leader with a
login, an e-mail address and a mobile number on every grid and micro-grid, and times
`emergency.services.response_activate` for the district: one check-in per grid and
micro-grid, an inbox row per leader, an e-mail and an SMS per leader in the outbox; then
one late check-in sweep (`emergency.sweep.escalate_due`) escalating every check-in.
Prints the time and the row counts. Refuses anything but PostgreSQL.

`--townships N` (default 16) sets the district's size: 160 gives 15,360 grids and 107,520
micro-grids, the whole city's ~15,000 and ~100,000 under one area — the set-based
statements' cost at city size. (A response covers a district or a township,
`emergency.services.RESPONSE_LEVELS`; a city-wide emergency is one activation per
district, each of a tenth of that.)
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ningbo_grid.settings")

SHAPE = [16, 12, 8, 7]  # townships per district, villages per township, grids per village, micro per grid


class Rollback(Exception):
    """Raised to roll the benchmark's rows back."""


def _nodes():
    """(code, name, level, parent code, lft, rght, depth) of the district's tree, depth-first."""
    from grids.choices import Level

    rows, counter = [], [0]

    def visit(code, level, parent, depth, children):
        counter[0] += 1
        row = [code, f"{level}-{code}", level, parent, counter[0], None, depth]
        rows.append(row)
        for child_code, child_level, grand in children:
            visit(child_code, child_level, code, depth + 1, grand)
        counter[0] += 1
        row[5] = counter[0]

    towns, villages, grids, micros = SHAPE
    district = "339900000000"
    tree = [
        (
            f"3399{t:05d}000"[:9] + "000",
            Level.TOWNSHIP,
            [
                (
                    f"3399{t:05d}"[:9] + f"{v:03d}",
                    Level.VILLAGE,
                    [
                        (
                            f"3399{t:05d}"[:9] + f"{v:03d}{g:03d}",
                            Level.GRID,
                            [
                                (f"3399{t:05d}"[:9] + f"{v:03d}{g:03d}{m:03d}", Level.MICRO_GRID, [])
                                for m in range(1, micros + 1)
                            ],
                        )
                        for g in range(1, grids + 1)
                    ],
                )
                for v in range(1, villages + 1)
            ],
        )
        for t in range(1, towns + 1)
    ]
    visit(district, Level.COUNTY, None, 0, tree)
    return rows


def build():
    """Insert the district and its leaders; returns (district, superuser)."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from grids.choices import Level
    from grids.models import Area
    from personnel.choices import GridRole
    from personnel.models import Assignment, Staff

    rows = _nodes()
    tree_id = (Area.objects.order_by("-tree_id").values_list("tree_id", flat=True).first() or 0) + 1
    by_code = {}
    for level in (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GRID, Level.MICRO_GRID):
        batch = [
            Area(
                code=code,
                name=name,
                level=lvl,
                parent_id=by_code[parent] if parent else None,
                tree_id=tree_id,
                lft=lft,
                rght=rght,
                depth=depth,
            )
            for code, name, lvl, parent, lft, rght, depth in rows
            if lvl == level
        ]
        with Area.objects.disable_mptt_updates():
            for area in Area.objects.bulk_create(batch, batch_size=2000):
                by_code[area.code] = area.pk
    User = get_user_model()
    password = make_password("bench")
    leaf = [(code, lvl) for code, _n, lvl, *_ in rows if lvl in (Level.GRID, Level.MICRO_GRID)]
    users = User.objects.bulk_create(
        [User(username=f"em-{code}", password=password, email=f"{code}@example.org") for code, _ in leaf],
        batch_size=2000,
    )
    staff = Staff.objects.bulk_create(
        [
            Staff(user=user, name=user.username, work_id=f"EM{i:08d}", mobile=f"139{i:08d}")
            for i, user in enumerate(users)
        ],
        batch_size=2000,
    )
    start = datetime.date(2020, 1, 1)
    Assignment.objects.bulk_create(
        [
            Assignment(
                staff=s,
                area_id=by_code[code],
                role=GridRole.GRID_LEADER if lvl == Level.GRID else GridRole.MICRO_GRID_LEADER,
                start=start,
            )
            for s, (code, lvl) in zip(staff, leaf, strict=True)
        ],
        batch_size=2000,
    )
    root = User.objects.create(username="em-bench-root", is_superuser=True, password=password)
    return Area.objects.get(code="339900000000"), root, len(leaf)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--townships", type=int, default=SHAPE[0], help="townships in the district (≤ 999)")
    SHAPE[0] = parser.parse_args().townships
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from emergency import services
    from emergency.models import CheckIn
    from emergency.sweep import escalate_due
    from events.messaging import Notification, OutboxMessage

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only")
    from events import notify

    timings: dict[str, float] = {}

    def timed(module, name):
        real = getattr(module, name)

        def wrapper(*a, **kw):
            began = time.perf_counter()
            try:
                return real(*a, **kw)
            finally:
                timings[name] = timings.get(name, 0.0) + time.perf_counter() - began

        setattr(module, name, wrapper)

    timed(services, "_insert_checkins")
    timed(notify, "record_set")
    try:
        with transaction.atomic():
            district, root, leaves = build()
            with connection.cursor() as cursor:  # as autovacuum would have, on a real database
                for table in ("grids_area", "personnel_assignment", "personnel_staff", "auth_user"):
                    cursor.execute(f"ANALYZE {table}")  # constant names
            began = time.perf_counter()
            with transaction.atomic():
                response = services.response_activate(
                    actor=root, area=district, hazard="typhoon", level="I", title="bench", instructions="bench"
                )
            took = time.perf_counter() - began
            checkins = CheckIn.objects.filter(response=response).count()
            inbox = Notification.objects.filter(kind="emergency").count()
            outbox = OutboxMessage.objects.filter(key__startswith="emergency:").count()
            print(f"grids and micro-grids: {leaves}; activation {took:.2f} s")
            print("of which: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items()))
            print(f"check-ins {checkins}; inbox rows {inbox}; outbox rows (e-mail + SMS) {outbox}")
            # Nobody checked in: one sweep, late, escalates every check-in to both levels.
            began = time.perf_counter()
            escalated = escalate_due(timezone.now() + 3 * services.window("I"))
            print(f"sweep escalating every check-in: {time.perf_counter() - began:.2f} s ({escalated})")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
