"""The ledgers' phase of bench/generate.py (`--persons N`): 一标三实 at Ningbo's density.

Ningbo: 9.70 M residents, ~4 M dwellings, ~3 M households, ~1 M units on ~100,000
micro-grids, i.e. per micro-grid ~97 persons, ~40 dwellings, ~30 households, ~10 units.
`--persons N` fills whole micro-grids at that density, in tree order (so the first
townships are complete, as they would be at full size: a township's name search and a
grid's residents list see their real row counts), with `--visits-per-person` visits
(20 M visits / 9.7 M persons ≈ 2) over the two years before the end.

Personal data are written as the platform writes them: ID numbers and mobiles SM4-GCM
encrypted with their HMAC-SM3 look-up hashes (`ningbo_grid.crypto`), so the load's cost
includes the encryption. Everything goes in with COPY; secondary indexes stay (the
tables start empty and are not huge per run).
"""

from datetime import date, timedelta

from bench.copyload import Copier, Stream, Timestamps, enc

PER_MICRO = {"persons": 97, "rooms": 40, "households": 30, "units": 10}
REGISTRATION = {"户籍人口": "registered", "流动人口": "migrant", "境外人员": "foreign"}
TAG_SHARE = 0.12  # care targets among residents (21 % are 60+, some of them live alone …)


