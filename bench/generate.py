#!/usr/bin/env python
"""Generate Ningbo-sized data on PostgreSQL: the whole city at real shape, N events.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ng_bench \\
        python bench/generate.py --events 5000000 --seed 1

Runs `migrate`, EMPTIES every table of the platform's apps (and users), then loads:
the real divisions (grids/data/ningbo-divisions-2023.csv: 1 city, 10 districts, 162
townships, 3,042 villages/communities), ~15,000 grids and ~100,000 micro-grids (codes
and MPTT columns computed here and COPYed in one go), organisations (authorities,
departments per district, township offices, village committees), ~20,000 staff with
grid assignments, logins for a sample of users with their area grants, the catalogue
(catalog/data/catalogue-seed.csv, published, one handling rule per grade) and N events
over the two years before `--end`, with dispatches, timelines, alerts and satisfaction.

`--persons N` adds the ledgers (一标三实, bench/ledgers.py) before the events; with
`--ledgers-only` it replaces only the ledgers of a city generated before (give its
`--end`), keeping its tree, people and events. Events and ledgers are loaded by
`--jobs` worker processes, the same rows whatever the number.

`--province` loads a whole province instead, tree only (no people, catalogue or
events): Zhejiang's divisions (grids/data/zhejiang-divisions-2023.csv: 1 province,
11 cities, 90 counties, 1,387 townships, 25,547 villages) with ~85,000 grids and
~450,000 micro-grids, for `bench/adjust.py`.

Same `--seed` and `--end`, same data. Refuses anything but PostgreSQL. Prints the
duration of each phase and the row counts. Sample logins all use the password
`BENCH_PASSWORD` (see `bench/users.py` for who is who).
"""

import argparse
import bisect
import csv
import multiprocessing
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ningbo_grid.settings")

from bench import ledgers  # noqa: E402 - after the path above

BENCH_PASSWORD = "bench-pw-2023"  # noqa: S105 - a known password for generated sample logins only
DAY = 86400
HOUR = 3600
APPS = ("grids", "personnel", "catalog", "events", "evaluation", "ledgers")
#: Tables loaded in the events and ledgers phases; their secondary indexes and constraints
#: are dropped for the load and recreated, identical, afterwards.
EVENT_TABLES = ("events_event", "events_dispatch", "events_action", "events_alert", "events_satisfaction")
LEDGER_TABLES = ledgers.TABLES


def log(message: str, out=sys.stdout) -> None:
    out.write(message + "\n")
    out.flush()


class Phases:
    """Times each phase and prints `phase … s` lines; keeps them for the summary."""

    def __init__(self, out):
        self.out = out
        self.times: dict[str, float] = {}

    def __call__(self, name: str):
        phases = self

        class _Timer:
            def __enter__(self):
                self.start = time.perf_counter()
                log(f"[{name}] …", phases.out)

            def __exit__(self, *exc):
                took = time.perf_counter() - self.start
                phases.times[name] = took
                log(f"[{name}] {took:.1f} s", phases.out)

        return _Timer()


# --------------------------------------------------------------------------- tree


@dataclass
class Node:
    id: int
    code: str
    name: str
    level: str
    parent: "Node | None"
    village_kind: str = ""
    grid_type: str = ""
    households: int | None = None
    scale: str = ""
    children: list = field(default_factory=list)
    lft: int = 0
    rght: int = 0
    depth: int = 0
    county: "Node | None" = None
    township: "Node | None" = None


#: The divisions of one city (the default) and of a whole province (`--province`).
CITY_DIVISIONS = ROOT / "grids/data/ningbo-divisions-2023.csv"
PROVINCE_DIVISIONS = ROOT / "grids/data/zhejiang-divisions-2023.csv"


