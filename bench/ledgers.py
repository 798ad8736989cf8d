"""The ledgers' phase of bench/generate.py (`--persons N`): 一标三实 at Ningbo's density.

Ningbo: 9.70 M residents, ~4 M dwellings, ~3 M households, ~1 M units on ~100,000
micro-grids, i.e. per micro-grid ~97 persons, ~40 dwellings, ~30 households, ~10 units.
`--persons N` fills whole micro-grids at that density, in tree order (so the first
townships are complete, as they would be at full size: a township's name search and a
grid's residents list see their real row counts), with `--visits-per-person` visits
(20 M visits / 9.7 M persons ≈ 2) over the two years before the end.

Personal data are written as the platform writes them: ID numbers and mobiles SM4-GCM
encrypted with their HMAC-SM3 look-up hashes (`ningbo_grid.crypto`'s own functions), so
the load's cost includes the encryption.

Parallel and deterministic: the micro-grids are cut into slices loaded by `--jobs`
forked workers, each slice one transaction of COPYs on the worker's own connection.
Every micro-grid draws from its own seeded random stream, and its rows' keys follow
from its position in tree order (micro-grid i owns addresses i·47+1 … i·47+47, persons
i·97+1 …), so the same `--seed` gives the same rows whatever `--jobs` is and slices
never collide. Resident ID numbers are unique city-wide without coordination: the n-th
resident of a district gets slot (n·stride + offset) mod (days × 1000) of its district's
birth dates × 3-digit sequence numbers, a bijection. The ledger tables' secondary
indexes and constraints are dropped before the load and rebuilt after it
(`Generator.drop_indexes` / `restore_indexes`, as for the events).
"""

import itertools
import multiprocessing
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bench.copyload import NULL, Copier, Timestamps

PER_MICRO = {"persons": 97, "rooms": 40, "households": 30, "units": 10}
DOORS, BUILDINGS = 2, 2  # per micro-grid, buildings per door; the rooms share the buildings
ADDRESSES = 1 + DOORS + DOORS * BUILDINGS + PER_MICRO["rooms"]  # road, doors, buildings, rooms
TAG_SHARE = 0.12  # care targets among residents (21 % are 60+, some of them live alone …)
REGISTRATION = (("registered", 0.64), ("migrant", 0.99), ("foreign", 1.0))
TABLES = (
    "ledgers_address",
    "ledgers_dwelling",
    "ledgers_household",
    "ledgers_person",
    "ledgers_persontag",
    "ledgers_unit",
    "ledgers_visit",
)
BORN_FROM, BORN_YEARS = date(1935, 1, 1), 85
ID_SLOTS = BORN_YEARS * 365 * 1000  # birth days × 3-digit sequence numbers in one district
ID_STRIDE = 7_368_787  # coprime with ID_SLOTS, so n ↦ n·stride mod ID_SLOTS is a bijection
SLICE_MAX = 250  # micro-grids per slice (~24,000 residents, one transaction)


