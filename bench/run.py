#!/usr/bin/env python
"""Benchmark the platform on generated data through the real HTTP stack (gunicorn).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ng_bench python bench/run.py [--n 30]

Starts gunicorn on 127.0.0.1 (bench/settings.py: X-Query-Count header, the plain-DRF
peer at /bench/peer/), signs in as the generator's sample users (a township
dispatcher, a district supervisor, the city supervisor, a handling unit's handler),
and measures p50/p95 latency and queries per request for every row of `ENDPOINTS`.
A row whose URL does not resolve on this checkout is reported "not available yet".
For the event lists it also times the same page fetched by hand (bench/limit.py: the
SQL, rows to JSON: the limit) through the same gunicorn and in-process, the peer, and the
`Event.objects.restrict()` queryset in-process (with its EXPLAIN ANALYZE in
bench/out/plans.txt), and reports each answer's size in bytes. The sample logins pass
the second factor with a bench TOTP device (`totp_code`). Writes bench/RESULTS.md.
Figures, not pass/fail.
"""

import argparse
import importlib
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("BENCH_PEER", "1")
os.environ.setdefault("BENCH_COUNT_QUERIES", "1")

PAGE = 20
DEEP_PAGE = 20  # the deep page of the township history (19 cursor hops: rows 381-400)


from bench.limit import OPEN, UNIT_OPEN, page_json  # noqa: E402  (after the settings module is set)


def _statuses(csv: str) -> str:
    return "&".join(f"status={s}" for s in csv.split(","))


@dataclass
class Endpoint:
    """One measured request. `path` is formatted with the subjects (see `subjects()`).

    `user`: who asks (dispatcher, county, city, handler, reporter). `follow`: cursor hops
    (`next` links) taken before timing, for deep pages. `raw`: key of `RAW_SQL` giving the
    same page by hand; `peer`: the same page from the plain-DRF peer; `orm`: the
    `Event.objects.restrict()` filter for the in-process query timing and EXPLAIN.
    """

    name: str
    user: str
    method: str
    path: str
    body: dict = field(default_factory=dict)
    raw: str = ""
    peer: str = ""
    orm: dict | None = None
    offset: int = 0
    follow: int = 0
    rows: int = PAGE