def build_tree(
    rng: random.Random,
    grids_per_village: float,
    micro_per_grid: float,
    districts: int | None = None,
    divisions: Path = CITY_DIVISIONS,
) -> list[Node]:
    """The whole city (or province): real divisions plus generated grids and micro-grids, with MPTT columns.

    `districts` keeps only the first N county-level divisions (by code) under each city,
    for small runs. The MPTT numbers are those the platform gives
    (`grids.treebuild.number_tree`: children by code, a gap after each township).
    """
    from grids.choices import BAND_LEVEL
    from grids.treebuild import number_tree

    nodes: list[Node] = []
    by_code: dict[str, Node] = {}
    with open(divisions, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            parent = by_code.get(row["parent_code"]) if row["parent_code"] else None
            if row["parent_code"] and parent is None:
                continue  # below a district left out by `districts`
            if row["level"] == "county" and districts is not None and len(parent.children) >= districts:
                continue
            node = Node(len(nodes) + 1, row["code"], row["name"], row["level"], parent)
            if node.level == "village":
                rural = row["name"].endswith(("村委会", "村民委员会"))
                node.village_kind = "rural" if rural else "urban"
            nodes.append(node)
            by_code[node.code] = node
            if parent:
                parent.children.append(node)
    villages = [n for n in nodes if n.level == "village"]
    for village in villages:
        count = max(1, min(30, round(rng.gauss(grids_per_village, grids_per_village * 0.35))))
        short = village.name.removesuffix("村民委员会").removesuffix("村委会").removesuffix("社区居委会")
        short = short.removesuffix("居委会")
        for g in range(1, count + 1):
            dedicated = rng.random() < 0.03
            grid_type = "dedicated" if dedicated else village.village_kind
            grid = Node(
                len(nodes) + 1,
                f"{village.code}{g:03d}",
                f"{short}{'专属' if dedicated else '第'}{g}网格",
                "grid",
                village,
                grid_type=grid_type,
                households=None if dedicated else rng.randint(300, 600),
                scale="企业园区" if dedicated else "",
            )
            nodes.append(grid)
            village.children.append(grid)
            micro = max(1, min(40, round(rng.gauss(micro_per_grid, micro_per_grid * 0.3))))
            for m in range(1, micro + 1):
                node = Node(
                    len(nodes) + 1,
                    f"{grid.code}{m:03d}",
                    f"{grid.name}{m}号微网格",
                    "micro_grid",
                    grid,
                    grid_type=grid_type,
                    households=rng.randint(30, 80),
                )
                nodes.append(node)
                grid.children.append(node)
    # MPTT: one tree (tree_id 1), children ordered by code (order_insertion_by), depth 0 at the root.
    numbers = number_tree(
        {n.code: n.parent.code if n.parent else None for n in nodes},
        banded={n.code for n in nodes if n.level == BAND_LEVEL},
    )
    for node in nodes:
        _tree_id, node.lft, node.rght, node.depth = numbers[node.code]
        up = node
        while up is not None and up.level not in ("county", "township"):
            up = up.parent
        node.township = up if up is not None and up.level == "township" else None
        node.county = (node.township.parent if node.township else up) if up is not None else None
    return nodes


# --------------------------------------------------------------------------- generator


class Generator:
    """One run: holds the raw psycopg connection, the rng, and the ids loaded so far."""

    def __init__(
        self,
        *,
        events: int,
        seed: int,
        end: datetime,
        jobs: int = 2,
        districts: int | None = None,
        rollup_days: int = 0,
        persons: int = 0,
        visits_per_person: float = 2.0,
        province: bool = False,
        out=sys.stdout,
    ):
        import psycopg
        from django.db import connection

        if connection.vendor != "postgresql":
            raise SystemExit("bench/generate.py needs PostgreSQL (set DATABASE_URL=postgres://…); refusing SQLite.")
        self.n_events = events
        self.jobs = jobs
        self.districts = districts
        self.rollup_days = rollup_days
        self.persons = persons
        self.visits_per_person = visits_per_person
        self.province = province
        self.seed = seed
        self.end = end
        self.now = end
        self.out = out
        self.phases = Phases(out)
        self.counts: dict[str, int] = {}
        s = connection.settings_dict
        self.conninfo = {
            "dbname": s["NAME"],
            "user": s["USER"] or None,
            "host": s["HOST"] or None,
            "port": s["PORT"] or None,
        }
        if s.get("PASSWORD"):
            self.conninfo["password"] = s["PASSWORD"]
        self._psycopg = psycopg
        self.conn = self.connect()

    def connect(self):
        conn = self._psycopg.connect(**self.conninfo)
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        return conn

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")

    # ----------------------------------------------------------------- phases

    def run(self) -> dict[str, int]:
        from django.core.management import call_command

        start = time.perf_counter()
        log(f"bench/generate.py: {self.n_events:,} events, seed {self.seed}, end {self.end:%Y-%m-%d %H:%M} UTC")
        with self.phases("migrate"):
            call_command("migrate", verbosity=0)
        with self.phases("reset"):
            self.reset()
        with self.phases("tree"):
            self.load_tree()
        if self.province:
            with self.phases("analyze"):
                self.finish()
            log("rows: " + ", ".join(f"{k} {v:,}" for k, v in self.counts.items()))
            log(f"total {time.perf_counter() - start:.1f} s")
            self.conn.close()
            return self.counts
        with self.phases("catalogue"):
            self.load_catalogue()
        with self.phases("people"):
            self.load_people()
        if self.persons:
            with self.phases("ledgers"):
                self.counts |= ledgers.load(self, self.persons, self.visits_per_person)
        with self.phases("events"):
            self.load_events()
        with self.phases("indexes"):
            self.restore_indexes()
        with self.phases("analyze"):
            self.finish(EVENT_TABLES + (LEDGER_TABLES if self.persons else ()))
        if self.rollup_days:
            with self.phases("rollups"):
                self.rollups()
        if self.persons:
            with self.phases("ledger rollups"):
                self.ledger_rollups()
        total = time.perf_counter() - start
        log("rows: " + ", ".join(f"{k} {v:,}" for k, v in self.counts.items()))
        log(f"total {total:.1f} s")
        self.conn.close()
        return self.counts

    def run_ledgers(self) -> dict[str, int]:
        """`--ledgers-only`: replace the ledgers of an already generated city (tree, people and
        events stay; the ledger tables are emptied first), then their indexes and statistics."""
        from django.core.management import call_command

        start = time.perf_counter()
        log(f"bench/generate.py --ledgers-only: {self.persons:,} residents, seed {self.seed}, end {self.end:%Y-%m-%d}")
        with self.phases("migrate"):
            call_command("migrate", verbosity=0)
        self.restore_indexes()  # whatever an interrupted run left dropped
        with self.phases("ledgers"):
            self.counts |= ledgers.load(self, self.persons, self.visits_per_person)
        with self.phases("indexes"):
            self.restore_indexes()
        with self.phases("analyze"):
            self.finish(LEDGER_TABLES, everything=False)
        with self.phases("ledger rollups"):
            self.ledger_rollups()
        log("rows: " + ", ".join(f"{k} {v:,}" for k, v in self.counts.items()))
        log(f"total {time.perf_counter() - start:.1f} s")
        self.conn.close()
        return self.counts

    def reset(self) -> None:
        from django.apps import apps

        tables = []
        for label in (*APPS, "auth", "guardian", "admin", "sessions", "authtoken"):
            try:
                config = apps.get_app_config(label)
            except LookupError:
                continue
            for model in config.get_models(include_auto_created=True):
                if model._meta.managed and not model._meta.proxy and model.__name__ not in ("Permission", "Group"):
                    tables.append(model._meta.db_table)
        # Restore anything a previous interrupted run left dropped.
        restore = self.restore_file()
        if restore.exists():
            log(f"re-applying {restore} from an interrupted run")
            self.restore_indexes()
        with self.conn.cursor() as cur:
            cur.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in sorted(set(tables))) + " RESTART IDENTITY CASCADE")
        self.conn.commit()

    def restore_file(self) -> Path:
        path = ROOT / "var" / f"bench-restore-{self.conninfo['dbname']}.sql"
        path.parent.mkdir(exist_ok=True)
        return path

    def load_tree(self) -> None:
        from bench.copyload import Copier, copy_rows, enc
        from grids.models import Area

        rng = self.rng("tree")
        if self.province:  # Zhejiang: ~85,000 grids, ~450,000 micro-grids over 25,547 villages
            nodes = build_tree(rng, 3.33, 5.3, districts=self.districts, divisions=PROVINCE_DIVISIONS)
        else:
            nodes = build_tree(rng, grids_per_village=4.9, micro_per_grid=6.6, districts=self.districts)
        self.nodes = nodes
        since = enc(date(2023, 7, 1))
        copier = Copier(
            Area,
            [
                "id",
                "code",
                "name",
                "level",
                "parent_id",
                "village_kind",
                "grid_type",
                "households",
                "scale",
                "status",
                "effective_from",
                "lft",
                "rght",
                "tree_id",
                "depth",
            ],
            self.now,
        )
        rows = (
            [
                str(n.id),
                n.code,
                enc(n.name),
                n.level,
                str(n.parent.id) if n.parent else "\\N",
                n.village_kind,
                n.grid_type,
                enc(n.households),
                n.scale,
                "active",
                since,
                str(n.lft),
                str(n.rght),
                "1",
                str(n.depth),
            ]
            for n in nodes
        )
        self.counts["areas"] = copy_rows(self.conn, copier, rows)
        self.conn.commit()
        for level in ("county", "township", "village", "grid", "micro_grid"):
            self.counts[level] = sum(1 for n in nodes if n.level == level)
        self.counties = [n for n in nodes if n.level == "county"]
        self.townships = [n for n in nodes if n.level == "township"]
        self.villages = [n for n in nodes if n.level == "village"]
        self.grids = [n for n in nodes if n.level == "grid"]

    def load_catalogue(self) -> None:
        from bench.copyload import Copier, copy_rows, enc
        from catalog.models import HandlingRule, ServiceItem, ServiceItemVersion
        from personnel.choices import Department

        dept_by_label = {str(label): value for value, label in Department.choices}
        published = date(2021, 1, 1)
        items, versions, rules = [], [], []
        self.items = []
        with open(ROOT / "catalog/data/catalogue-seed.csv", encoding="utf-8") as f:
            for i, row in enumerate(csv.DictReader(f), start=1):
                department = dept_by_label.get(row["department"], "other")
                items.append([str(i), row["code"], "city", "\\N", str(i)])
                versions.append(
                    [
                        str(i),
                        str(i),
                        "1",
                        enc(row["name"]),
                        enc(row["name_en"]),
                        row["category"],
                        row["kind"],
                        department,
                        enc(row["self_handle"] == "yes"),
                        "published",
                        enc(published),
                    ]
                )
                unit = row["limit_unit"] or "working_day"
                accept_unit = "natural_hour" if unit == "natural_hour" else "working_hour"
                accept = float(row["accept_hours"]) if row["accept_hours"] else None
                complete = float(row["complete_limit"]) if row["complete_limit"] else None
                for grade, factor, close_level in (
                    ("general", 1.0, "grid"),
                    ("serious", 0.75, "township"),
                    ("major", 0.5, "county"),
                    ("emergency", 0.25, "county"),
                ):
                    a = None if accept is None else max(0.5, round(accept * factor, 2))
                    c = None if complete is None else max(0.5, round(complete * factor, 2))
                    rules.append([str(i), grade, enc(a), accept_unit, enc(c), unit, "0.75", close_level])
                self.items.append(
                    {
                        "id": i,
                        "code": row["code"],
                        "name": row["name"],
                        "category": int(row["category"]),
                        "kind": row["kind"],
                        "department": department,
                        "self_handle": row["self_handle"] == "yes",
                        "accept": accept,
                        "complete": complete,
                        "unit": unit,
                    }
                )
        item_cols = ["id", "code", "level", "district_id", "current_version_id"]
        version_cols = [
            "id",
            "item_id",
            "number",
            "name",
            "name_en",
            "category",
            "kind",
            "department",
            "self_handle",
            "state",
            "effective_from",
        ]
        rule_cols = [
            "version_id",
            "grade",
            "accept_limit",
            "accept_unit",
            "complete_limit",
            "complete_unit",
            "warning_ratio",
            "close_level",
        ]
        # Item ↔ current version is a cycle; Django's FKs are DEFERRABLE INITIALLY DEFERRED.
        self.counts["items"] = copy_rows(self.conn, Copier(ServiceItem, item_cols, self.now), items)
        copy_rows(self.conn, Copier(ServiceItemVersion, version_cols, self.now), versions)
        self.counts["rules"] = copy_rows(self.conn, Copier(HandlingRule, rule_cols, self.now), rules)
        self.conn.commit()

    def load_people(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Permission

        from bench.copyload import Copier, copy_rows, enc
        from personnel.choices import Department
        from personnel.models import AreaGrant, Assignment, Membership, Organisation, Staff
        from personnel.roles import ROLE_PERMISSIONS

        rng = self.rng("people")
        User = get_user_model()
        departments = sorted({item["department"] for item in self.items} - {"grid_authority"})
        dept_labels = dict(Department.choices)
        orgs: list[list[str]] = []
        self.authority: dict[int, int] = {}  # area id → authority org id
        self.department_org: dict[tuple[int, str], int] = {}  # (county id, department) → org id
        self.township_office: dict[int, int] = {}
        self.committee: dict[int, int] = {}

        def org(name, kind, department, area) -> int:
            orgs.append([str(len(orgs) + 1), enc(name), kind, department, str(area.id)])
            return len(orgs)

        city = self.nodes[0]
        self.authority[city.id] = org("宁波市网格化服务管理中心", "authority", "grid_authority", city)
        for d in departments:
            self.department_org[(city.id, d)] = org(f"宁波市{dept_labels[d]}局", "department", d, city)
        for county in self.counties:
            self.authority[county.id] = org(f"{county.name}网格化服务管理中心", "authority", "grid_authority", county)
            for d in departments:
                self.department_org[(county.id, d)] = org(f"{county.name}{dept_labels[d]}局", "department", d, county)
        for township in self.townships:
            self.township_office[township.id] = org(f"{township.name}办事处", "township_office", "", township)
        for village in self.villages:
            self.committee[village.id] = org(village.name, "village_committee", "", village)
        self.counts["organisations"] = copy_rows(
            self.conn, Copier(Organisation, ["id", "name", "kind", "department", "area_id"], self.now), orgs
        )

        # Logins for a sample: who the benchmark signs in as (see bench/users.py).
        password = make_password(BENCH_PASSWORD, salt="benchsalt0000000")
        users: list[list[str]] = []
        memberships: list[list[str]] = []
        grant_pairs: list[tuple[int, str, int]] = []  # (user, role, area id)
        start = enc(date(2023, 7, 1))

        def user(username: str, first_name: str = "") -> int:
            users.append([str(len(users) + 1), password, username, enc(first_name), "t"])
            return len(users)

        def member(uid: int, org_id: int, role: str, area: Node | None) -> None:
            memberships.append([str(uid), str(org_id), role, start])
            if area is not None:
                grant_pairs.append((uid, role, area.id))

        uid = user("bench_city")
        member(uid, self.authority[city.id], "supervisor", city)
        self.supervisor_user = {city.id: uid}
        self.dispatcher_user: dict[int, int] = {}
        self.handler_user: dict[int, int] = {}  # org id → user
        self.reporter_user: dict[int, int] = {}  # township id → grid staff user
        for county in self.counties:
            uid = user(f"bench_county_{county.code[:6]}")
            member(uid, self.authority[county.id], "supervisor", county)
            self.supervisor_user[county.id] = uid
            for d in departments:
                org_id = self.department_org[(county.id, d)]
                uid = user(f"bench_unit_{org_id}")
                member(uid, org_id, "handler", None)
                self.handler_user[org_id] = uid
        for township in self.townships:
            uid = user(f"bench_township_{township.code[:9]}")
            member(uid, self.township_office[township.id], "dispatcher", township)
            self.dispatcher_user[township.id] = uid
            office = self.township_office[township.id]
            uid = user(f"bench_office_{township.code[:9]}")
            member(uid, office, "handler", None)
            self.handler_user[office] = uid

        # Staff: a grid leader for every grid, a full-time worker for every third grid.
        staff, assignments = [], []
        sources = ["community_worker", "village_cadre", "township_recruit", "party_member"]
        surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
        given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅海燕"
        first_grid_of_township: set[int] = set()
        seen_townships: set[int] = set()
        for grid in self.grids:
            if grid.township.id not in seen_townships:
                seen_townships.add(grid.township.id)
                first_grid_of_township.add(grid.id)
        n = 0
        for i, grid in enumerate(self.grids):
            roles = ["grid_leader"] + (["fulltime_worker"] if i % 3 == 0 else [])
            for role in roles:
                n += 1
                name = rng.choice(surnames) + rng.choice(given) + (rng.choice(given) if rng.random() < 0.6 else "")
                uid_text = "\\N"
                if role == "grid_leader" and grid.id in first_grid_of_township:
                    uid = user(f"bench_grid_{grid.code}", name)
                    self.reporter_user[grid.township.id] = uid
                    grant_pairs.append((uid, role, grid.id))
                    uid_text = str(uid)
                staff.append(
                    [
                        str(n),
                        uid_text,
                        name,
                        f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                        f"3302{rng.randrange(10**14):014d}",
                        f"NB{n:08d}",
                        rng.choice(sources),
                        str(self.committee[grid.parent.id]),
                        enc(date(2026, 12, 31)),
                    ]
                )
                assignments.append([str(n), str(grid.id), role, start])

        user_cols = ["id", "password", "username", "first_name", "is_active"]
        self.counts["users"] = copy_rows(self.conn, Copier(User, user_cols, self.now), users)
        staff_cols = [
            "id",
            "user_id",
            "name",
            "mobile",
            "id_number",
            "work_id",
            "source",
            "organisation_id",
            "insurance_until",
        ]
        self.counts["staff"] = copy_rows(self.conn, Copier(Staff, staff_cols, self.now), staff)
        seal_staff_contacts(self.conn)
        self.counts["assignments"] = copy_rows(
            self.conn, Copier(Assignment, ["staff_id", "area_id", "role", "start"], self.now), assignments
        )
        self.counts["memberships"] = copy_rows(
            self.conn, Copier(Membership, ["user_id", "organisation_id", "role", "start"], self.now), memberships
        )
        perm_ids = dict(
            Permission.objects.filter(content_type__app_label="grids", content_type__model="area").values_list(
                "codename", "id"
            )
        )
        grants = sorted({(u, perm_ids[p], area) for u, role, area in grant_pairs for p in ROLE_PERMISSIONS[role]})
        self.counts["grants"] = copy_rows(
            self.conn,
            Copier(AreaGrant, ["user_id", "permission_id", "content_object_id"], self.now),
            ([str(u), str(p), str(a)] for u, p, a in grants),
        )
        self.conn.commit()

    # ----------------------------------------------------------------- events

    def drop_indexes(self, tables: tuple[str, ...] = EVENT_TABLES) -> None:
        """Drop secondary indexes and constraints of `tables`; add their DDL to the restore file
        (`restore_indexes` recreates everything dropped so far, indexes first)."""
        path = self.restore_file()
        statements = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        with self.conn.cursor() as cur:
            for table in tables:
                cur.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE conrelid = %s::regclass AND contype <> 'p' ORDER BY conname",
                    [table],
                )
                constraints = cur.fetchall()
                cur.execute(
                    "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
                    " JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass"
                    " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
                    " ORDER BY c.relname",
                    [table],
                )
                indexes = cur.fetchall()
                for name, ddl in indexes:
                    statements.append(ddl)
                    cur.execute(f'DROP INDEX "{name}"')
                for name, ddl in constraints:
                    statements.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {ddl}')
                    cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        # Indexes first, then unique/check/foreign keys (which validate against them).
        path.write_text("\n".join(sorted(statements, key=lambda s: s.startswith("ALTER"))) + "\n", encoding="utf-8")
        self.conn.commit()

    def restore_indexes(self) -> None:
        path = self.restore_file()
        if not path.exists():
            return
        statements = [s for s in path.read_text(encoding="utf-8").splitlines() if s.strip()]
        with self.conn.cursor() as cur:
            for ddl in statements:
                t = time.perf_counter()
                cur.execute(ddl)
                log(f"  {time.perf_counter() - t:6.1f} s  {ddl[:110]}")
        self.conn.commit()
        path.unlink()

    def load_events(self) -> None:
        from bench.copyload import NULL, Copier, Stream, Timestamps, enc
        from events.models import Action, Alert, Dispatch, Event, Satisfaction
        from events.positions import canonical_position

        rng = self.rng("events")
        ts = Timestamps()
        now = int(self.end.timestamp())
        span = 730 * DAY
        begin = now - span
        N = self.n_events

        # Skews: items (Zipf over a seeded order), grids (log-normal busyness), grades.
        event_items = [it for it in self.items if it["kind"] == "event"]
        order = event_items[:]
        rng.shuffle(order)
        item_cum = list(_cumulative(1 / (rank + 1) ** 1.1 for rank in range(len(order))))
        grid_cum = list(_cumulative(rng.lognormvariate(0, 0.8) for _ in self.grids))
        grades = ["general", "serious", "major", "emergency"]
        grade_cum = [0.90, 0.97, 0.99, 1.0]
        sources = ["staff", "patrol", "public_demand", "complaint", "external"]
        source_cum = [0.55, 0.72, 0.88, 0.95, 1.0]
        open_states = [
            "reported",
            "escalated",
            "accepted",
            "dispatched",
            "handling",
            "suspended",
            "result_submitted",
            "verified",
        ]
        open_cum = [0.10, 0.13, 0.20, 0.35, 0.80, 0.83, 0.93, 1.0]
        stage_of = {s: i for i, s in enumerate(open_states)}

        def limit_seconds(amount: float | None, unit: str) -> int | None:
            if amount is None:
                return None
            if unit == "natural_hour":
                return int(amount * HOUR)
            if unit == "working_hour":  # 8 working hours a day, 5 days of 7
                return int(amount / 8 * 1.4 * DAY)
            return int(amount * 1.4 * DAY)

        limits = {}
        for it in event_items:
            for grade, factor in zip(grades, (1.0, 0.75, 0.5, 0.25), strict=True):
                a = None if it["accept"] is None else max(0.5, it["accept"] * factor)
                c = None if it["complete"] is None else max(0.5, it["complete"] * factor)
                accept_unit = "natural_hour" if it["unit"] == "natural_hour" else "working_hour"
                limits[(it["id"], grade)] = (limit_seconds(a, accept_unit), limit_seconds(c, it["unit"]))

        hour_weights = [1, 1, 1, 1, 1, 2, 4, 8, 12, 12, 11, 9, 7, 9, 11, 11, 10, 8, 6, 4, 3, 2, 1, 1]
        hour_cum = list(_cumulative(hour_weights))
        hour_total = hour_cum[-1]

        def report_times(rng, first_day: int, days: int, count: int) -> list[int]:
            """Report times (epoch s) in [first_day, first_day + days), working hours busier, sorted."""
            times = []
            for _ in range(count):
                day = first_day + rng.randrange(days)
                hour = bisect.bisect(hour_cum, rng.random() * hour_total)
                times.append(begin + day * DAY + hour * HOUR + rng.randrange(HOUR) - 8 * HOUR)
            times.sort()
            return times

        event_cols = [
            "id",
            "number",
            "tracking_code",
            "item_id",
            "item_version_id",
            "category",
            "grade",
            "status",
            "source",
            "level",
            "area_id",
            "township_id",
            "county_id",
            "title",
            "description",
            "address",
            "latitude",
            "longitude",
            "datum",
            "wgs84_latitude",
            "wgs84_longitude",
            "reporter_id",
            "contact_name",
            "contact_phone",
            "external_ref",
            "discovered_at",
            "reported_at",
            "accepted_at",
            "dispatched_at",
            "signed_at",
            "result_at",
            "closed_at",
            "lead_unit_id",
            "reject_reason",
            "self_handled",
            "accept_due_at",
            "accept_warn_at",
            "complete_due_at",
            "complete_warn_at",
            "suspended_at",
            "next_alert_at",
            "cycle",
            "alert_level",
            "urge_count",
            "version",
            "created_at",
            "updated_at",
        ]
        dispatch_cols = [
            "event_id",
            "unit_id",
            "role",
            "cycle",
            "dispatched_by_id",
            "dispatched_at",
            "accept_due_at",
            "complete_due_at",
            "signed_by_id",
            "signed_at",
            "completed_at",
            "active",
        ]
        action_cols = [
            "event_id",
            "kind",
            "actor_id",
            "actor_name",
            "actor_organisation_id",
            "at",
            "from_status",
            "to_status",
            "text",
            "data",
        ]
        alert_cols = ["event_id", "stage", "cycle", "due_at", "fired_at"]
        satisfaction_cols = ["event_id", "score", "comment", "at"]

        def chunk(c: int) -> dict[str, int]:
            """Events of one slice of the two years (ids in time order), on its own connections."""
            first_day, last_day = c * 730 // CHUNKS, (c + 1) * 730 // CHUNKS
            first_id = N * first_day // 730
            rng = random.Random(f"{self.seed}:events:{c}")
            times = report_times(rng, first_day, last_day - first_day, N * last_day // 730 - first_id)
            conns = {name: self.connect() for name in ("event", "dispatch", "action", "alert", "satisfaction")}
            streams = {
                "event": Stream(conns["event"], Copier(Event, event_cols, self.now)),
                "dispatch": Stream(conns["dispatch"], Copier(Dispatch, dispatch_cols, self.now)),
                "action": Stream(conns["action"], Copier(Action, action_cols, self.now), batch=20000),
                "alert": Stream(conns["alert"], Copier(Alert, alert_cols, self.now)),
                "satisfaction": Stream(conns["satisfaction"], Copier(Satisfaction, satisfaction_cols, self.now)),
            }
            loop(rng, times, first_id, streams)
            counts = {}
            for name, stream in streams.items():
                counts[name] = stream.close()
                conns[name].commit()
                conns[name].close()
            log(f"  slice {c + 1}/{CHUNKS}: {len(times):,} events")
            return counts

        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        mix = random.Random(f"{self.seed}:codes").getrandbits(60)
        mask = (1 << 60) - 1
        names = {u: f"user{u}" for u in range(1, 5000)}
        empty = "{}"
        comments = ["", "", "", "处理及时，满意", "态度很好", "还需改进"]
        micro_of = {g.id: [c.id for c in g.children] for g in self.grids}

        def loop(rng, times, first_id, streams) -> None:
            ev_add = streams["event"].add
            dis_add = streams["dispatch"].add
            act_add = streams["action"].add
            alert_add = streams["alert"].add
            sat_add = streams["satisfaction"].add
            for i, t in enumerate(times):
                eid = first_id + i + 1
                item = order[bisect.bisect(item_cum, rng.random() * item_cum[-1])]
                grid = self.grids[bisect.bisect(grid_cum, rng.random() * grid_cum[-1])]
                micro = micro_of[grid.id]
                area_id = rng.choice(micro) if micro and rng.random() < 0.3 else grid.id
                township = grid.township
                county = grid.county
                r = rng.random()
                grade = grades[0 if r < grade_cum[0] else 1 if r < grade_cum[1] else 2 if r < grade_cum[2] else 3]
                r = rng.random()
                source = sources[bisect.bisect(source_cum, r)]
                accept_s, complete_s = limits[(item["id"], grade)]
                age = now - t

                # Open or finished? Recent events are mostly open; a few old ones are stuck.
                if age < 2 * DAY:
                    p_open = 0.6
                elif age < 10 * DAY:
                    p_open = 0.25
                elif age < 30 * DAY:
                    p_open = 0.08
                else:
                    p_open = 0.012
                if rng.random() < p_open:
                    status = open_states[bisect.bisect(open_cum, rng.random())]
                else:
                    status = "rejected" if rng.random() < 0.04 else "closed"
                stage = stage_of.get(status, 99)
                self_handled = status == "closed" and item["self_handle"] and rng.random() < 0.45
                reporter = self.reporter_user.get(township.id)
                dispatcher = self.dispatcher_user[township.id]
                office = self.township_office[township.id]
                escalated = status == "escalated" or (
                    grade in ("major", "emergency") and stage >= 2 and rng.random() < 0.5
                )
                if escalated:
                    dispatcher = self.supervisor_user[county.id]
                if rng.random() < 0.7:
                    lead = self.department_org.get((county.id, item["department"]), office)
                else:
                    lead = office
                handler = self.handler_user.get(lead)

                # Timeline times, seconds.
                reported = t
                discovered = t - rng.randrange(2 * HOUR)
                accepted = dispatched = signed = result = closed = None
                late = rng.random() < 0.08
                if status == "rejected":
                    accepted = None
                    closed = reported + rng.randrange(600, 8 * HOUR)
                elif self_handled:
                    result = reported + rng.randrange(600, 4 * HOUR)
                    closed = result + rng.randrange(600, 12 * HOUR)
                else:
                    if stage >= 2:
                        accepted = reported + rng.randrange(300, 4 * HOUR)
                    if stage >= 3:
                        dispatched = accepted + rng.randrange(60, 2 * HOUR)
                    if stage >= 4:
                        a = accept_s or 8 * HOUR
                        signed = dispatched + int(
                            a * (rng.uniform(1.05, 2.0) if late and rng.random() < 0.3 else rng.uniform(0.05, 0.9))
                        )
                    if stage >= 6:
                        c = complete_s or 5 * DAY
                        result = signed + int(c * (rng.uniform(1.02, 1.8) if late else rng.uniform(0.1, 0.95)))
                    if stage >= 8:
                        closed = result + rng.randrange(600, 24 * HOUR)
                # Keep every step in the past (recent events were compressed into less time).
                last = max(x for x in (reported, accepted, dispatched, signed, result, closed) if x is not None)
                if last > now - 60:
                    k = (now - 60 - reported) / (last - reported) if last > reported else 0

                    def squash(x, k=k, reported=reported):
                        return None if x is None else reported + int((x - reported) * k)

                    accepted, dispatched, signed, result, closed = map(
                        squash, (accepted, dispatched, signed, result, closed)
                    )

                # Clocks.
                accept_due = accept_warn = complete_due = complete_warn = next_alert = suspended = None
                alert_level = "none"
                alerts = []
                if dispatched is not None and accept_s:
                    accept_due = dispatched + accept_s
                    accept_warn = dispatched + int(accept_s * 0.75)
                if signed is not None and complete_s:
                    complete_due = signed + complete_s
                    complete_warn = signed + int(complete_s * 0.75)
                open_ = stage < 8
                if complete_due is not None:
                    done = result if result is not None else now
                    if done >= complete_warn:
                        alerts.append(("complete_warning", complete_due, complete_warn))
                        alert_level = "yellow"
                    if done >= complete_due:
                        alerts.append(("complete_overdue", complete_due, complete_due))
                        alert_level = "red"
                    if open_ and result is None:
                        next_alert = (
                            complete_warn if now < complete_warn else complete_due if now < complete_due else None
                        )
                elif accept_due is not None:
                    done = signed if signed is not None else now
                    if done >= accept_warn:
                        alerts.append(("accept_warning", accept_due, accept_warn))
                        alert_level = "yellow"
                    if done >= accept_due:
                        alerts.append(("accept_overdue", accept_due, accept_due))
                        alert_level = "red"
                    if open_ and signed is None:
                        next_alert = accept_warn if now < accept_warn else accept_due if now < accept_due else None
                if status == "suspended":
                    suspended = signed + (now - signed) // 2
                    next_alert = None
                if not open_ and status == "closed" and not self_handled and alert_level == "none":
                    pass
                urge = 1 if alert_level == "red" and rng.random() < 0.5 else 0

                # Event row.
                code = ((eid * 0x9E3779B97F4A7C15) ^ mix) & mask
                tracking = "".join(alphabet[(code >> (5 * k)) & 31] for k in range(12))
                lat = lon = wlat = wlon = NULL
                datum = ""
                if rng.random() < 0.7:
                    lat = f"{29.70 + rng.random() * 0.5:.6f}"
                    lon = f"{121.30 + rng.random() * 0.6:.6f}"
                    datum = "gcj02"
                    # the WGS 84 pair as the report service computes it (events.positions)
                    wlat, wlon = (repr(v) for v in canonical_position(lat, lon, datum))
                public = source in ("public_demand", "complaint")
                has_lead = dispatched is not None and not self_handled
                last_change = closed or result or signed or dispatched or accepted or reported
                ev_add(
                    [
                        str(eid),
                        f"E{ts(reported)[:10].replace('-', '')}{eid:08d}",
                        tracking,
                        str(item["id"]),
                        str(item["id"]),
                        str(item["category"]),
                        grade,
                        status,
                        source,
                        "county" if escalated else "township",
                        str(area_id),
                        str(township.id),
                        str(county.id),
                        enc(f"{grid.name}{item['name']}"),
                        enc(f"{grid.name}发现{item['name']}情况，请及时处理。"),
                        enc(f"{grid.parent.name}{rng.randint(1, 200)}号"),
                        lat,
                        lon,
                        datum,
                        wlat,
                        wlon,
                        str(reporter) if reporter and source in ("staff", "patrol") else NULL,
                        "市民" if public else "",
                        f"13{rng.randrange(10**9):09d}" if public else "",
                        f"12345-{eid}" if source == "external" else "",
                        ts(discovered),
                        ts(reported),
                        ts(accepted),
                        ts(dispatched),
                        ts(signed),
                        ts(result),
                        ts(closed),
                        str(lead) if has_lead else NULL,
                        "invalid" if status == "rejected" else "",
                        "t" if self_handled else "f",
                        ts(accept_due),
                        ts(accept_warn),
                        ts(complete_due),
                        ts(complete_warn),
                        ts(suspended),
                        ts(next_alert),
                        "1" if has_lead else "0",
                        alert_level,
                        str(urge),
                        str(2 + stage if stage < 99 else 4),
                        ts(reported),
                        ts(last_change),
                    ]
                )

                # Dispatch rows.
                if has_lead:
                    active = "t" if open_ else "f"
                    dis_add(
                        [
                            str(eid),
                            str(lead),
                            "lead",
                            "1",
                            str(dispatcher),
                            ts(dispatched),
                            ts(accept_due),
                            ts(complete_due),
                            str(handler) if handler and signed else NULL,
                            ts(signed),
                            ts(result) if not open_ else NULL,
                            active,
                        ]
                    )
                    if rng.random() < 0.05:
                        co = (
                            office
                            if lead != office
                            else self.department_org.get((county.id, "public_security"), office)
                        )
                        dis_add(
                            [
                                str(eid),
                                str(co),
                                "co",
                                "1",
                                str(dispatcher),
                                ts(dispatched),
                                ts(accept_due),
                                ts(complete_due),
                                NULL,
                                NULL,
                                NULL,
                                active,
                            ]
                        )

                # Timeline (Action rows): 4–8 for a closed event.
                rep_name = names.get(reporter or 0, "市民")
                disp_name = names.get(dispatcher, "")
                steps = [
                    (
                        "report",
                        reporter if source in ("staff", "patrol") else None,
                        rep_name,
                        None,
                        reported,
                        "",
                        "reported",
                    )
                ]
                if status == "rejected":
                    steps.append(("reject", dispatcher, disp_name, office, closed, "reported", "rejected"))
                elif self_handled:
                    steps.append(("self_handle", reporter, rep_name, None, reported + 60, "reported", "handling"))
                    steps.append(("submit_result", reporter, rep_name, None, result, "handling", "result_submitted"))
                    if rng.random() < 0.5:
                        steps.append(
                            ("verify_pass", reporter, rep_name, None, closed - 30, "result_submitted", "verified")
                        )
                    steps.append(("close", reporter, rep_name, None, closed, "verified", "closed"))
                else:
                    if escalated:
                        steps.append(
                            (
                                "escalate",
                                self.dispatcher_user[township.id],
                                "",
                                office,
                                reported + 120,
                                "reported",
                                "escalated",
                            )
                        )
                    if accepted is not None:
                        steps.append(("accept", dispatcher, disp_name, office, accepted, "reported", "accepted"))
                    if dispatched is not None:
                        steps.append(("dispatch", dispatcher, disp_name, office, dispatched, "accepted", "dispatched"))
                    if signed is not None:
                        steps.append(
                            ("sign", handler, names.get(handler or 0, ""), lead, signed, "dispatched", "handling")
                        )
                    if alerts and len(steps) < 5:
                        stage_name, _due, fired = alerts[-1]
                        kind = "overdue" if stage_name.endswith("overdue") else "warning"
                        steps.append((kind, None, "系统", None, fired, "", ""))
                    if result is not None:
                        steps.append(
                            (
                                "submit_result",
                                handler,
                                names.get(handler or 0, ""),
                                lead,
                                result,
                                "handling",
                                "result_submitted",
                            )
                        )
                    if stage >= 7 and result is not None:
                        steps.append(
                            (
                                "verify_pass",
                                reporter,
                                rep_name,
                                None,
                                result + (closed - result if closed else 600) // 2,
                                "result_submitted",
                                "verified",
                            )
                        )
                    if closed is not None:
                        steps.append(("close", dispatcher, disp_name, office, closed, "verified", "closed"))
                for kind, actor, actor_name, org_id, at, frm, to in steps:
                    act_add(
                        [
                            str(eid),
                            kind,
                            str(actor) if actor else NULL,
                            actor_name,
                            str(org_id) if org_id else NULL,
                            ts(at),
                            frm,
                            to,
                            "",
                            empty,
                        ]
                    )
                for stage_name, due, fired in alerts:
                    alert_add([str(eid), stage_name, "1", ts(due), ts(fired)])
                if status == "closed" and rng.random() < 0.2:
                    r = rng.random()
                    score = 5 if r < 0.6 else 4 if r < 0.85 else 3 if r < 0.93 else 2 if r < 0.97 else 1
                    sat_add(
                        [
                            str(eid),
                            str(score),
                            rng.choice(comments),
                            ts(min(now - 1, closed + rng.randrange(HOUR, 2 * DAY))),
                        ]
                    )

        self.drop_indexes()
        global _CHUNK
        _CHUNK = chunk
        totals: dict[str, int] = {}
        if self.jobs > 1:
            self.conn.close()  # not shared with the forked workers
            with multiprocessing.get_context("fork").Pool(self.jobs) as pool:
                results = pool.map(_run_chunk, range(CHUNKS), chunksize=1)
            self.conn = self.connect()
        else:
            results = [chunk(c) for c in range(CHUNKS)]
        for counts in results:
            for name, n in counts.items():
                totals[name] = totals.get(name, 0) + n
        self.counts.update(totals)

    def finish(self, tables: tuple[str, ...] = EVENT_TABLES, everything: bool = True) -> None:
        """Sequences past the explicit ids; VACUUM (ANALYZE) `tables`, then ANALYZE the whole
        database unless `everything` is False."""
        from django.apps import apps

        with self.conn.cursor() as cur:
            # Sequences after explicit ids.
            for label in (*APPS, "auth"):
                for model in apps.get_app_config(label).get_models():
                    pk = model._meta.pk
                    if pk.get_internal_type() in ("AutoField", "BigAutoField"):
                        table = model._meta.db_table
                        cur.execute(
                            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{pk.column}'),"
                            f' COALESCE((SELECT MAX("{pk.column}") FROM "{table}"), 0) + 1, false)'
                        )
        self.conn.commit()
        self.conn.autocommit = True
        with self.conn.cursor() as cur:
            for table in tables:
                cur.execute(f'VACUUM (ANALYZE) "{table}"')
            if everything:
                cur.execute("ANALYZE")
        self.conn.autocommit = False

    def rollups(self) -> None:
        """The dashboards' rollups of the last `rollup_days` local days (what their windows read)."""
        import datetime as dt

        from django.utils import timezone

        from evaluation.rollups import rollup_refresh

        today = timezone.localdate(self.end)
        run = rollup_refresh(today - dt.timedelta(days=self.rollup_days - 1), today, now=self.end)
        self.counts["rollup rows"] = run.rows
        with self.conn.cursor() as cur:
            for table in ("evaluation_dailyrollup", "evaluation_countyrollup", "evaluation_gridrollup"):
                cur.execute(f'ANALYZE "{table}"')
        self.conn.commit()

    def ledger_rollups(self) -> None:
        """The ledger statistics' rollups of every grid and township (what the statistics of a
        village, township and above read), counted now; the load's marks are then spent."""
        from ledgers.rollups import rollup_refresh

        self.counts["ledger rollup grids"] = rollup_refresh(full=True)


CHUNKS = 10
_CHUNK = None


def seal_staff_contacts(conn) -> int:
    """Encrypt the staff's mobile and ID numbers COPYed in plain (and fill their blind
    indexes), as `personnel.models.Staff`'s encrypted fields store them; returns how many
    rows it sealed. `conn`: a psycopg connection or Django's `connection`. Idempotent: rows
    already sealed (`kid$…`) are left alone. Without it every page listing a generated grid
    worker's assignment failed to decrypt (500), so the grid leaders could not pass the
    second factor (bench/run.py's report row answered 403). bench/run.py calls it too, for
    databases generated before it existed."""
    from ningbo_grid.crypto import encrypt, keyed_hash
    from ningbo_grid.keys import SEPARATOR

    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, mobile, id_number FROM personnel_staff WHERE mobile <> '' AND strpos(mobile, %s) = 0",
            [SEPARATOR],
        )
        rows = [
            (encrypt(mobile), keyed_hash(mobile), encrypt(idn) if idn else "", keyed_hash(idn) if idn else "", pk)
            for pk, mobile, idn in cur.fetchall()
        ]
        cur.executemany(
            "UPDATE personnel_staff SET mobile = %s, mobile_hash = %s, id_number = %s, id_number_hash = %s"
            " WHERE id = %s",
            rows,
        )
    conn.commit()
    return len(rows)


