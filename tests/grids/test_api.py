"""GET /api/v1/grids/ and /api/v1/grids/<code>/: scope, filters, fixed query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grids import services
from tests.factories import UserFactory
from tests.scenario import grant, make_area

pytestmark = pytest.mark.django_db
URL = "/api/v1/grids/"


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def township_client(client, tree):
    user = UserFactory(username="township-officer")
    grant(user, tree.township, "view_area")
    client.force_login(user)
    return client


def test_anonymous_is_refused(client, tree):
    for url in (URL, f"{URL}{tree.grid.code}/"):
        response = client.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Api-Key")


def test_within_returns_exactly_the_subtree(admin_client, tree):
    got = codes(admin_client.get(URL, {"within": tree.village.code}))
    assert got == [tree.village.code, tree.grid.code, tree.micro_grid.code, tree.grid2.code]


def test_level_type_parent_and_q_filters(admin_client, tree):
    assert codes(admin_client.get(URL, {"level": "grid"})) == sorted(
        [tree.grid.code, tree.grid2.code, tree.other_grid.code]
    )
    assert codes(admin_client.get(URL, {"parent": tree.village.code})) == [tree.grid.code, tree.grid2.code]
    dedicated = make_area(tree.village2, "grid", "鼓楼公园专属网格", grid_type="dedicated")
    assert codes(admin_client.get(URL, {"type": "dedicated"})) == [dedicated.code]
    assert codes(admin_client.get(URL, {"q": "中马"})) == [
        c for c in codes(admin_client.get(URL, {"within": tree.county2.code})) if c != tree.county2.code
    ]
    assert codes(admin_client.get(URL, {"q": tree.micro_grid.code})) == [tree.micro_grid.code]
    unknown = admin_client.get(URL, {"within": "330299999999"})
    assert unknown.status_code == 400 and unknown.json()["error_codes"]["within"] == ["unknown"]


def test_status_filter_finds_retired_grids(admin_client, tree):
    services.area_retire(actor=None, area=tree.grid2)
    assert codes(admin_client.get(URL, {"status": "retired"})) == [tree.grid2.code]


def test_scoped_user_sees_only_the_subtree_of_their_grant(township_client, tree):
    got = codes(township_client.get(URL, {"limit": 100}))
    assert tree.grid.code in got and tree.township.code in got
    assert tree.other_grid.code not in got and tree.county.code not in got
    assert township_client.get(f"{URL}{tree.other_grid.code}/").status_code == 404
    assert township_client.get(f"{URL}{tree.county.code}/").status_code == 404


def test_detail_gives_parent_code_and_ancestor_path(township_client, tree):
    response = township_client.get(f"{URL}{tree.micro_grid.code}/")
    assert response.status_code == 200
    body = response.json()
    assert body["parent"] == tree.grid.code
    assert body["path"] == ["宁波市", "海曙区", "南门街道", "尹江岸社区", "尹江岸第一网格"]
    assert (body["level"], body["type"], body["households"]) == ("micro_grid", "urban", 50)


def test_list_costs_the_same_queries_however_many_nodes(admin_client, tree):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(URL).status_code == 200
        return len(ctx)

    few = count_queries()
    for n in range(10):
        make_area(tree.village2, "grid", f"南门社区第{n + 1}网格")
    assert count_queries() == few