#: What is measured: the platform's own URLs (events API, Open311, dashboards, grids API).
ENDPOINTS = [
    Endpoint(
        "dispatcher queue, township, first page",
        "dispatcher",
        "GET",
        f"/api/v1/events/?within={{township_code}}&{_statuses(OPEN)}&page_size={PAGE}",
        raw="queue",
        peer="/bench/peer/events/?township={township}&status__in=" + OPEN,
        orm={"township_id": "{township}", "status__in": OPEN.split(",")},
    ),
    Endpoint(
        "dispatcher queue, township, first page, 100 rows",
        "dispatcher",
        "GET",
        f"/api/v1/events/?within={{township_code}}&{_statuses(OPEN)}&page_size=100",
        raw="queue",
        peer="/bench/peer/events/?township={township}&page_size=100&status__in=" + OPEN,
        rows=100,
    ),
    Endpoint(
        f"township history, page {DEEP_PAGE} (cursor)",
        "dispatcher",
        "GET",
        f"/api/v1/events/?within={{township_code}}&page_size={PAGE}",
        raw="township_deep",
        peer="/bench/peer/events/?township={township}&page=" + str(DEEP_PAGE),
        orm={"township_id": "{township}"},
        offset=(DEEP_PAGE - 1) * PAGE,
        follow=DEEP_PAGE - 1,
    ),
    Endpoint(
        "handling unit task list",
        "handler",
        "GET",
        f"/api/v1/events/?lead_unit={{unit}}&{_statuses(UNIT_OPEN)}&page_size={PAGE}",
        raw="unit",
        peer="/bench/peer/events/?lead_unit={unit}&status__in=" + UNIT_OPEN,
        orm={"lead_unit_id": "{unit}", "status__in": UNIT_OPEN.split(",")},
    ),
    Endpoint(
        "district list by state and item",
        "county",
        "GET",
        f"/api/v1/events/?within={{county_code}}&status=closed&item={{item_code}}&page_size={PAGE}",
        raw="county_item",
        peer="/bench/peer/events/?county={county}&status=closed&item={item}",
        orm={"county_id": "{county}", "status": "closed", "item_id": "{item}"},
    ),
    Endpoint(
        "city list by state",
        "city",
        "GET",
        f"/api/v1/events/?status=handling&page_size={PAGE}",
        raw="city_state",
        peer="/bench/peer/events/?status=handling",
        orm={"status": "handling"},
    ),
    Endpoint(
        "city list, all states",
        "city",
        "GET",
        f"/api/v1/events/?page_size={PAGE}",
        raw="city_all",
        peer="/bench/peer/events/",
        orm={},
    ),
    Endpoint("event detail (API)", "dispatcher", "GET", "/api/v1/events/{event}/"),
    Endpoint("event timeline (API)", "dispatcher", "GET", "/api/v1/events/{event}/timeline/"),
    Endpoint("event detail with timeline (HTML page)", "dispatcher", "GET", "/events/{event}/"),
    Endpoint(
        "report (create)",
        "reporter",
        "POST",
        "/api/v1/events/",
        body={
            "item": "{item_code}",
            "area": "{grid_code}",
            "title": "bench",
            "description": "bench report",
            "discovered_at": "{now}",
        },
    ),
    Endpoint(
        "dispatch",
        "dispatcher",
        "POST",
        "/api/v1/events/{open_event}/dispatch/",
        body={"lead_unit": "{dispatch_unit}", "version": "0"},
    ),
    Endpoint("grid subtree listing", "dispatcher", "GET", "/api/v1/grids/?within={township_code}&level=grid"),
    Endpoint("Open311 requests list", "dispatcher", "GET", "/open311/v2/requests.json"),
    Endpoint("dashboard, township", "dispatcher", "GET", "/evaluation/dashboard/{township_code}/"),
    Endpoint("dashboard, district", "county", "GET", "/evaluation/dashboard/{county_code}/"),
    Endpoint("dashboard, city", "city", "GET", "/evaluation/dashboard/{city_code}/"),
    Endpoint("statistics API, city", "city", "GET", "/api/v1/evaluation/statistics/{city_code}/"),
    # The ledgers (bench/ledgers.py; rows skipped when the database has none).
    Endpoint(
        "ledger: a grid's residents (API)", "ledger_worker", "GET", "/api/v1/ledgers/persons/?within={ledger_grid}"
    ),
    Endpoint("ledger: household page (HTML)", "ledger_worker", "GET", "/ledgers/households/{ledger_household}/"),
    Endpoint(
        "ledger: exact-ID look-up (API, logged)",
        "ledger_worker",
        "POST",
        "/api/v1/ledgers/persons/search/",
        body={"id_number": "{ledger_id_number}", "purpose": "bench"},
    ),
    Endpoint(
        "ledger: name search within a township (API)",
        "ledger_township",
        "GET",
        "/api/v1/ledgers/persons/?within={ledger_township_code}&name={ledger_name}",
    ),
    Endpoint("ledger: due visits of one worker (HTML)", "ledger_worker", "GET", "/ledgers/due/"),
    Endpoint(
        "ledger: statistics, township (API)",
        "ledger_township",
        "GET",
        "/api/v1/ledgers/statistics/?area={ledger_township_code}",
    ),
]

#: Candidate dotted paths of the deadline sweep (events helper); the first importable one is timed.
SWEEP_CANDIDATES = [
    "events.sweep.sweep_due",
    "events.services.deadlines_sweep",
    "events.tasks.deadlines_sweep",
    "events.deadlines.sweep",
]


#: Body fields that are integers in the API (strict inputs: a string there is a 400).
INTEGER_FIELDS = {"lead_unit", "version"}


