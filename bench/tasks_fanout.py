#!/usr/bin/env python
"""Benchmark a task sent to a whole city of grids (issue #17: ≤ 10 s for ~15,000 grids).

    DATABASE_URL=postgres://…/a_migrated_db python bench/tasks_fanout.py [--grids 15000]

In ONE transaction that is rolled back at the end (the database is left as it was):
draws a city of `--grids` grids (30 townships × 20 villages × N grids, MPTT columns set
directly) with a grid leader on each, then issues one task to the city as a superuser
through `tasks.services.task_issue` and times, separately, the fan-out's INSERT … SELECT
(`tasks.fanout.fan_out`), the inbox rows (`notify_new`), the whole issue call, and the
progress rollup (`tasks.progress.summary`). Prints a Markdown table for bench/RESULTS.md.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ningbo_grid.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

TOWNSHIPS, VILLAGES = 30, 20
#: The password hash of users who cannot sign in (Django's unusable-password prefix).
UNUSABLE = "!bench"


class Rollback(Exception):
    pass


def draw(grids: int):
    """The city tree with `grids` grids and a grid leader on each; returns the city."""
    from django.contrib.auth import get_user_model

    from grids.models import Area
    from personnel.choices import GridRole
    from personnel.models import Assignment, Staff

    per_village = -(-grids // (TOWNSHIPS * VILLAGES))
    tree_id = (Area.objects.order_by("-tree_id").values_list("tree_id", flat=True).first() or 0) + 1
    rows, parents, counter = [], {}, iter(range(1, 10**9))

    def node(parent, level, code, depth):
        area = Area(level=level, code=code, name=f"{level}-{code}", tree_id=tree_id, depth=depth)
        area.lft = next(counter)
        rows.append(area)
        parents[code] = parent.code if parent else None
        return area

    city = node(None, "city", "399900000000", 0)
    county = node(city, "county", "399901000000", 1)
    made = 0
    for t in range(1, TOWNSHIPS + 1):
        township = node(county, "township", f"399901{t:03d}000", 2)
        for v in range(1, VILLAGES + 1):
            village = node(township, "village", f"{township.code[:9]}{v:03d}", 3)
            village.village_kind = "urban"
            for g in range(1, per_village + 1):
                if made == grids:
                    break
                grid = node(village, "grid", f"{village.code}{g:03d}", 4)
                grid.grid_type, made = "urban", made + 1
                grid.rght = next(counter)
            village.rght = next(counter)
        township.rght = next(counter)
    county.rght = next(counter)
    city.rght = next(counter)
    Area.objects.bulk_create(rows, batch_size=5000)
    by_code = {a.code: a.pk for a in Area.objects.filter(tree_id=tree_id)}
    for area in rows:
        area.parent_id = by_code[parents[area.code]] if parents[area.code] else None
    Area.objects.bulk_update(rows, ["parent"], batch_size=5000)
    grid_ids = [by_code[a.code] for a in rows if a.level == "grid"]
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench-leader-{i}", password=UNUSABLE) for i in range(len(grid_ids))],
        batch_size=5000,
    )
    staff = Staff.objects.bulk_create(
        [Staff(user=u, name=u.username, work_id=f"B{i:07d}") for i, u in enumerate(users)], batch_size=5000
    )
    Assignment.objects.bulk_create(
        [
            Assignment(staff=s, area_id=a, role=GridRole.GRID_LEADER, start=datetime.date(2020, 1, 1))
            for s, a in zip(staff, grid_ids, strict=True)
        ],
        batch_size=5000,
    )
    return Area.objects.get(pk=by_code[city.code]), len(grid_ids)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grids", type=int, default=15000)
    args = parser.parse_args(argv)
    from django.contrib.auth import get_user_model

    from catalog.models import ServiceItem, ServiceItemVersion
    from personnel.models import Organisation
    from tasks import fanout, progress, services
    from tasks.models import Assignment

    timings: dict[str, float] = {}
    real = {"fan_out": fanout.fan_out, "notify_new": fanout.notify_new}

    def timed(name):
        def wrapper(*a, **kw):
            start = time.perf_counter()
            try:
                return real[name](*a, **kw)
            finally:
                timings[name] = time.perf_counter() - start

        return wrapper

    fanout.fan_out, fanout.notify_new = timed("fan_out"), timed("notify_new")
    try:
        with transaction.atomic():
            start = time.perf_counter()
            city, grids = draw(args.grids)
            drawn = time.perf_counter() - start
            with connection.cursor() as cursor:  # as autovacuum would have, on a real database
                for table in ("grids_area", "personnel_assignment", "personnel_staff", "auth_user"):
                    cursor.execute(f"ANALYZE {table}")  # constant names
            item = ServiceItem.objects.create(code="99-999")
            item.current_version = ServiceItemVersion.objects.create(
                item=item, number=1, name="台风前排查", category=1, department="emergency",
                state="published", effective_from=datetime.date(2020, 1, 1),
            )  # fmt: skip
            item.save()
            root = get_user_model().objects.create(username="bench-root", is_superuser=True, password=UNUSABLE)
            Organisation.objects.create(name="bench 主管单位", kind="authority", area=city)
            from personnel.models import Membership

            Membership.objects.create(
                user=root, organisation=Organisation.objects.get(area=city), role="supervisor",
                start=datetime.date(2020, 1, 1),
            )  # fmt: skip
            start = time.perf_counter()
            task = services.task_issue(
                actor=root, title="全市台风前排查", instructions="逐户排查。", areas=[city], working_days=2, item=item
            )
            timings["task_issue"] = time.perf_counter() - start
            count = Assignment.objects.filter(task=task).count()
            distinct = Assignment.objects.filter(task=task).values("area").distinct().count()
            start = time.perf_counter()
            summary = progress.summary(task)
            timings["summary"] = time.perf_counter() - start
            print(f"drew {grids} grids in {drawn:.1f} s; assignments {count} (distinct grids {distinct})")
            print(f"townships in the rollup: {len(summary['townships'])}")
            print("| step | seconds |\n|---|---|")
            for name, label in [
                ("fan_out", "assignments: one INSERT … SELECT"),
                ("notify_new", "inbox rows of the grid leaders: one INSERT … SELECT"),
                ("task_issue", "the whole issue (checks, task, fan-out, inbox, webhook), one transaction"),
                ("summary", "progress rollup per township (one GROUP BY)"),
            ]:
                print(f"| {label} | {timings[name]:.2f} |")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
