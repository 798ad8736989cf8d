#!/usr/bin/env python
"""Benchmark a task sent to a whole city of grids (issue #17: ≤ 10 s for ~15,000 grids)
and its progress page (p95 ≤ 300 ms).

    DATABASE_URL=postgres://…/a_migrated_db python bench/tasks_fanout.py [--grids 15000]

In ONE transaction that is rolled back at the end (the database is left as it was):
draws a city of `--grids` grids (30 townships × 20 villages × N grids, MPTT columns set
directly) with a grid leader on each (with an e-mail address and a mobile number), then
issues one task to the city as a superuser through `tasks.services.task_issue` and times,
separately, the fan-out's INSERT … SELECT (`tasks.fanout.fan_out`), the notifications
(`notify_new`: inbox rows, e-mail and SMS outbox rows), the whole issue call, and the
progress rollup (`tasks.progress.summary`). Then moves the grids along (60 % done, 20 %
acknowledged, 10 % overdue) and times `--requests` GETs (after 3 warm-ups) of the
issuer's progress page `/tasks/<id>/` (HTML) and `/api/v1/tasks/<id>/progress/` through
Django's test client, in-process (no gunicorn: add ~5 ms), the session signed in with a
passed second factor. Prints Markdown tables for bench/RESULTS.md.
"""

import argparse
import datetime
import os
import statistics
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
        [
            get_user_model()(username=f"bench-leader-{i}", password=UNUSABLE, email=f"leader{i}@example.org")
            for i in range(len(grid_ids))
        ],
        batch_size=5000,
    )
    staff = Staff.objects.bulk_create(
        [Staff(user=u, name=u.username, work_id=f"B{i:07d}", mobile=f"139{i:08d}") for i, u in enumerate(users)],
        batch_size=5000,
    )
    Assignment.objects.bulk_create(
        [
            Assignment(staff=s, area_id=a, role=GridRole.GRID_LEADER, start=datetime.date(2020, 1, 1))
            for s, a in zip(staff, grid_ids, strict=True)
        ],
        batch_size=5000,
    )
    return Area.objects.get(pk=by_code[city.code]), len(grid_ids)


def move_along(task) -> None:
    """60 % of the task's grids done, 20 % acknowledged, 10 % overdue and open (by id)."""
    from django.db.models import F
    from django.utils import timezone

    from tasks.models import Assignment

    now = timezone.now()
    mine = Assignment.objects.filter(task=task)
    mine.annotate(r=F("id") % 10).filter(r__lt=6).update(status="done", acknowledged_at=now, done_at=now)
    mine.annotate(r=F("id") % 10).filter(r__in=[6, 7]).update(status="acknowledged", acknowledged_at=now)
    mine.annotate(r=F("id") % 10).filter(r=8).update(overdue_at=now, warned_at=now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tasks_assignment")


def measure(user, url: str, n: int) -> tuple[float, float, str]:
    """(p50 ms, p95 ms, queries per request) of `n` GETs of `url` as `user` after 3 warm-ups."""
    from django.db import reset_queries
    from django.test import Client, override_settings
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    times, queries = [], set()
    from django.conf import settings

    # Static file names without the collected manifest (a checkout has not run collectstatic).
    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False, STORAGES=plain):
        for i in range(n + 3):
            connection.force_debug_cursor = True
            reset_queries()
            started = time.perf_counter()
            response = client.get(url, secure=True)
            elapsed = (time.perf_counter() - started) * 1000
            connection.force_debug_cursor = False
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
            if i >= 3:
                times.append(elapsed)
                queries.add(len(connection.queries))
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return statistics.median(times), p95, "–".join(str(q) for q in sorted({min(queries), max(queries)}))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grids", type=int, default=15000)
    parser.add_argument("--requests", type=int, default=30, help="timed GETs of each progress page")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one progress page GET")
    args = parser.parse_args(argv)
    from django.contrib.auth import get_user_model

    from catalog.models import ServiceItem, ServiceItemVersion
    from events.messaging import OutboxMessage
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
                ("notify_new", "inbox, e-mail and SMS rows of the grid leaders: two INSERT … SELECT"),
                ("task_issue", "the whole issue (checks, task, fan-out, inbox, webhook), one transaction"),
                ("summary", "progress rollup per township (one GROUP BY)"),
            ]:
                print(f"| {label} | {timings[name]:.2f} |")
            outbox = OutboxMessage.objects.filter(key__startswith=f"task:{task.pk}@").count()
            print(f"outbox rows (e-mail + SMS): {outbox}")
            move_along(task)
            print("| request | p50 ms | p95 ms | queries |\n|---|---|---|---|")
            for label, url in [
                ("progress page (HTML)", f"/tasks/{task.pk}/"),
                ("progress (API)", f"/api/v1/tasks/{task.pk}/progress/"),
            ]:
                p50, p95, queries = measure(root, url, args.requests)
                print(f"| {label}, {count:,} grids | {p50:.1f} | {p95:.1f} | {queries} |")
            if args.profile:
                import cProfile
                import pstats

                with cProfile.Profile() as profile:
                    measure(root, f"/tasks/{task.pk}/", 1)
                pstats.Stats(profile).sort_stats("tottime").print_stats(30)
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