def load(gen, persons: int, visits_per_person: float = 2.0) -> dict[str, int]:
    """Load ~`persons` residents and everything around them; `gen` is the bench Generator
    (its connection, tree nodes, clock, seed). Returns row counts."""
    from ledgers.demo import CITY_TAGS, fake_person
    from ledgers.models import Address, Dwelling, Household, Person, PersonTag, Unit, Visit
    from ledgers.validators import id_facts
    from ningbo_grid.crypto import encrypt, keyed_hash
    from personnel.validators import id_check_digit

    rng = gen.rng("ledgers")
    now = gen.now
    micros = [n for n in gen.nodes if n.level == "micro_grid"][: max(1, persons // PER_MICRO["persons"])]
    stamp = Timestamps()
    end_s = int(now.timestamp())
    counts: dict[str, int] = {}

    with gen.conn.cursor() as cur:
        for i, (code, name, days, sensitivity) in enumerate(CITY_TAGS, start=1):
            cur.execute(
                "INSERT INTO ledgers_caretag (id, code, name, visit_every_days, sensitivity, is_active)"
                " VALUES (%s, %s, %s, %s, %s, true)",
                [i, code, name, days, sensitivity],
            )
    tag_days = {i: days for i, (_c, _n, days, _s) in enumerate(CITY_TAGS, start=1)}

    streams = {
        "addresses": Stream(
            gen.conn,
            Copier(
                Address,
                ["id", "code", "parent_id", "kind", "name", "full_text", "area_id", "township_id", "is_active"],
                now,
            ),
        ),
    }
    addresses, dwellings, households, people, tags, units, visits = [], [], [], [], [], [], []
    aid = hid = pid = uid = 0
    seen_ids: set[str] = set()
    for micro in micros:
        township = micro.township.id
        aid += 1
        road = aid
        road_name = f"路{micro.code[-6:]}"
        addresses.append([str(aid), f"{micro.code}{1:06d}", "\\N", "road", road_name, road_name])
        rooms = []
        seq = 1
        for door in (1, 2):
            aid += 1
            seq += 1
            door_id, door_text = aid, f"{road_name}{door}号"
            addresses.append([str(aid), f"{micro.code}{seq:06d}", str(road), "door", f"{door}号", door_text])
            for building in (1, 2):
                aid += 1
                seq += 1
                b_id, b_text = aid, f"{door_text}{building}幢"
                code = f"{micro.code}{seq:06d}"
                addresses.append([str(aid), code, str(door_id), "building", f"{building}幢", b_text])
                for room in range(PER_MICRO["rooms"] // 4):
                    aid += 1
                    seq += 1
                    name = f"{room // 2 + 1}0{room % 2 + 1}室"
                    addresses.append([str(aid), f"{micro.code}{seq:06d}", str(b_id), "room", name, b_text + name])
                    rooms.append(aid)
                    dwellings.append([str(aid), rng.choice(("owner", "owner", "rented", "vacant", "mixed"))])
        for row in addresses[-(len(rooms) + 7) :]:
            row += [str(micro.id), str(township), "t"]
        homes = []
        for room in rng.sample(rooms, PER_MICRO["households"]):
            hid += 1
            homes.append((hid, room))
            households.append([str(hid), str(room), str(micro.id), str(township)])
        for k in range(PER_MICRO["persons"]):
            pid += 1
            fake = fake_person(rng, district=micro.code[:6])
            number = fake["id_number"]
            while number in seen_ids:
                first17 = number[:14] + f"{rng.randrange(1000):03d}"
                number = first17 + id_check_digit(first17)
            seen_ids.add(number)
            sex, birth = id_facts(number)
            home, room = homes[k % len(homes)]
            relation = "head" if k < len(homes) else rng.choice(("spouse", "child", "parent"))
            registration = REGISTRATION[fake["registration"]]
            tag = rng.randint(1, len(CITY_TAGS)) if rng.random() < TAG_SHARE else None
            last = end_s - rng.randrange(200 * 86400) if tag else None
            due = None
            if tag:
                due = (date.fromtimestamp(last) + timedelta(days=tag_days[tag])).isoformat()
                tags.append([str(pid), str(tag), "2024-01-01"])
            mobile = fake["mobile"]
            people.append(
                [
                    str(pid),
                    enc(fake["name"]),
                    "resident_id",
                    encrypt(number),
                    keyed_hash(number),
                    sex,
                    birth.isoformat(),
                    encrypt(mobile) if mobile else "",
                    keyed_hash(mobile) if mobile else "",
                    registration,
                    str(room),
                    str(home),
                    relation,
                    str(micro.id),
                    str(township),
                    stamp(last),
                    enc(due),
                ]
            )
        for _k in range(PER_MICRO["units"]):
            uid += 1
            units.append(
                [
                    str(uid),
                    enc(f"单位{uid}"),
                    rng.choice(("enterprise", "shop", "shop", "organisation")),
                    str(rng.choice(rooms)),
                    rng.choice(("general", "general", "nine_small", "key")),
                    str(micro.id),
                    str(township),
                ]
            )
        for _v in range(int(PER_MICRO["persons"] * visits_per_person)):
            home, _room = rng.choice(homes)
            visits.append([str(home), str(micro.id), str(township), stamp(end_s - rng.randrange(730 * 86400))])
        if len(addresses) > 20000:
            for row in addresses:
                streams["addresses"].add(row)
            addresses.clear()
    for row in addresses:
        streams["addresses"].add(row)
    counts["addresses"] = streams["addresses"].close()

    def copy(model, cols, rows, key):
        stream = Stream(gen.conn, Copier(model, cols, now))
        for row in rows:
            stream.add(row)
        counts[key] = stream.close()

    copy(Dwelling, ["address_id", "use"], dwellings, "dwellings")
    copy(Household, ["id", "address_id", "area_id", "township_id"], households, "households")
    person_cols = [
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
    copy(Person, person_cols, people, "persons")
    copy(PersonTag, ["person_id", "tag_id", "since"], tags, "care targets")
    copy(Unit, ["id", "name", "kind", "address_id", "safety_class", "area_id", "township_id"], units, "units")
    worker = _a_worker(gen)
    copy(
        Visit,
        ["household_id", "area_id", "township_id", "visited_at", "visitor_id"],
        ([*row, str(worker)] for row in visits),
        "visits",
    )
    with gen.conn.cursor() as cur:
        cur.execute(
            "UPDATE ledgers_household h SET head_id = p.id FROM ledgers_person p"
            " WHERE p.household_id = h.id AND p.relation = 'head'"
        )
        cur.execute(
            "INSERT INTO ledgers_addresscounter (prefix, last) SELECT LEFT(code, 18), MAX(RIGHT(code, 6)::int)"
            " FROM ledgers_address GROUP BY 1"
        )
    gen.conn.commit()
    return counts


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
