"""Scope at the province level: a province supervisor reaches every city, a city's only its own."""

import pytest
from django.core.exceptions import PermissionDenied

from grids import services
from grids.models import Area, AreaChange
from grids.verify import tree_problems
from personnel.choices import PlatformRole
from personnel.roles import ADJUST
from personnel.scope import area_reach, has_area_perm, restrict_areas, restrict_areas_ranged
from tests.factories import UserFactory
from tests.scenario import grant, make_province

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhejiang():
    return make_province()


@pytest.fixture
def province_supervisor(zhejiang):
    user = UserFactory(username="province_supervisor")
    grant(user, zhejiang.province, PlatformRole.SUPERVISOR)
    return user


@pytest.fixture
def city_supervisor(zhejiang):
    user = UserFactory(username="ningbo_supervisor")
    grant(user, zhejiang.tree.city, PlatformRole.SUPERVISOR)
    return user


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def test_the_province_tree_is_sound_and_ningbo_kept_its_codes(zhejiang):
    assert zhejiang.tree.city.parent == zhejiang.province
    assert zhejiang.tree.micro_grid.code == "330203001001001001"
    assert tree_problems()[1] == []


def test_a_province_supervisor_reaches_every_city(zhejiang, province_supervisor):
    assert area_reach(province_supervisor, "view_area").everything
    for reach in (restrict_areas, restrict_areas_ranged):
        assert codes(reach(province_supervisor)) == codes(Area.objects.all())
    assert has_area_perm(province_supervisor, ADJUST, zhejiang.hangzhou_village)
    grid = services.area_create(actor=province_supervisor, parent=zhejiang.hangzhou_village, name="东坡路第一网格")
    assert grid.code == "330102001001001"


def test_a_city_supervisor_under_a_province_still_reaches_only_its_city(zhejiang, city_supervisor):
    ningbo = codes(Area.objects.within(zhejiang.tree.city))
    assert not area_reach(city_supervisor, "view_area").everything
    for reach in (restrict_areas, restrict_areas_ranged):
        assert codes(reach(city_supervisor)) == ningbo
    assert zhejiang.hangzhou_village.code not in ningbo and zhejiang.province.code not in ningbo
    with pytest.raises(PermissionDenied):
        services.area_create(actor=city_supervisor, parent=zhejiang.hangzhou_village, name="越权网格")
    services.area_create(actor=city_supervisor, parent=zhejiang.tree.village, name="尹江岸第三网格")
    # Rows anchored to areas (here the adjustment history) filter by the same reach.
    seen = AreaChange.objects.filter(area_reach(city_supervisor, "view_area").q())
    assert {change.area.name for change in seen} == {"尹江岸第三网格"}


def test_the_tree_page_starts_at_each_users_top_node(client, zhejiang, province_supervisor, city_supervisor):
    client.force_login(province_supervisor)
    assert "浙江省" in client.get("/grids/").content.decode()
    client.force_login(city_supervisor)
    page = client.get("/grids/").content.decode()
    assert "宁波市" in page and "浙江省" not in page and "杭州市" not in page
    assert client.get(f"/grids/{zhejiang.hangzhou_village.code}/").status_code == 404
