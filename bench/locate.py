#!/usr/bin/env python
"""Benchmark position → area at province scale (Zhejiang): techniques compared by measurement.

    python bench/locate.py [--seed 1] [--lookups 20000] [--pg postgres://…/db]

Generates, with `grids.partition`, Zhejiang-sized nested partitions inside a
rectangle around the province: 90 districts, 1,365 townships, 20,475 villages, 85,000
grids, 450,000 micro-grids (557,000 areas). Edges are densified (`shapely.segmentize`)
so each polygon has about as many vertices as a drawn one (district ~1,000, township
~200, village ~80, grid ~40, micro-grid ~20). No database is touched except the
optional `--pg` one (a temporary table). Prints, for each technique, build time, memory
and p50/p95 per look-up of points drawn uniformly inside the micro-grids, and checks
every answer against the micro-grid the point was drawn in:

- strtree: `grids.locate.LocateIndex` (the chosen technique: shapely 2 STRtree over
  prepared geometries, built once per process);
- sqlite-bbox: bounding-box columns with a B-tree index in SQLite (what a plain Django
  model could do), then shapely on the candidates' GeoJSON;
- pg-gist-box: the same on PostgreSQL with a core GiST index on a `box` column (no
  PostGIS), if `--pg` is given.
"""

import argparse
import ctypes
import os
import random
import sqlite3
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

import numpy as np  # noqa: E402
import shapely  # noqa: E402

from grids.locate import LocateIndex  # noqa: E402
from grids.partition import partition_box  # noqa: E402

PROVINCE = (118.0, 27.0, 122.9, 31.2)
COUNTS = {"county": 90, "township": 1365, "village": 20475, "grid": 85000, "micro_grid": 450000}
LEVELS = list(COUNTS)
#: Vertices along each side of a piece, per level (densification).
SIDE_VERTICES = {"county": 250, "township": 50, "village": 20, "grid": 10, "micro_grid": 5}


def spread(total: int, parents: int, rng: random.Random) -> list[int]:
    """`total` children over `parents` parents, at least one each, deterministic."""
    counts = [1] * parents
    for _ in range(total - parents):
        counts[rng.randrange(parents)] += 1
    return counts


def generate(seed: int) -> list[tuple]:
    """Rows (pk, code, name, level, parent_pk, bounds) of the synthetic province, parents first."""
    rng = random.Random(seed)
    rows = [(1, "33", "浙江省", "city", None, PROVINCE)]
    parents = [rows[0]]
    pk = 1
    for level in LEVELS:
        per_parent = spread(COUNTS[level], len(parents), rng)
        children = []
        for parent, count in zip(parents, per_parent, strict=True):
            weights = [rng.uniform(0.6, 1.4) for _ in range(count)]
            for n, bounds in enumerate(partition_box(parent[5], weights, random.Random(parent[1])), start=1):
                pk += 1
                children.append((pk, f"{parent[1]}{n:03d}", f"{level}{pk}", level, parent[0], bounds))
        rows += children
        parents = children
    return rows


def geojson_texts(rows: list[tuple]) -> list[str | None]:
    boxes = shapely.box(*np.array([row[5] for row in rows]).T)
    sides = np.array([max(r[5][2] - r[5][0], r[5][3] - r[5][1]) for r in rows])
    per_side = np.array([SIDE_VERTICES.get(row[3], 4) for row in rows])
    dense = shapely.segmentize(boxes, sides / per_side)
    return list(shapely.to_geojson(dense))


def rss_mb() -> float:
    """Resident memory in MiB, after handing freed heap back to the OS (so deltas are honest)."""
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def sample_points(rows, n: int, seed: int) -> list[tuple[float, float, str]]:
    rng = random.Random(seed + 1)
    micro = [row for row in rows if row[3] == "micro_grid"]
    points = []
    for row in rng.sample(micro, n):
        west, south, east, north = row[5]
        # strictly inside, away from shared borders (a border point has two right answers)
        points.append(
            (
                rng.uniform(west, east) * 0.98 + (west + east) * 0.01,
                rng.uniform(south, north) * 0.98 + (south + north) * 0.01,
                row[1],
            )
        )
    return points


def timed(points, lookup) -> tuple[float, float, int]:
    times, wrong = [], 0
    for lon, lat, expected in points:
        started = time.perf_counter()
        found = lookup(lon, lat)
        times.append((time.perf_counter() - started) * 1000)
        wrong += found != expected
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95)], wrong


