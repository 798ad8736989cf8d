#!/usr/bin/env python
"""Benchmark the events map (`GET /api/v1/events/geojson/`) on the generator's data.

    DATABASE_URL=postgres://…/bench_db python bench/eventmap.py [--n 20]

On a database filled by `bench/generate.py` (its events lie in a 0.5° × 0.6° box
around the city, 70 % with a position, whatever their district): the township with the
most open events and its district, signed in as their generator users (in-process Django
test client, so the figures are the view's own, without gunicorn's ~5 ms). The same
query picks them in a one-district and in a full-city database (the generator makes a
user for every district and township). Each row: p50/p95 over `--n`
timed requests after 2 warm-ups, the features answered, whether the server clustered,
and how many events matched (counted apart, not timed). Figures, not pass/fail;
prints a Markdown table for bench/RESULTS.md and the load average before and after.
"""

import argparse
import gc
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

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from events.choices import OPEN_STATUSES  # noqa: E402

#: The generator's box of positions (bench/generate.py), west,south,east,north.
BOX = (121.30, 29.70, 121.90, 30.20)
OPEN = "&".join(f"status={s}" for s in OPEN_STATUSES)


def bbox(west, south, east, north) -> str:
    return f"{west:.6f},{south:.6f},{east:.6f},{north:.6f}"


def subjects() -> dict:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT township_id, county_id FROM events_event WHERE status = ANY(%s)"
            " GROUP BY 1, 2 ORDER BY COUNT(*) DESC LIMIT 1",
            [list(OPEN_STATUSES)],
        )
        township, county = cur.fetchone()
        cur.execute("SELECT id, code FROM grids_area WHERE id IN (%s, %s)", [township, county])
        codes = dict(cur.fetchall())
        cur.execute(
            "SELECT i.code FROM events_event e JOIN catalog_serviceitem i ON i.id = e.item_id"
            " WHERE e.county_id = %s GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1",
            [county],
        )
        item = cur.fetchone()[0]
        cur.execute("SELECT max(reported_at) FROM events_event")
        last = cur.fetchone()[0]
        cur.execute("SELECT COUNT(*) FROM events_event")
        total = cur.fetchone()[0]
    return {"township": codes[township], "county": codes[county], "item": item, "last": last, "total": total}


def rows(s: dict) -> list[tuple[str, str, str]]:
    """(label, user, query) of every measured request."""
    whole = "bbox=" + bbox(*BOX)
    street = "bbox=" + bbox(121.55, 29.85, 121.60, 29.89)  # a few streets at zoom 15
    end = s["last"].date()
    period = f"reported_from={end.replace(day=1)}&reported_to={end}"
    county, township = s["county"], s["township"]
    district, dispatcher = f"bench_county_{county[:6]}", f"bench_township_{township[:9]}"
    return [
        ("district, open events, zoom 11", district, f"within={county}&{OPEN}&{whole}&zoom=11"),
        ("district, all events, zoom 11", district, f"within={county}&{whole}&zoom=11"),
        ("district, all events, zoom 15 (a few streets)", district, f"within={county}&{street}&zoom=15"),
        ("township, open events, zoom 13", dispatcher, f"within={township}&{OPEN}&{whole}&zoom=13"),
        ("city, open events, zoom 10", "bench_city", f"{OPEN}&{whole}&zoom=10"),
        (
            f"heat map, district, item {s['item']}, {end:%Y-%m}",
            district,
            f"within={county}&item={s['item']}&mode=heat&{period}&{whole}&zoom=11",
        ),
        ("heat map, district, all items, all time", district, f"within={county}&mode=heat&{whole}&zoom=11"),
    ]


def load() -> str:
    """The machine's load average (1, 5, 15 min): the figures mean little without it."""
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def signed_in(username: str) -> Client:
    """A test client signed in as `username` with the second factor passed (security.twofactor:
    dispatchers and supervisors must; a confirmed TOTP device named "bench" is made once)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.get(username=username)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(client: Client, query: str, n: int) -> dict:
    url = "/api/v1/events/geojson/?" + query
    for _ in range(2):
        body = client.get(url, secure=True).json()
    gc.freeze()  # as gunicorn.conf.py's post_worker_init does in every web worker
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        times.append((time.perf_counter() - started) * 1000)
    body = response.json()
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code} {body}")
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[min(len(times) - 1, int(len(times) * 0.95))],
        "features": len(body["features"]),
        "clustered": body["clustered"],
        "events": sum(f["properties"].get("count", 1) for f in body["features"]),
        "bytes": len(response.content),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20)
    args = parser.parse_args()
    s = subjects()
    print(f"{s['total']:,} events; district {s['county']}, township {s['township']}; {load()}")
    print("| request | p50 ms | p95 ms | features | server cells | events shown | answer KB |")
    print("|---|---|---|---|---|---|---|")
    with override_settings(ALLOWED_HOSTS=["*"]):
        for label, username, query in rows(s):
            r = measure(signed_in(username), query, args.n)
            print(
                f"| {label} | {r['p50']:.1f} | {r['p95']:.1f} | {r['features']:,} | "
                f"{'yes' if r['clustered'] else 'no'} | {r['events']:,} | {r['bytes'] / 1024:.0f} |",
                flush=True,
            )
    print(f"after the run: {load()}")


if __name__ == "__main__":
    main()
