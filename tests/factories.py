"""Factories shared by every app's tests: users and a small slice of the area tree.

`make_tree()` builds, without going through services, a city with two districts, each
with townships, villages, grids and micro-grids, with codes in the unified format, so
tests can speak of "own grid", "sibling grid", "parent township", "other district".
"""

import itertools
from dataclasses import dataclass

import factory
from django.contrib.auth import get_user_model

from grids.choices import GridType, Level, VillageKind
from grids.models import Area

_counter = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_active = True

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "pw-for-tests-1")
        if create:
            self.save(update_fields=["password"])


def make_area(parent: Area | None, level: str, name: str | None = None, suffix: int | None = None, **fields) -> Area:
    """Create one node under `parent` with a code in the unified format for `level`."""
    n = suffix or next(_counter)
    if level == Level.CITY:
        code = "330200000000"
    elif level == Level.COUNTY:
        code = f"3302{n:02d}000000"
    elif level == Level.TOWNSHIP:
        code = parent.code[:6] + f"{n:03d}000"
    elif level == Level.VILLAGE:
        code = parent.code[:9] + f"{n:03d}"
    else:
        code = parent.code + f"{n:03d}"
    if level == Level.VILLAGE:
        fields.setdefault("village_kind", VillageKind.URBAN)
    if level in (Level.GRID, Level.MICRO_GRID):
        fields.setdefault("grid_type", GridType.URBAN)
        fields.setdefault("households", 400 if level == Level.GRID else 50)
    return Area.objects.create(parent=parent, level=level, code=code, name=name or f"{level}-{code}", **fields)


@dataclass
class Tree:
    """Handles on the nodes of `make_tree()`; `*2` nodes are the siblings / other district."""

    city: Area
    county: Area
    county2: Area
    township: Area
    township2: Area
    village: Area
    village2: Area
    grid: Area
    grid2: Area
    micro_grid: Area
    other_grid: Area  # a grid in the other district

    def refresh(self) -> "Tree":
        for name in self.__dataclass_fields__:
            getattr(self, name).refresh_from_db()
        return self


def make_tree() -> Tree:
    """A small two-district tree (see module docstring); returns fresh handles."""
    city = make_area(None, Level.CITY, "宁波市")
    county = make_area(city, Level.COUNTY, "海曙区", suffix=3)
    county2 = make_area(city, Level.COUNTY, "江北区", suffix=5)
    township = make_area(county, Level.TOWNSHIP, "南门街道", suffix=1)
    township2 = make_area(county, Level.TOWNSHIP, "江厦街道", suffix=2)
    village = make_area(township, Level.VILLAGE, "尹江岸社区", suffix=1)
    village2 = make_area(township, Level.VILLAGE, "南门社区", suffix=2)
    grid = make_area(village, Level.GRID, "尹江岸第一网格", suffix=1)
    grid2 = make_area(village, Level.GRID, "尹江岸第二网格", suffix=2)
    micro_grid = make_area(grid, Level.MICRO_GRID, "尹江岸第一网格1号微网格", suffix=1)
    other_township = make_area(county2, Level.TOWNSHIP, "中马街道", suffix=1)
    other_village = make_area(other_township, Level.VILLAGE, "中马社区", suffix=1)
    other_grid = make_area(other_village, Level.GRID, "中马第一网格", suffix=1)
    make_area(township2, Level.VILLAGE, "江厦社区", suffix=1)
    return Tree(
        city=city,
        county=county,
        county2=county2,
        township=township,
        township2=township2,
        village=village,
        village2=village2,
        grid=grid,
        grid2=grid2,
        micro_grid=micro_grid,
        other_grid=other_grid,
    ).refresh()