def bench_strtree(rows, texts, points) -> dict:
    before = rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    index = LocateIndex((r[0], r[1], r[2], r[3], r[4], t) for r, t in zip(rows, texts, strict=True))
    build, build_cpu = time.perf_counter() - started, time.process_time() - cpu

    def lookup(lon, lat):
        chain = index.locate(lon, lat)
        return chain[-1].code if chain else None

    result = dict(zip(("p50", "p95", "wrong"), timed(points, lookup), strict=True))
    # prepared geometries build their internal index on first use: memory measured after the look-ups
    return {"build_s": build, "build_cpu_s": build_cpu, "memory_mb": rss_mb() - before, **result}


def _candidates_then_shapely(fetch):
    def lookup(lon, lat):
        best = None
        for code, level, text in fetch(lon, lat):
            if shapely.intersects_xy(shapely.from_geojson(text), lon, lat):
                key = (LEVELS.index(level) if level in LEVELS else -1, code)
                best = max(best, key) if best else key
        return best[1] if best else None

    return lookup


def bench_sqlite(rows, texts, points) -> dict:
    started = time.perf_counter()
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE area (code TEXT, level TEXT, w REAL, s REAL, e REAL, n REAL, boundary TEXT)")
    db.executemany(
        "INSERT INTO area VALUES (?,?,?,?,?,?,?)", [(r[1], r[3], *r[5], t) for r, t in zip(rows, texts, strict=True)]
    )
    db.execute("CREATE INDEX area_bbox ON area (w, e, s, n)")
    build = time.perf_counter() - started
    sql = "SELECT code, level, boundary FROM area WHERE w <= ? AND e >= ? AND s <= ? AND n >= ?"
    result = timed(points[:2000], _candidates_then_shapely(lambda lon, lat: db.execute(sql, (lon, lon, lat, lat))))
    return {"build_s": build, "memory_mb": float("nan"), **dict(zip(("p50", "p95", "wrong"), result, strict=True))}


def bench_pg(rows, texts, points, url: str) -> dict:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_locate_area")
        conn.execute("CREATE TABLE bench_locate_area (code text, level text, bbox box, boundary text)")
        with conn.cursor().copy("COPY bench_locate_area FROM STDIN") as copy:
            for row, text in zip(rows, texts, strict=True):
                west, south, east, north = row[5]
                copy.write_row((row[1], row[3], f"(({west},{south}),({east},{north}))", text))
        conn.execute("CREATE INDEX ON bench_locate_area USING gist (bbox)")
        conn.execute("ANALYZE bench_locate_area")
        build = time.perf_counter() - started
        sql = "SELECT code, level, boundary FROM bench_locate_area WHERE bbox @> box(point(%s, %s), point(%s, %s))"
        plan = conn.execute("EXPLAIN " + sql, (121, 29, 121, 29)).fetchall()
        print("pg plan:", " / ".join(row[0].strip() for row in plan), flush=True)
        result = timed(
            points[:5000],
            _candidates_then_shapely(lambda lon, lat: conn.execute(sql, (lon, lat, lon, lat)).fetchall()),
        )
        conn.execute("DROP TABLE bench_locate_area")
    return {"build_s": build, "memory_mb": float("nan"), **dict(zip(("p50", "p95", "wrong"), result, strict=True))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lookups", type=int, default=20000)
    parser.add_argument("--pg", default="", help="PostgreSQL URL for the GiST-box row (a temporary table)")
    parser.add_argument("--skip-sql", action="store_true", help="only the STRtree row")
    parser.add_argument("--skip-sqlite", action="store_true", help="no SQLite row (slow: ~0.2 s a look-up)")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = generate(args.seed)
    texts = geojson_texts(rows)
    counts = ", ".join(f"{level} {n:,}" for level, n in COUNTS.items())
    print(f"generated {len(rows):,} areas ({counts}) in {time.perf_counter() - started:.1f}s")
    points = sample_points(rows, args.lookups, args.seed)
    results = {"strtree": bench_strtree(rows, texts, points)}
    if not args.skip_sql:
        if not args.skip_sqlite:
            results["sqlite-bbox"] = bench_sqlite(rows, texts, points)
        if args.pg:
            results["pg-gist-box"] = bench_pg(rows, texts, points, args.pg)
    print("| technique | build s (CPU s) | memory MB | p50 ms | p95 ms | wrong |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        build = f"{r['build_s']:.1f} ({r.get('build_cpu_s', float('nan')):.1f})"
        print(f"| {name} | {build} | {r['memory_mb']:.0f} | {r['p50']:.3f} | {r['p95']:.3f} | {r['wrong']} |")


if __name__ == "__main__":
    main()
