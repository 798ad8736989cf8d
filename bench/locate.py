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

- mmap-files: `grids.locate` (the chosen technique): the index built once into `.npy`
  files (cells of a uniform grid, bounding boxes, WKB boundaries), then mapped
  read-only by `--processes` separate worker processes (default 3), each timing its
  own look-ups and reporting its memory once all have finished: resident (RSS, which
  counts the shared page-cache pages it touched), proportional (PSS: shared pages
  divided among the processes) and its own heap (anonymous memory);
- strtree: the previous technique, a shapely 2 STRtree over prepared geometries built in
  every process (`StrTreeIndex` below), for comparison (`--skip-strtree` to leave out);
- sqlite-bbox: bounding-box columns with a B-tree index in SQLite (what a plain Django
  model could do), then shapely on the candidates' GeoJSON;
- pg-gist-box: the same on PostgreSQL with a core GiST index on a `box` column (no
  PostGIS), if `--pg` is given.
"""

import argparse
import ctypes
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
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

from grids.locate import DEPTH, build_arrays, load, save  # noqa: E402
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


def smaps_mb() -> dict[str, float]:
    """This process's memory from /proc/self/smaps_rollup, MiB: `anon` (heap: the process's own),
    `pss` (proportional: shared mapped pages divided among the processes mapping them)."""
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    fields = {}
    with open("/proc/self/smaps_rollup") as rollup:
        for line in rollup:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                fields[parts[0][:-1]] = int(parts[1])
    return {"anon": fields.get("Anonymous", 0) / 1024, "pss": fields.get("Pss", 0) / 1024}


class StrTreeIndex:
    """The previous technique (for comparison): a shapely STRtree over prepared geometries, per process."""

    def __init__(self, rows):
        rows = list(rows)
        self.codes = [row[1] for row in rows]
        drawn = [i for i, row in enumerate(rows) if row[5]]
        self.drawn_rows = np.array(drawn, dtype=np.int64)
        self.depths = np.array([DEPTH[rows[i][3]] for i in drawn], dtype=np.int8)
        geometries = shapely.from_geojson(np.array([rows[i][5] for i in drawn], dtype=object))
        shapely.prepare(geometries)
        self.tree = shapely.STRtree(geometries)

    def deepest(self, lon, lat):
        hits = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        if not len(hits):
            return None
        rows = self.drawn_rows[hits[self.depths[hits] == self.depths[hits].max()]]
        return min(self.codes[i] for i in rows.tolist())


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
    index = StrTreeIndex((r[0], r[1], r[2], r[3], r[4], t) for r, t in zip(rows, texts, strict=True))
    build, build_cpu = time.perf_counter() - started, time.process_time() - cpu
    result = dict(zip(("p50", "p95", "wrong"), timed(points, index.deepest), strict=True))
    # prepared geometries build their internal index on first use: memory measured after the look-ups
    return {"build_s": build, "build_cpu_s": build_cpu, "memory_mb": rss_mb() - before, **result}


def bench_mmap(rows, texts, points, processes: int) -> dict:
    """Build the files once, then let `processes` fresh processes map them and look up concurrently."""
    started, cpu = time.perf_counter(), time.process_time()
    arrays = build_arrays((r[0], r[1], r[2], r[3], r[4], t) for r, t in zip(rows, texts, strict=True))
    build, build_cpu = time.perf_counter() - started, time.process_time() - cpu
    with tempfile.TemporaryDirectory(prefix="locate-bench-") as scratch:
        directory = Path(scratch) / "index"
        save(arrays, directory)
        del arrays
        size = sum(f.stat().st_size for f in directory.iterdir()) / 2**20
        np.save(Path(scratch) / "points.npy", np.array([p[:2] for p in points], dtype=np.float64))
        np.save(Path(scratch) / "expected.npy", np.array([p[2] for p in points], dtype="S18"))
        children = [
            subprocess.Popen(  # noqa: S603 - this script, with a directory it made
                [sys.executable, __file__, "--child", scratch, "--processes", str(processes)],
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            for _ in range(processes)
        ]
        reports = [json.loads(child.communicate()[0].strip().splitlines()[-1]) for child in children]
    return {
        "build_s": build,
        "build_cpu_s": build_cpu,
        "files_mb": size,
        "memory_mb": max(r["rss_mb"] for r in reports),
        "anon_mb": max(r["anon_mb"] for r in reports),
        "pss_mb": max(r["pss_mb"] for r in reports),
        "load_ms": max(r["load_ms"] for r in reports),
        "p50": max(r["p50"] for r in reports),
        "p95": max(r["p95"] for r in reports),
        "wrong": sum(r["wrong"] for r in reports),
        "processes": processes,
    }


def child(scratch: str, processes: int) -> None:
    """One worker process of `bench_mmap`: map the index, time the look-ups, report as JSON."""
    expected = [code.decode() for code in np.load(Path(scratch) / "expected.npy")]
    positions = np.load(Path(scratch) / "points.npy").tolist()
    points = [(lon, lat, code) for (lon, lat), code in zip(positions, expected, strict=True)]
    rss, before = rss_mb(), smaps_mb()
    started = time.perf_counter()
    index = load(Path(scratch) / "index")
    load_ms = (time.perf_counter() - started) * 1000

    def lookup(lon, lat):
        chain = index.locate(lon, lat)
        return chain[-1].code if chain else None

    p50, p95, wrong = timed(points, lookup)
    (Path(scratch) / f"done-{os.getpid()}").touch()
    while len(list(Path(scratch).glob("done-*"))) < processes:  # measure while every worker maps the files
        time.sleep(0.05)
    after = smaps_mb()
    report = {"rss_mb": rss_mb() - rss, "anon_mb": after["anon"] - before["anon"], "load_ms": load_ms}
    report["pss_mb"] = after["pss"] - before["pss"]  # measured while the other workers still map the files
    print(json.dumps({**report, "p50": p50, "p95": p95, "wrong": wrong}), flush=True)


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
    parser.add_argument("--skip-strtree", action="store_true", help="no STRtree row (the previous technique)")
    parser.add_argument("--processes", type=int, default=3, help="worker processes mapping the index files")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.processes)
    started = time.perf_counter()
    rows = generate(args.seed)
    texts = geojson_texts(rows)
    counts = ", ".join(f"{level} {n:,}" for level, n in COUNTS.items())
    print(f"generated {len(rows):,} areas ({counts}) in {time.perf_counter() - started:.1f}s")
    points = sample_points(rows, args.lookups, args.seed)
    results = {"mmap-files": bench_mmap(rows, texts, points, args.processes)}
    mmap = results["mmap-files"]
    print(
        f"mmap-files: {mmap['files_mb']:.0f} MB of files; per process (of {mmap['processes']}): map "
        f"{mmap['load_ms']:.1f} ms, resident +{mmap['memory_mb']:.0f} MB (shared page cache), "
        f"proportional +{mmap['pss_mb']:.0f} MB, own heap +{mmap['anon_mb']:.0f} MB"
    )
    if not args.skip_strtree:
        results["strtree"] = bench_strtree(rows, texts, points)
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