def request_body(ep: Endpoint, subj: dict) -> dict | None:
    """`ep.body` with the subjects filled in (integers where the API takes integers), or None."""
    body = {k: v.format(**subj) for k, v in ep.body.items()}
    return {k: int(v) if k in INTEGER_FIELDS else v for k, v in body.items()} or None


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def machine() -> dict[str, str]:
    from django.db import connection

    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(
            next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1]
        )
        ram = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        ram = "?"
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
        sizes = []
        for table in ("grids_area", "personnel_staff", "events_event", "events_dispatch", "events_action"):
            cur.execute(f"SELECT COUNT(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}")
            n, size = cur.fetchone()
            sizes.append(f"{table} {n:,} rows ({size})")
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        db_size = cur.fetchone()[0]
    load = os.getloadavg()
    return {
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "RAM": ram,
        "PostgreSQL": pg,
        "Python / Django": f"{platform.python_version()} / {__import__('django').get_version()}",
        "Database": f"{connection.settings_dict['NAME']}, {db_size}",
        "Data": "; ".join(sizes),
        "Load average at start": " ".join(f"{x:.1f}" for x in load),
    }


def subjects() -> dict:
    """The township with the most open events, its district, a busy handling unit, events, grid."""
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cur:
        cur.execute(
            "SELECT township_id, county_id FROM events_event WHERE status = ANY(%s)"
            " GROUP BY 1, 2 ORDER BY COUNT(*) DESC LIMIT 1",
            [OPEN.split(",")],
        )
        township, county = cur.fetchone()
        cur.execute("SELECT id, code FROM grids_area WHERE id IN (%s, %s) OR level = 'city'", [township, county])
        codes = dict(cur.fetchall())
        cur.execute("SELECT id FROM grids_area WHERE level = 'city' ORDER BY id LIMIT 1")
        city = cur.fetchone()[0]
        cur.execute(
            "SELECT d.unit_id FROM events_dispatch d JOIN auth_user u ON u.username = 'bench_unit_' || d.unit_id"
            " WHERE d.active GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1"
        )
        unit = cur.fetchone()[0]
        cur.execute(
            "SELECT item_id, COUNT(*) FROM events_event WHERE county_id = %s GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
            [county],
        )
        item = cur.fetchone()[0]
        cur.execute("SELECT code FROM catalog_serviceitem WHERE id = %s", [item])
        item_code = cur.fetchone()[0]
        cur.execute(
            "SELECT number FROM events_event WHERE township_id = %s AND status = 'closed'"
            " ORDER BY reported_at DESC LIMIT 1",
            [township],
        )
        event = cur.fetchone()[0]
        # Dispatched again and again by the township's dispatcher (a re-dispatch is allowed).
        cur.execute(
            "SELECT number FROM events_event WHERE township_id = %s AND level = 'township'"
            " AND status IN ('accepted', 'dispatched') ORDER BY reported_at DESC LIMIT 1",
            [township],
        )
        row = cur.fetchone()
        open_event = row[0] if row else event
        cur.execute(
            "SELECT number FROM events_event WHERE township_id = %s AND level = 'township'"
            " AND status IN ('accepted', 'dispatched') ORDER BY reported_at DESC LIMIT 200",
            [township],
        )
        open_events = [r[0] for r in cur.fetchall()] or [open_event]
        cur.execute(
            "SELECT lead_unit_id FROM events_event WHERE township_id = %s AND lead_unit_id IS NOT NULL"
            " GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1",
            [township],
        )
        dispatch_unit = cur.fetchone()[0]
        cur.execute(
            "SELECT reported_at, id FROM events_event WHERE township_id = %s"
            " ORDER BY reported_at DESC, id DESC OFFSET %s LIMIT 1",
            [township, (DEEP_PAGE - 1) * PAGE - 1],
        )
        deep_at, deep_id = cur.fetchone()
        cur.execute(
            "SELECT username FROM auth_user WHERE username LIKE %s LIMIT 1", [f"bench_grid_{codes[township][:9]}%"]
        )
        reporter = cur.fetchone()[0]
        cur.execute(
            "SELECT a.id, a.code FROM personnel_areagrant g JOIN auth_user u ON u.id = g.user_id"
            " JOIN grids_area a ON a.id = g.content_object_id WHERE u.username = %s LIMIT 1",
            [reporter],
        )
        grid, grid_code = cur.fetchone()
    return {
        **ledger_subjects(),
        "township": township,
        "township_code": codes[township],
        "county": county,
        "county_code": codes[county],
        "city": city,
        "city_code": codes[city],
        "unit": unit,
        "dispatch_unit": dispatch_unit,
        "item": item,
        "item_code": item_code,
        "event": event,
        "open_event": open_event,
        "open_events": open_events,
        "grid": grid,
        "grid_code": grid_code,
        "deep_at": deep_at,
        "deep_id": deep_id,
        "now": timezone.now().isoformat(),
        "open": OPEN.split(","),
        "unit_open": UNIT_OPEN.split(","),
        "users": {
            "dispatcher": f"bench_township_{codes[township][:9]}",
            "county": f"bench_county_{codes[county][:6]}",
            "city": "bench_city",
            "handler": f"bench_unit_{unit}",
            "reporter": reporter,
            **ledger_users(),
        },
    }


