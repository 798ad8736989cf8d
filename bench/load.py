#!/usr/bin/env python
"""Load run: simulated users against gunicorn on loopback, a deterministic request mix.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ng_bench python bench/load.py \\
        [--users 20 --requests 30 --seed 1 --runs 3]

The runner starts gunicorn (as bench/run.py does), signs in the sample users (with their
second factor), and builds the mix from the rows of `bench.run.ENDPOINTS` whose URLs
exist on this checkout (weights in `MIX_WEIGHTS`; writes included: report and
dispatch). Each simulated user `i` draws from its own `random.Random(f"{seed}:{i}")`
which sample login it is (in proportion to that login's share of the mix), its
`--requests` requests and its pauses (0.1–0.5 s): the same seed gives the same users,
requests and pauses in every run; only the timings differ. Each user is a thread with
its own HTTP session. `--runs` runs (default 3) report the median and the spread
(min–max) of the throughput, the aggregated p50/p95 and each row's p95; bench/out/load.json
keeps every figure. A dispatch that meets a concurrent one answers 409 (the version it
read is stale): counted apart, as conflicts, not errors. Bounded in requests, loopback
only. Figures, not pass/fail.
"""

import argparse
import json
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Share of each request in the mix (GETs dominate: queues are refreshed all day).
MIX_WEIGHTS = {
    "dispatcher queue, township, first page": 30,
    "dispatcher queue, township, first page, 100 rows": 2,
    "township history, page 20 (cursor)": 3,
    "handling unit task list": 20,
    "district list by state and item": 8,
    "city list by state": 4,
    "city list, all states": 2,
    "event detail (API)": 15,
    "event timeline (API)": 10,
    "event detail with timeline (HTML page)": 10,
    "report (create)": 4,
    "dispatch": 2,
    "grid subtree listing": 3,
    "Open311 requests list": 2,
    "dashboard, township": 3,
    "dashboard, district": 2,
    "dashboard, city": 1,
    "statistics API, city": 1,
}


def build_mix(run, subj: dict) -> list[dict]:
    """The requests of the mix: name, login, method, path(s), body and weight."""
    mix = []
    for ep in run.ENDPOINTS:
        if ep.name not in MIX_WEIGHTS:
            continue
        path = ep.path.format(**subj)
        if not run.available(path):
            continue
        body = run.request_body(ep, subj)
        entry = {"name": ep.name, "user": subj["users"][ep.user], "method": ep.method, "path": path, "body": body}
        if ep.follow:  # cursor pages cannot be fixed in advance: the load run reads the first one
            entry["name"] = ep.name.split(",")[0] + ", first page"
        if ep.name == "dispatch":  # many events: concurrent users rarely step on the same one (409)
            entry["paths"] = [ep.path.format(**{**subj, "open_event": n}) for n in subj["open_events"]]
        entry["weight"] = MIX_WEIGHTS[ep.name]
        mix.append(entry)
    return mix


def plan(mix: list[dict], users: int, requests: int, seed: int) -> list[list[tuple[dict, str, float]]]:
    """Each simulated user's requests `(entry, path, pause seconds)`, from the seeded generators."""
    logins = sorted({m["user"] for m in mix})
    share = [sum(m["weight"] for m in mix if m["user"] == u) for u in logins]
    plans = []
    for i in range(users):
        rng = random.Random(f"{seed}:{i}")
        login = rng.choices(logins, weights=share)[0]
        mine = [m for m in mix if m["user"] == login]
        steps = []
        for _ in range(requests):
            m = rng.choices(mine, weights=[x["weight"] for x in mine])[0]
            path = rng.choice(m["paths"]) if m.get("paths") else m["path"]
            steps.append((m, path, rng.uniform(0.1, 0.5)))
        plans.append(steps)
    return plans


