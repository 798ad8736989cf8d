"""GET /public/find/: which grid am I in, by position or by name, leading to the grid card."""

import pytest
from django.urls import reverse

from grids.models import Area

pytestmark = pytest.mark.django_db
URL = "/public/find/"


def card(code: str) -> str:
    return reverse("public:grid-card", args=[code])


def test_a_position_leads_to_the_card_of_the_micro_grid_holding_it(client, drawn):
    response = client.get(URL, {"lat": "29.85", "lon": "121.52"})
    assert response.status_code == 302 and response.url == card(drawn.micro_grid.code)
    response = client.get(URL, {"lat": "29.85", "lon": "121.58"})  # a grid without micro-grids
    assert response.url == card(drawn.grid2.code)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"lat": "30.5", "lon": "121.0"}, "不在本市已划定边界的网格内"),
        ({"lat": "95", "lon": "121.52"}, "未能读取有效的位置"),
        ({"lat": "north", "lon": "121.52"}, "未能读取有效的位置"),
        ({"lat": "29.85"}, "未能读取有效的位置"),
    ],
)
def test_a_position_in_no_grid_or_unreadable_says_so_on_the_page(client, drawn, query, message):
    response = client.get(URL, query)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_name_finds_communities_streets_grids_and_grids_by_their_streets(client, tree):
    Area.objects.filter(pk=tree.grid2.pk).update(area_description="尹江路1号至99号，丽园小区")
    html = client.get(URL, {"q": "尹江岸"}).content.decode()
    # the community (a link to its grids) first, then its grids (links to their cards)
    assert html.index(tree.village.code) < html.index(tree.grid.code)
    assert f"?area={tree.village.code}" in html and card(tree.grid.code) in html
    assert "南门街道 › 尹江岸社区" in html  # where the grid lies
    by_street = client.get(URL, {"q": "丽园"}).content.decode()
    assert card(tree.grid2.code) in by_street and card(tree.grid.code) not in by_street
    street = client.get(URL, {"q": "南门街道"}).content.decode()
    assert f"?area={tree.township.code}" in street


def test_a_community_lists_its_grids(client, tree):
    html = client.get(URL, {"area": tree.village.code}).content.decode()
    assert card(tree.grid.code) in html and card(tree.grid2.code) in html
    assert tree.other_grid.code not in html


@pytest.mark.parametrize("q", ["", "尹", "x" * 41])
def test_too_short_or_long_a_name_is_a_form_error(client, tree, q):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert "find-results" not in response.content.decode()
    assert "id_q_error" in response.content.decode()


def test_nothing_found_says_so(client, tree):
    assert "no-results" in client.get(URL, {"q": "不存在的地名"}).content.decode()
    assert client.get(URL, {"area": "nonsense" * 10}).status_code == 200


def test_the_code_lookup_links_here(client, tree):
    assert URL in client.get(reverse("public:grid-lookup")).content.decode()
