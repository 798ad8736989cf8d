"""Fixtures of the catalogue tests: a tree, the authorities' and staffing offices' users, items.

`people` holds: `city_admin` (manage_catalog on the city), `city_staffing`
(cosign_catalog on the city), `district_admin` / `district_staffing` (the same on
海曙区), `other_admin` (manage_catalog on 江北区) and `outsider` (no grant).
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine

from catalog.choices import ItemKind, TimeUnit
from catalog.services.entry import item_propose, version_cosign, version_publish, version_review
from catalog.services.exits import item_exit_approve, item_exit_cosign, item_exit_propose
from catalog.services.rules import rules_from_general
from tests.factories import UserFactory
from tests.scenario import grant, make_tree

TZ = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 11, 30)


def at(day: datetime.date, hour: int = 10):
    """An aware local datetime on `day` for time-machine."""
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


@dataclass
class People:
    city_admin: object
    city_staffing: object
    district_admin: object
    district_staffing: object
    other_admin: object
    outsider: object


@pytest.fixture
def today():
    """Freeze the clock on TODAY (local), so effective dates are predictable."""
    with time_machine.travel(at(TODAY), tick=False):
        yield TODAY


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def people(tree):
    def user(name, perm=None, node=None):
        u = UserFactory(username=name)
        if perm:
            grant(u, node, perm)
        return u

    return People(
        city_admin=user("city_admin", "manage_catalog", tree.city),
        city_staffing=user("city_staffing", "cosign_catalog", tree.city),
        district_admin=user("district_admin", "manage_catalog", tree.county),
        district_staffing=user("district_staffing", "cosign_catalog", tree.county),
        other_admin=user("other_admin", "manage_catalog", tree.county2),
        outsider=user("outsider"),
    )


def content(**overrides) -> dict:
    """Valid content of an event item (category 4, 民政)."""
    data = {
        "name": "邻里纠纷",
        "name_en": "Neighbour disputes",
        "category": 4,
        "kind": ItemKind.EVENT,
        "department": "civil_affairs",
        "description": "",
        "guidance": "先行调解",
        "supporting_units": "",
        "self_handle": True,
        "attributes": [],
    }
    return data | overrides


def rules(accept=8, complete=5, unit=TimeUnit.WORKING_DAY, kind=ItemKind.EVENT) -> list[dict]:
    return rules_from_general(kind, accept, complete, unit)


def propose(actor, **kw):
    """Propose a city event item (or a new version with item=…) with default content and rules."""
    c = content(**kw.pop("content", {}))
    return item_propose(actor=actor, content=c, rules=kw.pop("rules", rules(kind=c["kind"])), **kw)


def publish_new(people, effective_date, *, admin=None, staffing=None, **kw):
    """Take a proposal through review, co-sign and publication; returns the published version."""
    admin, staffing = admin or people.city_admin, staffing or people.city_staffing
    version = propose(admin, **kw)
    version_review(actor=admin, version=version, opinion="同意")
    version_cosign(actor=staffing, version=version, opinion="会签同意")
    return version_publish(actor=admin, version=version, effective_date=effective_date)


def retire(people, item, effective_date, *, reasons="职能调整"):
    """Take an exit through proposal, the staffing office's co-signature and approval; returns the exit."""
    item_exit = item_exit_propose(actor=people.city_admin, item=item, reasons=reasons)
    item_exit_cosign(actor=people.city_staffing, item_exit=item_exit, opinion="会签同意")
    return item_exit_approve(actor=people.city_admin, item_exit=item_exit, effective_date=effective_date)


def publish_district(people, tree, effective_date, **kw):
    """A 海曙区 district item taken through its district authority and staffing office."""
    return publish_new(
        people,
        effective_date,
        admin=people.district_admin,
        staffing=people.district_staffing,
        level="district",
        district=tree.county,
        **kw,
    )