def ledger_subjects() -> dict:
    """The ledgers' subjects: the first generated grid, a household, an ID and a name in it."""
    from bench.ledgers import subjects as found

    return found()


def ledger_users() -> dict:
    subj = ledger_subjects()
    return {k: subj[k] for k in ("ledger_worker", "ledger_township") if subj.get(k)}


def available(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path.split("?", 1)[0])
    except Resolver404:
        return False
    return True


class Server:
    """gunicorn on loopback, bench settings; stopped with `stop()` (only the process it started)."""

    def __init__(self, port: int, workers: int):
        self.url = f"http://127.0.0.1:{port}"
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="bench.settings",
            SECURE_SSL_REDIRECT="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            DEBUG="0",
        )
        self.log = open(ROOT / "bench" / "out" / "gunicorn.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "ningbo_grid.wsgi",
                f"--workers={workers}",
                "--worker-class=gthread",
                "--threads=2",
                f"--bind=127.0.0.1:{port}",
                # Longer than a load-run user's pause: gunicorn's default (2 s) closes idle
                # keep-alive connections as the client reuses them (connection reset errors).
                "--keep-alive=30",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        import requests

        for _ in range(150):
            try:
                requests.get(self.url + "/healthz", timeout=5)
                return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)
        self.log.close()


#: The TOTP key (hex) of every sample login's bench device (bench databases only).
BENCH_TOTP_KEY = "3132333435363738393031323334353637383930"


def totp_code(username: str) -> str:
    """The current code of `username`'s authenticator: gives the sample login a confirmed TOTP
    device with `BENCH_TOTP_KEY` (and no code used yet, so each sign-in of a run passes)."""
    from django.contrib.auth import get_user_model
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(username=username)
    TOTPDevice.objects.filter(user=user).exclude(name="bench").delete()
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, name="bench", defaults={"key": BENCH_TOTP_KEY, "confirmed": True, "last_t": -1}
    )
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def login(base: str, username: str, password: str):
    import requests

    session = requests.Session()
    page = session.get(base + "/accounts/login/", timeout=60).text
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    token = found.group(1) if found else session.cookies.get("csrftoken", "")
    response = session.post(
        base + "/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": base + "/accounts/login/"},
        allow_redirects=False,
        timeout=120,  # password hashing is slow by design
    )
    if response.status_code != 302:
        raise SystemExit(f"login as {username} failed ({response.status_code})")
    verify = base + "/security/2fa/verify/"
    page = session.get(verify, timeout=60).text
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if found:  # the second factor (security.middleware): the code of the bench device
        answer = session.post(
            verify,
            data={"token": totp_code(username), "csrfmiddlewaretoken": found.group(1)},
            headers={"Referer": verify},
            allow_redirects=False,
            timeout=60,
        )
        if answer.status_code != 302:
            raise SystemExit(f"second factor of {username} refused ({answer.status_code})")
    after = session.get(base + "/accounts/login/", timeout=60).text  # a fresh token for the new session
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', after)
    session.headers["X-CSRFToken"] = found.group(1) if found else session.cookies.get("csrftoken", token)
    session.headers["Referer"] = base + "/"
    return session


