"""Demo ledgers for `manage.py seed_demo`: the city's care tags and, in `gridworker`'s grid,
standard addresses, dwellings, households, residents (with care tags) and units, plus a
few overdue visits for `gridworker`. Everything is generated (valid check digits, never
real persons' data) from the seeded `rng`, and written through the services and the
XLSX importer's batched path. Safe to run twice (skips what exists)."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from grids.choices import Level
from personnel.demo import GIVEN, SURNAMES
from personnel.models import Assignment, Organisation
from personnel.validators import id_check_digit

from . import places, services, visits
from .choices import AddressKind, DwellingUse, Relation, Sensitivity
from .importing import import_persons
from .models import Address, CareTag, Household, LedgerGrant, Person
from .validators import USCC_CHARS, uscc_check_char

#: The city's care tags: code, name, days between visits, sensitivity.
CITY_TAGS = [
    ("lonely-elder", "独居老人", 30, Sensitivity.NORMAL),
    ("disabled", "残疾人", 60, Sensitivity.NORMAL),
    ("left-behind-child", "留守儿童", 60, Sensitivity.NORMAL),
    ("subsistence", "低保", 90, Sensitivity.SENSITIVE),
    ("veteran", "退役军人", 180, Sensitivity.NORMAL),
    ("community-correction", "社区矫正", 7, Sensitivity.RESTRICTED),
]
#: Which department's systems read which tags and fields (LedgerGrant).
GRANTS = {
    "宁波市民政局": (
        ["lonely-elder", "disabled", "left-behind-child", "subsistence"],
        ["name", "sex", "birth_date", "residence", "tags"],
    ),
    "宁波市公安局": (["community-correction"], ["name", "id_number", "residence", "tags"]),
}
ROADS = ["中山西路", "解放南路", "镇明路", "县前街", "孝闻街", "柳汀街", "望春路", "段塘路"]


def fake_person(rng, district: str = "330203", born_from: int = 1935, born_to: int = 2020) -> dict:
    """A generated resident: name, resident ID (GB 11643 check digit), mobile, registration."""
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    birth = datetime.date(born_from, 1, 1) + datetime.timedelta(days=rng.randrange((born_to - born_from) * 365))
    first17 = f"{district}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    registration = rng.choices(["户籍人口", "流动人口", "境外人员"], weights=[64, 35, 1])[0]
    mobile = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" if birth.year < 2010 else ""
    return {
        "name": name,
        "id_number": first17 + id_check_digit(first17),
        "mobile": mobile,
        "registration": registration,
    }


def fake_uscc(rng) -> str:
    """A generated unified social credit code with a valid GB 32100 check character."""
    first17 = "91330203" + "".join(rng.choice(USCC_CHARS) for _ in range(9))
    return first17 + uscc_check_char(first17)


def _tags() -> dict[str, CareTag]:
    for code, name, days, sensitivity in CITY_TAGS:
        CareTag.objects.get_or_create(
            code=code, defaults={"name": name, "visit_every_days": days, "sensitivity": sensitivity}
        )
    for org_name, (codes, fields) in GRANTS.items():
        org = Organisation.objects.filter(name=org_name).first()
        if org is not None:
            grant, _created = LedgerGrant.objects.get_or_create(organisation=org, defaults={"fields": fields})
            grant.tags.set(CareTag.objects.filter(code__in=codes))
    return {t.code: t for t in CareTag.objects.all()}


def _rooms(actor, micro, rng, road: str) -> list[Address]:
    road_ = places.address_create(actor=actor, area=micro, kind=AddressKind.ROAD, name=road)
    rooms, base = [], rng.randint(1, 100) * 2
    for door in range(1, 3):
        door_ = places.address_create(actor=actor, parent=road_, kind=AddressKind.DOOR, name=f"{base + door}号")
        for building in range(1, 3):
            b = places.address_create(actor=actor, parent=door_, kind=AddressKind.BUILDING, name=f"{building}幢")
            for floor in range(1, 6):
                for room in (1, 2):
                    rooms.append(
                        places.address_create(actor=actor, parent=b, kind=AddressKind.ROOM, name=f"{floor}0{room}室")
                    )
    return rooms


def _residents(rooms, rng, tags) -> list[tuple[int, dict]]:
    rows, line = [], 1
    for room in rooms:
        if rng.random() < 0.1:
            continue  # vacant
        for n in range(rng.choice((1, 1, 2, 2, 3, 3, 4))):
            line += 1
            person = fake_person(rng)
            born = int(person["id_number"][6:10])
            chosen = []
            if born < 1955 and rng.random() < 0.35:
                chosen.append("独居老人")
            if rng.random() < 0.03:
                chosen.append(rng.choice(["残疾人", "低保", "退役军人"]))
            if born > 2010 and rng.random() < 0.1:
                chosen.append("留守儿童")
            if rng.random() < 0.005:
                chosen.append("社区矫正")
            relation = Relation.HEAD.label if n == 0 else rng.choice(["配偶", "子女", "父母"])
            rows.append((line, {**person, "address": room.code, "relation": str(relation), "tags": "、".join(chosen)}))
    return rows


def _housing(actor, rooms, rng) -> int:
    """Give the rooms a floor area and a use: empty ones vacant, about one in five of the
    others rented to those living there (owned by one of the grid's residents). Returns
    how many are rented; `gridworker` edits them on the household page."""
    residents: dict[int, list[Person]] = {}
    for person in Person.objects.filter(residence__in=rooms).order_by("id"):
        residents.setdefault(person.residence_id, []).append(person)
    owners = [people[0] for people in residents.values()]
    today, rented = timezone.localdate(), 0
    for room in rooms:
        people = residents.get(room.pk, [])
        values: dict = {"floor_area": Decimal(rng.randrange(4500, 14000)) / 100}
        if not people:
            values["use"] = DwellingUse.VACANT
        elif rng.random() < 0.2:
            start = today - datetime.timedelta(days=rng.randrange(30, 700))
            owner = rng.choice([o for o in owners if o.residence_id != room.pk] or owners)
            values |= {"use": DwellingUse.RENTED, "owner": owner, "tenants": people}
            values |= {"rental_registered_on": start, "rental_ends_on": start + datetime.timedelta(days=730)}
            rented += 1
        else:
            values |= {"use": DwellingUse.OWNER, "owner": people[0]}
        places.dwelling_update(actor=actor, dwelling=room.dwelling, version=None, **values)
    return rented


def seed(*, scale, rng, stdout):
    """Seed the demo ledgers (see module docstring)."""
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["gridworker", "admin"])}
    tags = _tags()
    if len(users) < 2:
        stdout.write("  ledgers: care tags only — the personnel demo users do not exist")
        return
    worker, admin = users["gridworker"], users["admin"]
    assignment = Assignment.objects.current().filter(staff__user=worker, area__level=Level.GRID).first()
    if assignment is None:
        stdout.write("  ledgers: care tags only — gridworker has no grid")
        return
    micros = list(assignment.area.get_children().filter(level=Level.MICRO_GRID, status="active").order_by("code")[:6])
    if Address.objects.filter(area__in=micros).exists():
        stdout.write("  ledgers: demo ledgers already there")
        return
    rooms = []
    for micro, road in zip(micros, rng.sample(ROADS, len(micros)), strict=False):
        rooms += _rooms(admin, micro, rng, road)
    report = import_persons(actor=admin, rows=_residents(rooms, rng, tags))
    rented = _housing(admin, rooms, rng)
    for room in rng.sample(rooms, 8):
        services.unit_register(
            actor=admin,
            name=rng.choice(["便利店", "小餐馆", "理发店", "五金店", "快递驿站"]),
            kind="shop",
            address=room,
            uscc=fake_uscc(rng),
            legal_representative=fake_person(rng)["name"],
            safety_class=rng.choice(["nine_small", "general"]),
        )
    now = timezone.now()
    targets = list(Person.objects.filter(area__in=micros, next_visit_due__isnull=False).order_by("id"))
    for n, person in enumerate(targets[:12]):
        household = Household.objects.filter(pk=person.household_id).first()
        days_ago = 45 if n < 5 else 3  # five overdue, the rest visited lately
        visits.visit_record(
            actor=worker,
            target=household or person,
            visited_at=now - datetime.timedelta(days=days_ago, hours=rng.randint(1, 6)),
            findings=rng.choice(["身体状况良好", "家中无异常", "反映楼道灯不亮", ""]),
        )
    stdout.write(
        f"  ledgers: {len(rooms)} rooms ({rented} rented), {report.created} residents "
        f"({len(report.errors)} rows refused), "
        f"{len(targets)} care targets in {assignment.area.name}"
    )
