"""The shared tree factory gives the shape the scope tests rely on."""

import pytest

from grids.models import Area
from tests.scenario import make_tree

pytestmark = pytest.mark.django_db


def test_make_tree_nests_grid_under_its_township_and_not_the_other_district():
    tree = make_tree()
    in_township = set(Area.objects.within(tree.township).values_list("code", flat=True))
    assert tree.grid.code in in_township
    assert tree.micro_grid.code in in_township
    assert tree.other_grid.code not in in_township
    assert tree.grid.code.startswith(tree.village.code) and len(tree.grid.code) == 15
    assert len(tree.micro_grid.code) == 18