def follow_cursor(session, url: str, hops: int) -> str:
    """The URL of the page `hops` cursor links after `url` (the API's `next`)."""
    for _ in range(hops):
        url = session.get(url, timeout=60).json()["next"]
    return url


def time_http(session, method: str, url: str, n: int, body=None) -> dict:
    times, queries, statuses, size = [], [], set(), 0
    for i in range(n + 3):
        if body and "version" in body:  # a workflow step acts on the version it read (untimed read)
            body = {**body, "version": session.get(url.rsplit("/", 2)[0] + "/", timeout=60).json()["version"]}
        start = time.perf_counter()
        response = session.request(method, url, json=body, timeout=120)
        took = (time.perf_counter() - start) * 1000
        if i >= 3:  # warm-up
            times.append(took)
            queries.append(int(response.headers.get("X-Query-Count", "-1")))
            statuses.add(response.status_code)
            size = len(response.content)
    return {
        "p50": pct(times, 0.5),
        "p95": pct(times, 0.95),
        "queries": sorted(set(queries)),
        "status": statuses,
        "bytes": size,
    }


def time_raw(name: str, params: dict, n: int) -> dict:
    """The limit in-process: the page by hand (bench.limit.page_json: SQL, rows to JSON)."""
    times = []
    for i in range(n + 3):
        start = time.perf_counter()
        page_json(name, params)
        if i >= 3:
            times.append((time.perf_counter() - start) * 1000)
    return {"p50": pct(times, 0.5), "p95": pct(times, 0.95)}


def limit_url(base: str, name: str, subj: dict, rows: int) -> str:
    """The bench-only limit view's URL for `RAW_SQL[name]` (bench/limit.py) with the subjects."""
    keys = ("township", "county", "unit", "item", "deep_at", "deep_id")
    query = "&".join(f"{k}={quote(str(subj[k]))}" for k in keys)
    return f"{base}/bench/limit/{name}/?{query}&limit={rows}"


