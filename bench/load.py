#!/usr/bin/env python
"""Load run: 50 users for 60 s against gunicorn on loopback, a realistic mix; prints rps, p95, errors.

    python3.11 -m venv /tmp/locust-venv && /tmp/locust-venv/bin/pip install -r bench/requirements.txt
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ng_bench python bench/load.py \
        --locust /tmp/locust-venv/bin/locust [--users 50 --time 60]

locust lives in a venv of its own (`--locust`: its executable; default: this interpreter's
`-m locust`); the locustfile half of this file needs nothing but locust.

The runner starts gunicorn (as bench/run.py does), picks the sample users, builds the
mix from the rows of `bench.run.ENDPOINTS` whose URLs exist on this checkout (weights
in `MIX_WEIGHTS`), and runs locust headless with this same file as the locustfile
(the `GridUser` class below). While the platform's lists are not available yet, the
mix falls back to the peer's lists (bench/peer.py) and says so. Bounded in time,
loopback only. Figures, not pass/fail.
"""

import json
import os
import random

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

if os.environ.get("BENCH_MIX"):  # the locustfile half (locust monkey-patches on import: not in the runner)
    from locust import HttpUser, between, task

    class GridUser(HttpUser):
        """A signed-in platform user; the mix comes from BENCH_MIX (JSON), set by the runner."""

        wait_time = between(0.5, 2.0)

        def on_start(self):
            # Signed in already (a working day): reuse the runner's session, as a browser tab does.
            mix = json.loads(os.environ["BENCH_MIX"])
            # Each simulated user is one of the sample logins, chosen so that the whole run
            # follows MIX_WEIGHTS (a login with more of the mix is more users).
            users = sorted({m["user"] for m in mix})
            share = [sum(m["weight"] for m in mix if m["user"] == u) for u in users]
            self.username = random.choices(users, weights=share)[0]
            self.mix = [m for m in mix if m["user"] == self.username]
            cookies = self.mix[0]["cookies"]
            for name, value in cookies.items():
                self.client.cookies.set(name, value)
            self.headers = {"X-CSRFToken": cookies.get("csrftoken", ""), "Referer": self.host + "/"}

        @task
        def one_request(self):
            m = random.choices(self.mix, weights=[x["weight"] for x in self.mix])[0]
            path = random.choice(m["paths"]) if m.get("paths") else m["path"]
            body = m.get("body")
            if body and "version" in body:  # a workflow step acts on the version read just before
                read = self.client.get(path.rsplit("/", 2)[0] + "/", headers=self.headers, name=m["name"] + " (read)")
                body = {**body, "version": read.json()["version"]} if read.ok else body
            self.client.request(m["method"], path, json=body, headers=self.headers, name=m["name"])


def main(argv=None) -> None:
    import argparse
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--time", type=int, default=60, help="seconds")
    parser.add_argument("--port", type=int, default=8932)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--locust", default=None, help="locust executable (default: this interpreter -m locust)")
    args = parser.parse_args(argv)

    import django

    from bench import run

    django.setup()
    from bench.generate import BENCH_PASSWORD
    from ningbo_grid.replica import PIN_COOKIE

    subj = run.subjects()
    mix = []
    for ep in run.ENDPOINTS:
        if ep.user not in subj["users"]:  # a row about data this database has not (e.g. no ledgers)
            continue
        path = ep.path.format(**subj)
        body = {k: v.format(**subj) for k, v in ep.body.items()} or None
        if run.available(path):
            entry = {"name": ep.name, "user": subj["users"][ep.user], "method": ep.method, "path": path, "body": body}
            if ep.follow:  # cursor pages cannot be fixed in advance: the load run reads the first one
                entry["name"], entry["weight"] = ep.name.split(",")[0] + ", first page", MIX_WEIGHTS.get(ep.name, 1)
            if ep.name == "dispatch":  # many events: concurrent users rarely step on the same one (409)
                entry["paths"] = [ep.path.format(**{**subj, "open_event": n}) for n in subj["open_events"]]
            mix.append(entry)
    note = "platform endpoints"
    if not mix:
        note = "FALLBACK: the plain-DRF peer's lists (the platform's lists are not available yet)"
        mix = [
            {
                "name": "peer: " + ep.name,
                "user": subj["users"][ep.user],
                "method": "GET",
                "path": ep.peer.format(**subj),
            }
            for ep in run.ENDPOINTS
            if ep.peer
        ]
    for m in mix:
        m.setdefault("weight", MIX_WEIGHTS.get(m["name"].removeprefix("peer: "), 1))
    (root / "bench" / "out").mkdir(exist_ok=True)
    server = run.Server(args.port, args.workers)
    try:
        cookies = {}
        for username in {m["user"] for m in mix}:
            jar = run.login(server.url, username, BENCH_PASSWORD).cookies.get_dict()
            # The sign-in's read-your-writes mark (a replica configured) lasts seconds; copied
            # into locust's jar it would never expire and keep every read on the primary.
            cookies[username] = {name: value for name, value in jar.items() if name != PIN_COOKIE}
        for m in mix:
            m["cookies"] = cookies[m["user"]]
        env = dict(os.environ, BENCH_MIX=json.dumps(mix))
        csv_prefix = str(root / "bench" / "out" / "load")
        locust = [args.locust] if args.locust else [sys.executable, "-m", "locust"]
        subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
            [
                *locust,
                "-f",
                __file__,
                "--headless",
                f"--users={args.users}",
                f"--spawn-rate={max(1, args.users // 5)}",
                f"--run-time={args.time}s",
                f"--host={server.url}",
                f"--csv={csv_prefix}",
                "--only-summary",
                "--loglevel=WARNING",
            ],
            env=env,
            check=False,
        )
    finally:
        server.stop()
    import csv

    with open(csv_prefix + "_stats.csv", encoding="utf-8") as f:
        total = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    print(f"mix: {note}")
    print(
        f"load: {args.users} users, {args.time} s: {float(total['Requests/s']):.1f} req/s,"
        f" p95 {total['95%']} ms, {total['Failure Count']} errors of {total['Request Count']} requests"
    )


if __name__ == "__main__":
    main()