def one_run(base: str, cookies: dict, plans: list) -> dict:
    """Run every user's plan at once (a thread each); the timings of every request."""
    import requests

    results: list[tuple[str, float, int]] = []
    lock = threading.Lock()

    from ningbo_grid.replica import PIN_COOKIE

    def user(steps):
        session = requests.Session()
        login = steps[0][0]["user"]
        # The sign-in's read-your-writes pin (a few seconds' max-age) is long over when the
        # run starts; copied as a plain value it would never expire and keep every read of
        # the run on the primary. The run's own writes set it again, with its max-age.
        session.cookies.update({k: v for k, v in cookies[login].items() if k != PIN_COOKIE})
        session.headers.update({"X-CSRFToken": cookies[login].get("csrftoken", ""), "Referer": base + "/"})
        for m, path, pause in steps:
            time.sleep(pause)
            body = m["body"]
            if body and "version" in body:  # a workflow step acts on the version read just before
                read = session.get(base + path.rsplit("/", 2)[0] + "/", timeout=120)
                body = {**body, "version": read.json()["version"]} if read.ok else body
            start = time.perf_counter()
            response = session.request(m["method"], base + path, json=body, timeout=120)
            took = (time.perf_counter() - start) * 1000
            with lock:
                results.append((m["name"], took, response.status_code))

    threads = [threading.Thread(target=user, args=(steps,)) for steps in plans if steps]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    return summarise(results, wall)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def summarise(results: list[tuple[str, float, int]], wall: float) -> dict:
    """Throughput, aggregated and per-row p50/p95 (ms), errors (>= 400 but 409) and conflicts (409)."""
    times = [t for _, t, _ in results]
    rows = {}
    for name in sorted({n for n, _, _ in results}):
        mine = [t for n, t, _ in results if n == name]
        rows[name] = {"n": len(mine), "p50": _pct(mine, 0.5), "p95": _pct(mine, 0.95)}
    return {
        "requests": len(results),
        "seconds": wall,
        "rps": len(results) / wall,
        "p50": _pct(times, 0.5),
        "p95": _pct(times, 0.95),
        "errors": sum(1 for _, _, s in results if s >= 400 and s != 409),
        "conflicts": sum(1 for _, _, s in results if s == 409),
        "rows": rows,
    }


def spread(values: list[float]) -> str:
    """`median (min–max)` of the runs' figures."""
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=30, help="requests per simulated user")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8932)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    import django

    from bench import run  # sets the bench settings module

    django.setup()
    from bench.generate import BENCH_PASSWORD

    subj = run.subjects()
    mix = build_mix(run, subj)
    plans = plan(mix, args.users, args.requests, args.seed)
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    server = run.Server(args.port, args.workers)
    runs = []
    try:
        cookies = {u: run.login(server.url, u, BENCH_PASSWORD).cookies.get_dict() for u in {m["user"] for m in mix}}
        for i in range(args.runs):
            runs.append(one_run(server.url, cookies, plans))
            r = runs[-1]
            print(
                f"run {i + 1}: {r['requests']} requests in {r['seconds']:.1f} s, {r['rps']:.1f} req/s,"
                f" p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms, {r['errors']} errors, {r['conflicts']} conflicts",
                flush=True,
            )
    finally:
        server.stop()
    out = ROOT / "bench" / "out" / "load.json"
    out.write_text(json.dumps({"args": vars(args), "runs": runs}, indent=1), encoding="utf-8")
    print(f"\n{args.users} users × {args.requests} requests, seed {args.seed}, {args.runs} runs: median (min–max)")
    print(
        f"req/s {spread([r['rps'] for r in runs])}; p50 ms {spread([r['p50'] for r in runs])};"
        f" p95 ms {spread([r['p95'] for r in runs])}; errors {[r['errors'] for r in runs]};"
        f" conflicts {[r['conflicts'] for r in runs]}"
    )
    print("\n| request | n per run | p95 ms, median (min–max) |\n|---|---|---|")
    for name in runs[0]["rows"]:
        p95s = [r["rows"][name]["p95"] for r in runs if name in r["rows"]]
        print(f"| {name} | {runs[0]['rows'][name]['n']} | {spread(p95s)} |")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