def _run_chunk(c: int) -> dict[str, int]:
    return _CHUNK(c)


def _cumulative(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200_000, help="number of events (default 200000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--end",
        type=lambda s: datetime.fromisoformat(s).replace(tzinfo=UTC),
        default=None,
        help="end of the two-year span, UTC (default: now, to the minute)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for events and ledgers (default 2)")
    parser.add_argument("--districts", type=int, default=None, help="only the first N districts (small runs)")
    parser.add_argument(
        "--rollup-days",
        type=int,
        default=35,
        help="build the dashboard rollups of the last N days (default 35: the 30-day window; 0: none;"
        " `manage.py rollup_rebuild` does all history, slowly at 5M events)",
    )
    parser.add_argument(
        "--persons", type=int, default=0, help="ledger residents (bench/ledgers.py; 9700000 is the city; 0: none)"
    )
    parser.add_argument("--visits-per-person", type=float, default=2.0, help="ledger visits per resident (default 2)")
    parser.add_argument(
        "--province", action="store_true", help="a whole province's tree (Zhejiang) instead of the city; tree only"
    )
    parser.add_argument(
        "--ledgers-only",
        action="store_true",
        help="replace only the ledgers (--persons) of a city generated before, keeping its events;"
        " give that run's --end so the visits fall in the span of its events",
    )
    args = parser.parse_args(argv)
    import django

    django.setup()
    end = args.end or datetime.now(UTC).replace(second=0, microsecond=0)
    generator = Generator(
        events=args.events,
        seed=args.seed,
        end=end,
        jobs=args.jobs,
        districts=args.districts,
        rollup_days=args.rollup_days,
        persons=args.persons,
        visits_per_person=args.visits_per_person,
        province=args.province,
    )
    if args.ledgers_only:
        if not args.persons:
            parser.error("--ledgers-only needs --persons")
        generator.run_ledgers()
    else:
        generator.run()


if __name__ == "__main__":
    main()