@dataclass
class Plan:
    """What every slice needs, built once before the workers fork."""

    seed: int
    micros: list[tuple[int, str, int, int]]  # (id, code, township id, ordinal in its district)
    visits: int  # per micro-grid
    end_s: int  # epoch seconds
    worker: int
    tag_days: list[int]  # by tag id − 1
    copiers: dict[str, Copier]
    connect: Callable[[], Any]  # a new psycopg connection (Generator.connect)
    log: Callable[[str], None] = print  # one line of progress
    id_offset: dict[str, int] = field(default_factory=dict)  # district code → slot offset

    def slices(self, jobs: int) -> list[range]:
        """Near-equal micro-grid ranges: at least 4 per job, at most SLICE_MAX micro-grids each."""
        n = len(self.micros)
        count = max(4 * jobs, -(-n // SLICE_MAX))
        bounds = [n * s // count for s in range(count + 1)]
        return [range(a, b) for a, b in itertools.pairwise(bounds) if b > a]


_PLAN: Plan | None = None
_BIRTHS = [(BORN_FROM + timedelta(days=d)) for d in range(BORN_YEARS * 365)]
_BIRTH_TEXT = [(b.strftime("%Y%m%d"), b.isoformat(), b.year) for b in _BIRTHS]


def load(gen, persons: int, visits_per_person: float = 2.0) -> dict[str, int]:
    """Empty the ledgers and load ~`persons` residents and everything around them over
    `gen.jobs` workers; `gen` is the bench Generator (connection, clock, seed). The ledger
    tables' indexes are left dropped for `gen.restore_indexes()`. Returns row counts."""
    from ledgers.demo import CITY_TAGS
    from ledgers.models import Address, Dwelling, Household, Person, PersonTag, Unit, Visit

    global _PLAN
    with gen.conn.cursor() as cur:
        emptied = ", ".join(
            (*TABLES, "ledgers_caretag", "ledgers_addresscounter", "ledgers_ledgerrollup", "ledgers_rollupmark")
        )
        cur.execute(f"TRUNCATE {emptied} RESTART IDENTITY CASCADE")
        for i, (code, name, days, sensitivity) in enumerate(CITY_TAGS, start=1):
            cur.execute(
                "INSERT INTO ledgers_caretag (id, code, name, visit_every_days, sensitivity, is_active)"
                " VALUES (%s, %s, %s, %s, %s, true)",
                [i, code, name, days, sensitivity],
            )
    gen.conn.commit()
    gen.drop_indexes(TABLES)
    now = gen.now
    cols = {
        "addresses": (Address, ["id", "code", "parent_id", "kind", "name", "full_text", "area_id", "township_id"]),
        "dwellings": (Dwelling, ["address_id", "use"]),
        "households": (Household, ["id", "address_id", "head_id", "area_id", "township_id"]),
        "persons": (Person, PERSON_COLUMNS),
        "care targets": (PersonTag, ["person_id", "tag_id", "since"]),
        "units": (Unit, ["id", "name", "kind", "address_id", "safety_class", "area_id", "township_id"]),
        "visits": (Visit, ["id", "household_id", "area_id", "township_id", "visited_at", "visitor_id"]),
    }
    wanted = max(1, persons // PER_MICRO["persons"])
    micros = _micros(gen.conn, wanted)
    if len(micros) < wanted:  # the city's tree has 98,156: --persons 9700000 gives 9,521,132
        print(f"  only {len(micros):,} micro-grids: {len(micros) * PER_MICRO['persons']:,} residents", file=gen.out)
    plan = _PLAN = Plan(
        seed=gen.seed,
        micros=micros,
        visits=int(PER_MICRO["persons"] * visits_per_person),
        end_s=int(now.timestamp()),
        worker=_a_worker(gen),
        tag_days=[days for _c, _n, days, _s in CITY_TAGS],
        copiers={key: Copier(model, provided, now) for key, (model, provided) in cols.items()},
        connect=gen.connect,
        log=lambda message: print(message, file=gen.out, flush=True),
    )
    for district in sorted({code[:6] for _id, code, _t, _o in micros}):
        plan.id_offset[district] = random.Random(f"{gen.seed}:ledger-ids:{district}").randrange(ID_SLOTS)
    slices = plan.slices(gen.jobs)
    if gen.jobs > 1:
        gen.conn.close()  # not shared with the forked workers
        with multiprocessing.get_context("fork").Pool(gen.jobs) as pool:
            results = pool.map(_load_slice, slices, chunksize=1)
        gen.conn = gen.connect()
    else:
        results = [_load_slice(s) for s in slices]
    counts = {key: sum(r[key] for r in results) for key in cols}
    with gen.conn.cursor() as cur, cur.copy("COPY ledgers_addresscounter (prefix, last) FROM STDIN") as copy:
        for _id, code, _t, _o in micros:
            copy.write(f"{code}\t{ADDRESSES}\n")
    gen.conn.commit()
    return counts


PERSON_COLUMNS = [
    "id",
    "name",
    "doc_type",
    "id_number",
    "id_number_hash",
    "sex",
    "birth_date",
    "mobile",
    "mobile_hash",
    "registration",
    "residence_id",
    "household_id",
    "relation",
    "area_id",
    "township_id",
    "last_visited_at",
    "next_visit_due",
]


def _micros(conn, count: int) -> list[tuple[int, str, int, int]]:
    """The first `count` micro-grids in tree order: (id, code, township id, ordinal in district)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT m.id, m.code, t.id FROM grids_area m"
            " JOIN grids_area t ON t.level = 'township' AND t.tree_id = m.tree_id AND m.lft BETWEEN t.lft AND t.rght"
            " WHERE m.level = 'micro_grid' ORDER BY m.tree_id, m.lft LIMIT %s",
            [count],
        )
        rows = cur.fetchall()
    seen: dict[str, int] = {}
    out = []
    for micro_id, code, township in rows:
        ordinal = seen.get(code[:6], 0)
        seen[code[:6]] = ordinal + 1
        out.append((micro_id, code, township, ordinal))
    return out


def _load_slice(micros: range) -> dict[str, int]:
    """Generate and COPY the micro-grids `micros` (indexes into the plan) in one transaction;
    logs the slice's wall and CPU seconds (this process's: generation and encryption)."""
    plan = _PLAN
    if plan is None:
        raise RuntimeError("load() sets the plan before the slices run")
    wall, cpu = time.perf_counter(), time.process_time()
    lines: dict[str, list[str]] = {key: [] for key in plan.copiers}
    stamp = Timestamps()
    for i in micros:
        _micro(plan, i, lines, stamp)
    conn = plan.connect()
    with conn.cursor() as cur:
        for key, copier in plan.copiers.items():
            with cur.copy(copier.sql) as copy:
                rows = lines[key]
                for at in range(0, len(rows), 5000):
                    copy.write("".join(rows[at : at + 5000]))
    conn.commit()
    conn.close()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    plan.log(f"  micro-grids {micros.start:,}–{micros.stop - 1:,}: {wall:.1f} s, CPU {cpu:.1f} s")
    return {key: len(rows) for key, rows in lines.items()}


def _micro(plan: Plan, i: int, out: dict[str, list[str]], stamp: Timestamps) -> None:
    """Append the COPY lines of micro-grid `i`: its addresses, dwellings, households,
    residents (encrypted as the platform does), care targets, units and visits."""
    from ledgers.demo import GIVEN, SURNAMES
    from ningbo_grid.crypto import current_key_id, encrypt, keyed_hash
    from personnel.validators import id_check_digit

    micro_id, code, township, ordinal = plan.micros[i]
    c = plan.copiers
    rng = random.Random(f"{plan.seed}:ledgers:{i}")
    where = [str(micro_id), str(township)]
    sizes = (ADDRESSES, PER_MICRO["households"], PER_MICRO["persons"], PER_MICRO["units"], plan.visits)
    aid, hid, pid, uid, vid = (i * n for n in sizes)
    addresses, dwellings = out["addresses"], out["dwellings"]

    def address(parent: int | None, kind: str, name: str, text: str) -> int:
        nonlocal aid
        aid += 1
        seq = aid - i * ADDRESSES
        parent_text = str(parent) if parent else NULL
        addresses.append(c["addresses"].line([str(aid), f"{code}{seq:06d}", parent_text, kind, name, text, *where]))
        return aid

    road_name = f"路{code[-6:]}"
    road = address(None, "road", road_name, road_name)
    rooms = []
    per_building = PER_MICRO["rooms"] // (DOORS * BUILDINGS)
    for door in range(1, DOORS + 1):
        door_text = f"{road_name}{door}号"
        door_id = address(road, "door", f"{door}号", door_text)
        for building in range(1, BUILDINGS + 1):
            b_text = f"{door_text}{building}幢"
            b_id = address(door_id, "building", f"{building}幢", b_text)
            for room in range(per_building):
                name = f"{room // 2 + 1}0{room % 2 + 1}室"
                room_id = address(b_id, "room", name, b_text + name)
                rooms.append(room_id)
                use = rng.choice(("owner", "owner", "rented", "vacant", "mixed"))
                dwellings.append(c["dwellings"].line([str(room_id), use]))
    homes = rng.sample(rooms, PER_MICRO["households"])
    for j, room in enumerate(homes):
        out["households"].append(c["households"].line([str(hid + j + 1), str(room), str(pid + j + 1), *where]))
    district = code[:6]
    offset = plan.id_offset[district]
    end_s, n_tags = plan.end_s, len(plan.tag_days)
    kid = current_key_id()
    persons, tags = out["persons"], out["care targets"]
    for k in range(PER_MICRO["persons"]):
        person = pid + k + 1
        slot = ((ordinal * PER_MICRO["persons"] + k) * ID_STRIDE + offset) % ID_SLOTS
        day, serial = divmod(slot, 1000)
        born, birth_date, year = _BIRTH_TEXT[day]
        first17 = f"{district}{born}{serial:03d}"
        number = first17 + id_check_digit(first17)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        r = rng.random()
        registration = next(kind for kind, upto in REGISTRATION if r < upto)
        mobile = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" if year < 2010 else ""
        j = k % len(homes)
        relation = "head" if k < len(homes) else rng.choice(("spouse", "child", "parent"))
        last = due = NULL
        if rng.random() < TAG_SHARE:
            tag = rng.randint(1, n_tags)
            seconds = end_s - rng.randrange(200 * 86400)
            last = stamp(seconds)
            due = stamp((seconds // 86400 + plan.tag_days[tag - 1]) * 86400)[:10]
            tags.append(c["care targets"].line([str(person), str(tag), "2024-01-01"]))
        persons.append(
            c["persons"].line(
                [
                    str(person),
                    name,
                    "resident_id",
                    encrypt(number, kid),
                    keyed_hash(number, kid),
                    "M" if serial % 2 else "F",  # the 17th digit, as ledgers.validators.id_facts reads it
                    birth_date,
                    encrypt(mobile, kid) if mobile else "",
                    keyed_hash(mobile, kid) if mobile else "",
                    registration,
                    str(homes[j]),
                    str(hid + j + 1),
                    relation,
                    *where,
                    last,
                    due,
                ]
            )
        )
    for u in range(1, PER_MICRO["units"] + 1):
        kind = rng.choice(("enterprise", "shop", "shop", "organisation"))
        safety = rng.choice(("general", "general", "nine_small", "key"))
        at_room = str(rng.choice(rooms))
        out["units"].append(c["units"].line([str(uid + u), f"单位{uid + u}", kind, at_room, safety, *where]))
    for v in range(1, plan.visits + 1):
        home = hid + rng.randrange(len(homes)) + 1
        at = stamp(end_s - rng.randrange(730 * 86400))
        out["visits"].append(c["visits"].line([str(vid + v), str(home), *where, at, str(plan.worker)]))


def _a_worker(gen) -> int:
    with gen.conn.cursor() as cur:
        cur.execute("SELECT id FROM auth_user WHERE username LIKE 'bench_grid_%%' ORDER BY id LIMIT 1")
        row = cur.fetchone()
    return row[0] if row else 1


def subjects() -> dict:
    """What bench/run.py measures on: the first grid with residents, its grid leader (a
    `bench_grid_` login), its township's dispatcher, a household, one resident's ID number
    and a name that occurs in the township. Empty when no ledgers were generated."""
    from django.contrib.auth import get_user_model

    from grids.models import Area
    from ledgers.models import Household, Person

    first = Person.objects.order_by("id").select_related("area__parent", "township").first()
    if first is None:
        return {}
    township = first.township
    user = (
        get_user_model()
        .objects.filter(username__startswith=f"bench_grid_{township.code[:9]}")
        .order_by("username")
        .first()
    )
    grid = Area.objects.filter(grants__user=user).first() if user else None
    if grid is None:
        return {}
    in_grid = Person.objects.filter(area__parent=grid).order_by("id")
    person = in_grid[len(in_grid) // 2] if in_grid.exists() else first
    return {
        "ledger_worker": user.username,
        "ledger_township": f"bench_township_{township.code[:9]}",
        "ledger_township_code": township.code,
        "ledger_grid": grid.code,
        "ledger_household": Household.objects.filter(area__parent=grid).order_by("id").first().pk,
        "ledger_id_number": person.id_number,
        "ledger_name": Person.objects.filter(township=township).order_by("id")[100].name,
    }


def time_import(username: str, rows: int = 10_000) -> list[list[str]]:
    """Import a 10,000-row XLSX of residents into the worker's grid (parsing included), in
    a transaction rolled back afterwards; one run. Returns bench/run.py result rows."""
    import io
    import time

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from openpyxl import Workbook

    from ledgers.demo import fake_person
    from ledgers.importing import COLUMNS, import_file
    from ledgers.models import Address

    user = get_user_model().objects.get(username=username)
    rooms = list(Address.objects.restrict(user).filter(kind="room").values_list("code", flat=True)[:200])
    rng = __import__("random").Random("bench-import")
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    header = list(COLUMNS["persons"])
    sheet.append(header)
    for n in range(rows):
        p = fake_person(rng, district="330299")  # a district code no generated person has
        sheet.append(
            [p["name"], "居民身份证", p["id_number"], p["registration"], p["mobile"], rooms[n % len(rooms)], "", ""]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    start = time.perf_counter()
    with transaction.atomic():
        buffer.seek(0)
        report = import_file(actor=user, kind="persons", file=buffer)
        took = time.perf_counter() - start
        transaction.set_rollback(True)
    rate = report.created / took if took else 0
    note = f"(1 run; {report.created:,} written, {len(report.errors)} refused; {rate:,.0f} rows/s)"
    return [[f"ledger: import of a {rows:,}-row XLSX", f"{took * 1000:.0f}", "–", note] + ["–"] * 5]
