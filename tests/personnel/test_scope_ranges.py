"""`restrict_areas_ranged` (range conditions read from the grants) equals `restrict_areas` (EXISTS)."""

import pytest
from django.db.models import Q

from grids.models import Area
from personnel import reach, scope
from personnel.models import AreaGrant
from tests.factories import UserFactory
from tests.personnel.test_permissions import MATRIX, world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(MATRIX))
def test_the_ranged_reach_is_the_same_set_of_nodes_for_every_role(world, role):  # noqa: F811
    user = world["users"][role]
    for perm in ("view_area", "change_area"):
        exists = set(scope.restrict_areas(user, perm).values_list("pk", flat=True))
        assert set(scope.restrict_areas_ranged(user, perm).values_list("pk", flat=True)) == exists


def test_nested_grants_and_anonymous_and_superusers(world):  # noqa: F811
    from django.contrib.auth.models import AnonymousUser, Permission

    tree = world["tree"]
    user = UserFactory()
    view = Permission.objects.get(codename="view_area", content_type__app_label="grids")
    for node in (tree.township, tree.grid, tree.other_grid):  # the grid lies within the township
        AreaGrant.objects.create(user=user, permission=view, content_object=node)
    expected = set(scope.restrict_areas(user).values_list("pk", flat=True))
    assert set(scope.restrict_areas_ranged(user).values_list("pk", flat=True)) == expected
    assert tree.other_grid.pk in expected and tree.grid2.pk in expected and tree.county.pk not in expected
    assert not scope.restrict_areas_ranged(AnonymousUser()).exists()
    assert scope.restrict_areas_ranged(UserFactory(is_superuser=True)).count() == Area.objects.count()


def test_many_grants_fall_back_to_the_exists_form(world, monkeypatch):  # noqa: F811
    from django.contrib.auth.models import Permission

    tree = world["tree"]
    user = UserFactory()
    view = Permission.objects.get(codename="view_area", content_type__app_label="grids")
    for node in (tree.grid, tree.grid2, tree.other_grid):
        AreaGrant.objects.create(user=user, permission=view, content_object=node)
    monkeypatch.setattr(reach, "MAX_RANGES", 2)
    ranged = scope.restrict_areas_ranged(user)
    assert "EXISTS" in str(ranged.query)
    assert set(ranged.values_list("pk", flat=True)) == set(scope.restrict_areas(user).values_list("pk", flat=True))


def test_a_grant_filters_on_its_own_levels_column_and_only_a_missing_one_falls_back_to_the_range(world):  # noqa: F811
    """A township's office on a table with a `township_id` column but none for the county
    (the ledgers) filters on that column alone, no range join: ORing the range in made
    PostgreSQL read every address of the city for one township's search (1.4 s at 4.6 M)."""
    tree = world["tree"]
    the_reach = reach.reach_of([_row(tree.township)])
    township_only = the_reach.q(area="area", township="township")
    assert str(township_only) == str(Q(pk__in=[]) | Q(township_id__in=(tree.township.pk,)))
    county_reach = reach.reach_of([_row(tree.county)])
    on_range = county_reach.q(area="area", township="township")  # no county column: the county's range
    assert f"'area__lft__gte', {tree.county.lft}" in str(on_range)
    assert "area__lft__gte" not in str(county_reach.q(area="area", township="township", county="county"))


def _row(node):
    return node.pk, node.level, node.parent_id, node.tree_id, node.lft, node.rght
