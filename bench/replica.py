#!/usr/bin/env python
"""Read-replica figures: the replica's replay lag under the load run's writes, and the share of
the database work the replica served (issue #20, part 4). Figures, not pass/fail.

    REPLICA_PORT=5433 bin/pg-replica start
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/ng_bench LOCAL_SECRET_KEY_FILE=1
    export DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/ng_bench
    python bench/replica.py [--users 50 --requests 30] [--burst 1000000]

Runs bench/load.py once (gunicorn and seeded simulated users: the platform's request mix, reports and dispatches
included) with the replica configured, and meanwhile samples on the primary every 0.5 s the
replica's replay lag (`pg_stat_replication.replay_lag`, and the WAL bytes not yet replayed)
through its slot `replica_<port>` (bin/pg-replica). Before and after, it reads the bench
database's counters on both servers (`pg_stat_database`: transactions, rows read), and prints
the replica's share of each. Sampling connects to the `postgres` database, so it is not counted.
`--burst N` then writes N rows in one statement (a scratch table, dropped after) and samples
the lag every 0.1 s until the replica has replayed it.
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent

COUNTERS = """
SELECT xact_commit + xact_rollback, tup_returned + tup_fetched
FROM pg_stat_database WHERE datname = %s
"""

LAG = """
SELECT EXTRACT(EPOCH FROM r.replay_lag), pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn)
FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid
WHERE s.slot_name = %s
"""


def connect(url: str) -> psycopg.Connection:
    """A connection to the `postgres` database of the server in `url` (autocommit)."""
    u = urlsplit(url)
    return psycopg.connect(
        host=u.hostname, port=u.port or 5432, user=u.username or "postgres", dbname="postgres", autocommit=True
    )


def counters(conn: psycopg.Connection, db: str) -> tuple[int, int]:
    conn.execute("SELECT pg_stat_clear_snapshot()")
    row = conn.execute(COUNTERS, [db]).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--requests", type=int, default=30, help="requests per simulated user (0: no load run)")
    parser.add_argument("--port", type=int, default=8932)
    parser.add_argument("--burst", type=int, default=0, help="then write this many rows at once and sample the lag")
    args = parser.parse_args(argv)
    primary_url, replica_url = os.environ["DATABASE_URL"], os.environ["DATABASE_REPLICA_URL"]
    db = urlsplit(primary_url).path.lstrip("/")
    slot = f"replica_{urlsplit(replica_url).port or 5432}"
    primary, replica = connect(primary_url), connect(replica_url)
    before = counters(primary, db), counters(replica, db)

    samples: list[tuple[float, int]] = []
    done = threading.Event()

    def sample():
        lag_conn = connect(primary_url)
        while not done.wait(0.5):
            row = lag_conn.execute(LAG, [slot]).fetchone()
            if row:
                samples.append((float(row[0] or 0.0), int(row[1] or 0)))

    if args.requests > 0:
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        load = [sys.executable, str(ROOT / "bench" / "load.py"), f"--users={args.users}", "--runs=1"]
        load += [f"--requests={args.requests}", f"--port={args.port}"]
        subprocess.run(load, cwd=ROOT, check=True)  # noqa: S603 - our own interpreter and script
        done.set()
        sampler.join()
        time.sleep(1.0)  # the server's backends have exited: their statistics are flushed
        after = counters(primary, db), counters(replica, db)
        report(before, after, samples, "replay lag during the load run")
    if args.burst:
        burst(primary_url, slot, args.burst)


def burst(primary_url: str, slot: str, rows: int) -> None:
    """Write `rows` rows in one statement (a table made and dropped, no platform data
    touched) and sample the replica's lag every 0.1 s until it has replayed it all."""
    conn, lag_conn = psycopg.connect(primary_url, autocommit=True), connect(primary_url)
    samples: list[tuple[float, int]] = []
    started = time.monotonic()
    writer = threading.Thread(
        target=conn.execute,
        args=[
            f"CREATE TABLE bench_replica_burst AS SELECT g, md5(g::text) AS h FROM generate_series(1, {int(rows)}) g"
        ],
    )
    writer.start()
    while writer.is_alive() or not samples or samples[-1][1] > 0:
        row = lag_conn.execute(LAG, [slot]).fetchone()
        if row:
            samples.append((float(row[0] or 0.0), int(row[1] or 0)))
        time.sleep(0.1)
    elapsed = time.monotonic() - started
    conn.execute("DROP TABLE bench_replica_burst")
    print(f"burst of {rows:,} rows: written and replayed in {elapsed:.1f} s")
    report(None, None, samples, "replay lag during the burst")


def report(before, after, samples, what: str) -> None:
    if before and after:
        xact = [after[i][0] - before[i][0] for i in (0, 1)]
        rows = [after[i][1] - before[i][1] for i in (0, 1)]
        share_x = 100 * xact[1] / max(1, sum(xact))
        share_r = 100 * rows[1] / max(1, sum(rows))
        print(f"replica share of transactions: {xact[1]} of {sum(xact)} ({share_x:.1f} %)")
        print(f"replica share of rows read: {rows[1]} of {sum(rows)} ({share_r:.1f} %)")
    if samples:
        lags = sorted(s[0] * 1000 for s in samples)
        behind = sorted(s[1] for s in samples)
        p95 = lags[int(0.95 * (len(lags) - 1))]
        print(
            f"{what}, {len(samples)} samples: median {statistics.median(lags):.1f} ms, p95 {p95:.1f} ms,"
            f" max {lags[-1]:.1f} ms; WAL not yet replayed: median {statistics.median(behind):.0f} B,"
            f" max {behind[-1]:,} B"
        )


if __name__ == "__main__":
    main()
