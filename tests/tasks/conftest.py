"""The tasks tests' world: the events tests' world plus a temporary matter the district
authority approved for the law-enforcement department (Art. 19)."""

import datetime

import pytest

from catalog.models import TemporaryMatter
from tasks import services
from tests.events.conftest import clock, world  # noqa: F401  (fixtures)


@pytest.fixture
def matter(world):  # noqa: F811
    """An approved temporary matter over 海曙区, requested by its law-enforcement bureau."""
    return TemporaryMatter.objects.create(
        title="台风前小场所消防安全巡查",
        requesting_organisation=world.unit,
        approving_organisation=world.authority,
        approved_by=world.supervisor,
        area=world.tree.county,
        start=datetime.date(2020, 1, 1),
        end=datetime.date(2099, 12, 31),
    )


def issue(world, actor=None, **kw):  # noqa: F811
    """A task from the township's dispatcher to the township, on the city item, due in 2 working days."""
    kw.setdefault("title", "台风前入户排查")
    kw.setdefault("instructions", "逐户检查门窗、广告牌和危旧房屋。")
    kw.setdefault("areas", [world.tree.township])
    kw.setdefault("working_days", 2)
    if "temporary_matter" not in kw:
        kw.setdefault("item", world.item)
    return services.task_issue(actor=actor or world.dispatcher, **kw)


@pytest.fixture
def household(world):  # noqa: F811
    """A ledger household at a room in the grid's micro-grid (registered by its worker)."""
    from ledgers import places
    from ledgers import services as ledgers
    from ledgers.choices import AddressKind

    road = places.address_create(actor=world.leader, area=world.tree.micro_grid, kind=AddressKind.ROAD, name="中山东路")
    door = places.address_create(actor=world.leader, parent=road, kind=AddressKind.DOOR, name="12号")
    room = places.address_create(actor=world.leader, parent=door, kind=AddressKind.ROOM, name="301室")
    return ledgers.household_create(actor=world.worker, address=room)
