"""The tree browser (/grids/) and the adjustment forms on a grid's page."""

import pytest

from grids.choices import ChangeKind, Status
from grids.models import Area, AreaChange
from tests.factories import UserFactory
from tests.scenario import grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client, tree):
    user = UserFactory(username="viewer")
    grant(user, tree.township, "view_area")
    client.force_login(user)
    return user


@pytest.fixture
def adjuster(client, tree):
    user = UserFactory(username="adjuster")
    for perm in ("view_area", "adjust_area"):
        grant(user, tree.village, perm)
    client.force_login(user)
    return user


def page(client, code, status=200) -> str:
    response = client.get(f"/grids/{code}/")
    assert response.status_code == status
    return response.content.decode()


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get("/grids/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_superuser_sees_the_counties_with_grid_counts(client, tree):
    client.force_login(UserFactory(username="root", is_superuser=True))
    html = client.get("/grids/").content.decode()
    assert "海曙区" in html and "江北区" in html
    node = Area.objects.filter(pk=tree.county.pk)
    from grids.selectors import with_counts

    assert with_counts(node).get().active_grids == 2


def test_scoped_user_sees_their_township_and_not_the_other_district(client, tree, viewer):
    html = client.get("/grids/").content.decode()
    assert "南门街道" in html and "江北区" not in html
    html = page(client, tree.grid.code)
    assert "尹江岸第一网格1号微网格" in html  # children listed
    assert 'href="/grids/330203000000/"' not in html  # the county is out of reach: not linked
    page(client, tree.other_grid.code, status=404)
    page(client, tree.county.code, status=404)


def test_viewer_without_adjust_area_gets_no_forms_and_cannot_post(client, tree, viewer):
    assert "<h2>网格调整</h2>" not in page(client, tree.grid.code)
    response = client.post(
        f"/grids/{tree.grid.code}/rename/", {"rename-name": "新名", "rename-effective_date": "2026-03-01"}
    )
    assert response.status_code == 403
    assert Area.objects.get(pk=tree.grid.pk).name == "尹江岸第一网格"


def test_create_micro_grid_from_the_grid_page(client, tree, adjuster):
    assert "<h2>网格调整</h2>" in page(client, tree.grid.code)
    response = client.post(
        f"/grids/{tree.grid.code}/create/",
        {"create-name": "尹江岸第一网格2号微网格", "create-households": "60", "create-effective_date": "2026-03-01"},
    )
    new = Area.objects.get(code=tree.grid.code + "002")
    assert response.status_code == 302 and response["Location"] == f"/grids/{new.code}/"
    assert new.changes.get().actor == adjuster
    assert "调整记录" in page(client, new.code)


def test_bad_input_shows_chinese_errors_next_to_fields_and_keeps_the_input(client, tree, adjuster):
    response = client.post(
        f"/grids/{tree.village.code}/create/",
        {
            "create-name": "尹江岸第一网格",  # taken by an active sibling
            "create-boundary": '{"type": "Point", "coordinates": [121.5, 29.8]}',
            "create-effective_date": "2026-03-01",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "边界必须是 GeoJSON 的 Polygon 或 MultiPolygon" in html
    assert "Point" in html  # what the user typed is still there
    assert Area.objects.filter(parent=tree.village).count() == 2


def test_service_error_lands_next_to_its_field(client, tree, adjuster):
    response = client.post(
        f"/grids/{tree.village.code}/create/", {"create-name": "尹江岸第一网格", "create-effective_date": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "同一上级下已有同名的在用网格" in response.content.decode()


def test_split_merge_and_retire_from_the_grid_page(client, tree, adjuster):
    response = client.post(
        f"/grids/{tree.grid.code}/split/",
        {"split-parts": "尹江岸东网格,200\n尹江岸西网格，200", "split-effective_date": "2026-03-01"},
    )
    assert response.status_code == 302
    east, west = (
        Area.objects.filter(parent=tree.village, status=Status.ACTIVE, name__contains="江岸")
        .exclude(pk=tree.grid2.pk)
        .order_by("code")
    )
    assert (east.name, west.households) == ("尹江岸东网格", 200)
    response = client.post(
        f"/grids/{east.code}/merge/",
        {"merge-others": [west.pk], "merge-new_name": "", "merge-effective_date": "2026-03-01"},
    )
    assert response.status_code == 302
    assert Area.objects.get(pk=west.pk).successor_id == east.pk
    response = client.post(
        f"/grids/{east.code}/retire/",
        {"retire-successor": tree.grid2.pk, "retire-note": "拆迁", "retire-effective_date": "2026-03-01"},
    )
    assert response.status_code == 302
    assert AreaChange.objects.filter(area=east, kind=ChangeKind.RETIRE).exists()
    assert "<h2>网格调整</h2>" not in page(client, east.code)  # a retired grid offers no more adjustments


def test_split_needs_two_lines(client, tree, adjuster):
    response = client.post(
        f"/grids/{tree.grid.code}/split/", {"split-parts": "只有一个", "split-effective_date": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "拆分至少要有两个新网格" in response.content.decode()


@pytest.mark.parametrize("other", ["99999999999999999999", "-1", "abc"])
def test_merge_with_an_impossible_id_is_a_form_error(client, tree, adjuster, other):
    response = client.post(
        f"/grids/{tree.grid.code}/merge/",
        {"merge-others": [other], "merge-new_name": "", "merge-effective_date": "2026-03-01"},
    )
    assert response.status_code == 400  # was a 500 (OverflowError on SQLite) for an id beyond 64 bits
    assert Area.objects.get(pk=tree.grid.pk).status == Status.ACTIVE
