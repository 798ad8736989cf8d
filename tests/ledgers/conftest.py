"""A ledger world on the events tests' world: a second micro-grid, addresses, tags, persons."""

from dataclasses import dataclass

import pytest

from grids.choices import Level
from grids.models import Area
from ledgers import places, services
from ledgers.choices import AddressKind, Registration, Relation, Sensitivity
from ledgers.models import Address, CareTag, Household, Person
from personnel.validators import id_check_digit
from tests.events.conftest import clock, world  # noqa: F401  (fixtures)
from tests.scenario import World, make_area


def make_id(serial: int, birth: str = "19500101", area: str = "330203") -> str:
    """A valid resident ID number (GB 11643 check digit) for tests; never a real person's."""
    first17 = f"{area}{birth}{serial:03d}"
    return first17 + id_check_digit(first17)


@dataclass
class LedgerWorld:
    world: World
    micro: Area  # the worker's micro-grid
    micro2: Area  # a micro-grid of the sibling grid (worker2's)
    room: Address
    room2: Address
    household: Household
    elder: Person  # lives alone, 独居老人 (visit every 30 days)
    lonely: CareTag
    parole: CareTag  # restricted public-safety tag


def room_in(actor, micro: Area, road: str = "中山东路", door: str = "12号", room: str = "301室") -> Address:
    road_ = places.address_create(actor=actor, area=micro, kind=AddressKind.ROAD, name=road)
    door_ = places.address_create(actor=actor, parent=road_, kind=AddressKind.DOOR, name=door)
    return places.address_create(actor=actor, parent=door_, kind=AddressKind.ROOM, name=room)


def register_elder(actor, household: Household, lonely: CareTag) -> Person:
    """王阿婆, who lives alone at `household`'s address (head of it), tagged `lonely`."""
    return services.person_register(
        actor=actor,
        name="王阿婆",
        id_number=make_id(1, "19400312"),
        registration=Registration.REGISTERED,
        mobile="13912345678",
        household=household,
        relation=Relation.HEAD,
        tags=[lonely],
    )


@pytest.fixture
def lw(world) -> LedgerWorld:  # noqa: F811
    tree = world.tree
    micro2 = make_area(tree.grid2, Level.MICRO_GRID, "尹江岸第二网格1号微网格", suffix=1)
    lonely = CareTag.objects.create(code="lonely-elder", name="独居老人", visit_every_days=30)
    parole = CareTag.objects.create(
        code="community-correction", name="社区矫正", visit_every_days=7, sensitivity=Sensitivity.RESTRICTED
    )
    room = room_in(world.leader, tree.micro_grid)
    room2 = room_in(world.worker2, micro2, road="镇明路", door="5号", room="102室")
    household = services.household_create(actor=world.worker, address=room)
    elder = register_elder(world.worker, household, lonely)
    return LedgerWorld(world, tree.micro_grid, micro2, room, room2, household, elder, lonely, parole)