def time_orm(username: str, filters: dict, offset: int, n: int, plans) -> dict:
    """`Event.objects.restrict(user)` with the list's filter, one page, in-process; writes EXPLAIN."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from events.models import Event

    user = get_user_model().objects.get(username=username)
    qs = Event.objects.restrict(user).filter(**filters).order_by("-reported_at", "-id")[offset : offset + PAGE]
    times = []
    for i in range(n + 3):
        start = time.perf_counter()
        list(qs.values("id", "number", "status", "reported_at"))
        if i >= 3:
            times.append((time.perf_counter() - start) * 1000)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(r[0] for r in cur.fetchall())
    plans.write(f"## {username} {filters} offset {offset}\n{sql % tuple(params)}\n\n{plan}\n\n")
    return {"p50": pct(times, 0.5), "p95": pct(times, 0.95)}


def fmt(x) -> str:
    if isinstance(x, float):
        return "–" if x != x else f"{x:.1f}"
    return str(x)


def time_sweep(n: int) -> list[list[str]]:
    """The deadline sweep with 10,000 clocks due at once and with none due, if the sweep exists."""
    func = None
    for dotted in SWEEP_CANDIDATES:
        module, _, name = dotted.rpartition(".")
        try:
            func = getattr(importlib.import_module(module), name)
            break
        except (ImportError, AttributeError):
            continue
    if func is None:
        return [
            ["deadline sweep, 10,000 due", "not available yet"] + ["–"] * 7,
            ["deadline sweep, none due", "not available yet"] + ["–"] * 7,
        ]
    from django.db import connection
    from django.utils import timezone

    rows = []
    # 10,000 running clocks that really fire: the newest dispatched/handling events start a new
    # cycle (as after a re-dispatch: no alert yet) with the warning time 2 minutes ago; every
    # third is also past its deadline (red card and automatic escalation). Each fires its alert
    # rows, actions and notifications, and the overdue ones escalate (back at township level,
    # so that every run escalates the same). (Generated open events are old: all alerted.)
    with connection.cursor() as cur:
        cur.execute(
            "WITH due AS (SELECT id, status, row_number() OVER (ORDER BY id DESC) AS k FROM events_event"
            " WHERE status IN ('dispatched', 'handling') ORDER BY id DESC LIMIT 10000)"
            " UPDATE events_event e SET next_alert_at = now() - interval '2 minutes', alert_level = 'none',"
            " cycle = e.cycle + 1, level = 'township',"
            " accept_warn_at = CASE WHEN due.status = 'dispatched' THEN now() - interval '2 minutes'"
            " ELSE e.accept_warn_at END,"
            " accept_due_at = CASE WHEN due.status = 'dispatched' THEN now() +"
            " CASE WHEN mod(due.k, 3) = 0 THEN interval '-1 minute' ELSE interval '1 day' END"
            " ELSE e.accept_due_at END,"
            " complete_warn_at = CASE WHEN due.status = 'handling' THEN now() - interval '2 minutes'"
            " ELSE e.complete_warn_at END,"
            " complete_due_at = CASE WHEN due.status = 'handling' THEN now() +"
            " CASE WHEN mod(due.k, 3) = 0 THEN interval '-1 minute' ELSE interval '1 day' END"
            " ELSE e.complete_due_at END"
            " FROM due WHERE e.id = due.id"
        )
        prepared = cur.rowcount
    start = time.perf_counter()
    result = func(now=timezone.now())
    took = (time.perf_counter() - start) * 1000
    counts = ", ".join(f"{k}: {v}" for k, v in sorted((str(k), v) for k, v in result.items()))
    rows.append([f"deadline sweep, {prepared:,} due", f"{took:.0f}", "–", f"(1 run; {counts})"] + ["–"] * 5)
    idle = []
    for _ in range(n):
        start = time.perf_counter()
        func()
        idle.append((time.perf_counter() - start) * 1000)
    rows.append(["deadline sweep, none due", fmt(pct(idle, 0.5)), fmt(pct(idle, 0.95))] + ["–"] * 6)
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=30, help="timed requests per row (after 3 warm-ups)")
    parser.add_argument("--peer-n", type=int, default=5, help="timed peer requests per row (seconds each at size)")
    parser.add_argument("--port", type=int, default=8931)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--no-sweep", action="store_true", help="skip the deadline sweep rows")
    parser.add_argument("--only", default="", help="only the rows whose name starts with this (e.g. 'ledger:')")
    args = parser.parse_args(argv)
    import django
    import requests

    django.setup()
    from django.db import connection

    from bench.generate import BENCH_PASSWORD

    if connection.vendor != "postgresql":
        raise SystemExit("bench/run.py needs the generated PostgreSQL database (DATABASE_URL)")
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    from bench.generate import seal_staff_contacts

    sealed = seal_staff_contacts(connection)
    if sealed:
        print(f"sealed the contacts of {sealed:,} generated staff (encrypted, as the platform stores them)")
    info = machine()
    subj = subjects()
    out_dir = ROOT / "bench" / "out"
    server = Server(args.port, args.workers)
    rows = []
    try:
        sessions = {key: login(server.url, name, BENCH_PASSWORD) for key, name in subj["users"].items()}
        anonymous = requests.Session()
        with open(out_dir / "plans.txt", "w", encoding="utf-8") as plans:
            for ep in ENDPOINTS:
                if ep.user not in sessions or not ep.name.startswith(args.only):
                    continue
                path = ep.path.format(**subj)
                row = [ep.name]
                if available(path):
                    body = request_body(ep, subj)
                    url = follow_cursor(sessions[ep.user], server.url + path, ep.follow)
                    r = time_http(sessions[ep.user], ep.method, url, args.n, body)
                    bad = sorted(c for c in r["status"] if c >= 400)
                    row += [fmt(r["p50"]), fmt(r["p95"]), "/".join(map(str, r["queries"])), f"{r['bytes']:,}"]
                    if bad:
                        row[3] += f" (HTTP {'/'.join(map(str, bad))})"
                    ours = r["p50"]
                else:
                    row += ["not available yet", "–", "–", "–"]
                    ours = None
                raw = limit = peer = orm = None
                if ep.raw:
                    params = {k: subj[k] for k in ("township", "county", "unit", "item", "deep_at", "deep_id")}
                    raw = time_raw(ep.raw, {**params, "limit": ep.rows}, args.n)["p50"]
                    # Without the session cookie: no session, user or second-factor reads.
                    limit_http = time_http(anonymous, "GET", limit_url(server.url, ep.raw, subj, ep.rows), args.n)
                    limit = limit_http["p50"]
                if ep.peer:
                    peer_url = server.url + ep.peer.format(**subj)
                    peer = time_http(sessions[ep.user], "GET", peer_url, args.peer_n)["p50"]
                if ep.orm is not None:
                    filters = {
                        k: (int(v.format(**subj)) if isinstance(v, str) and v.startswith("{") else v)
                        for k, v in ep.orm.items()
                    }
                    orm = time_orm(subj["users"][ep.user], filters, ep.offset, args.n, plans)["p50"]
                row += [
                    fmt(limit) if limit is not None else "–",
                    fmt(raw) if raw is not None else "–",
                    fmt(orm) if orm is not None else "–",
                    fmt(peer) if peer is not None else "–",
                    fmt(ours / limit) if ours and limit else "–",
                    fmt(peer / ours) if ours and peer else "–",
                ]
                rows.append(row)
                print(" | ".join(row), flush=True)
        if not args.no_sweep and not args.only:
            rows += time_sweep(args.n)
        if "ledger_worker" in sessions and "ledger:".startswith(args.only):
            from bench.ledgers import time_import

            rows += time_import(subj["users"]["ledger_worker"])
    finally:
        server.stop()
    info["Load average at end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    write_results(Path(args.output), info, subj, rows, args)


#: Everything after this line of bench/RESULTS.md (hand-written notes) is kept by a re-run.
KEEP = "<!-- bench/run.py writes the above; the notes below are kept when it re-runs -->"


def kept_notes(path: Path) -> str:
    """The hand-written part of an existing RESULTS.md (after `KEEP`, else from the first `## `)."""
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8")
    if KEEP in text:
        return text.split(KEEP, 1)[1]
    at = text.find("\n## ")
    return "\n" + text[at + 1 :] if at >= 0 else ""


def write_results(path: Path, info: dict, subj: dict, rows: list, args) -> None:
    head = [
        "request",
        "p50 ms",
        "p95 ms",
        "queries",
        "bytes",
        "limit HTTP p50",
        "limit in-process p50",
        "restrict() p50",
        "peer p50",
        "ours/limit",
        "peer/ours",
    ]
    lines = [
        "# Benchmark results",
        "",
        f"Written by `bench/run.py` on {time.strftime('%Y-%m-%d %H:%M %Z')}; {args.n} timed requests per row after"
        f" 3 warm-ups, gunicorn {args.workers} workers (gthread, 2 threads) on loopback.",
        "",
        "| machine | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in info.items()],
        "",
        f"Subjects: township area {subj['township']}, district {subj['county']}, handling unit {subj['unit']},"
        f" item {subj['item_code']}; users {', '.join(subj['users'].values())}.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        *["| " + " | ".join(r + ["–"] * (len(head) - len(r))) + " |" for r in rows],
        "",
        "*limit*: the same page by hand (bench/limit.py: the SQL, rows to JSON by orjson), through the same"
        " gunicorn (*HTTP*, no session or scope) and in-process; *ours/limit* is p50 over the HTTP limit."
        " *bytes*: the answer's body. *restrict()*:"
        " `Event.objects.restrict(user)` with the list's filter, one page, in-process (plans in"
        " bench/out/plans.txt). *peer*: a plain DRF ModelViewSet + ModelSerializer + page-number"
        " pagination over the same rows, through gunicorn (bench/peer.py). Rows marked *not available"
        " yet* have no URL on this checkout; edit `ENDPOINTS` in bench/run.py and re-run. *queries*: SQL"
        " queries per request (all runs; one figure means it never varied).",
        "",
        KEEP,
        "",
    ]
    path.write_text("\n".join(lines) + kept_notes(path), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
