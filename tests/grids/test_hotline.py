"""The supervision hotline (监督电话, Art. 10): set by whoever runs the area, at any level, on
the staff office page and over the API; checked; recorded; on the public card at once, the
nearest number up the tree for a grid without its own."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from grids import services
from grids.choices import ChangeKind
from grids.hotline import area_set_hotline, normalise_hotline
from grids.models import Area, AreaChange, TreeVersion
from tests.scenario import make_world

pytestmark = pytest.mark.django_db

TOWNSHIP_LINE = "0574-87150000"


@pytest.fixture
def world(db):
    return make_world()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13912345678", "13912345678"),
        (" 139 1234 5678 ", "13912345678"),
        ("0574-87150000", "0574-87150000"),
        ("057487150000", "0574-87150000"),
        ("（0574）87150000", "0574-87150000"),
        ("010-62345678", "010-62345678"),
        ("02162345678", "021-62345678"),
        ("", ""),
    ],
)
def test_mobiles_and_landlines_with_area_code_are_kept_in_one_form(typed, stored):
    assert normalise_hotline(typed) == stored


@pytest.mark.parametrize("typed", ["87150000", "12345", "0574-0150000", "1291234567", "0574-87150000转1", "abc", 574])
def test_anything_else_is_refused_with_a_chinese_message(typed):
    with pytest.raises(ValidationError, match="带区号的固定电话") as caught:
        normalise_hotline(typed)
    assert caught.value.code == "invalid_phone"


def test_the_township_sets_its_number_and_every_grid_without_its_own_shows_it(client, world):
    tree = world.tree
    version = TreeVersion.current()
    area_set_hotline(actor=world.dispatcher, area=tree.township, supervision_phone="0574 8715 0000")
    assert Area.objects.get(pk=tree.township.pk).supervision_phone == TOWNSHIP_LINE
    assert TreeVersion.current() != version  # like every tree write
    change = AreaChange.objects.get(area=tree.township)
    assert (change.kind, change.actor, change.before, change.after) == (
        ChangeKind.HOTLINE,
        world.dispatcher,
        {"supervision_phone": ""},
        {"supervision_phone": TOWNSHIP_LINE},
    )
    for grid in (tree.grid, tree.micro_grid):
        card = client.get(reverse("public:grid-card", args=[grid.code])).content.decode()
        assert f'href="tel:{TOWNSHIP_LINE}"' in card
    # The same number again changes nothing and records nothing.
    area_set_hotline(actor=world.dispatcher, area=tree.township, supervision_phone=TOWNSHIP_LINE)
    assert AreaChange.objects.filter(area=tree.township).count() == 1


def test_a_grids_own_number_wins_and_clearing_it_falls_back_to_the_nearest_above(client, world):
    tree = world.tree
    area_set_hotline(actor=world.supervisor, area=tree.county, supervision_phone="0574-87000000")
    area_set_hotline(actor=world.dispatcher, area=tree.grid, supervision_phone="13912345678")
    card_url = reverse("public:grid-card", args=[tree.grid.code])
    assert 'href="tel:13912345678"' in client.get(card_url).content.decode()
    area_set_hotline(actor=world.dispatcher, area=tree.grid, supervision_phone="")
    assert 'href="tel:0574-87000000"' in client.get(card_url).content.decode()
    printed = client.get(reverse("public:grid-card-print", args=[tree.grid.code])).content.decode()
    assert "0574-87000000" in printed
    history = list(AreaChange.objects.filter(area=tree.grid).values_list("kind", "after"))  # newest first
    assert history == [
        (ChangeKind.HOTLINE, {"supervision_phone": ""}),
        (ChangeKind.HOTLINE, {"supervision_phone": "13912345678"}),
    ]


def test_nobody_sets_a_number_outside_their_reach(world):
    tree = world.tree
    refused = [
        (world.dispatcher2, tree.grid),  # another township's office
        (world.dispatcher, tree.county),  # a township does not set its district's
        (world.other_supervisor, tree.township),  # another district
        (world.leader, tree.grid),  # a grid leader co-ordinates, he does not run the office
        (world.supervisor, tree.city),  # a district does not set the city's
    ]
    for actor, area in refused:
        with pytest.raises(PermissionDenied):
            area_set_hotline(actor=actor, area=area, supervision_phone=TOWNSHIP_LINE)
    assert not Area.objects.exclude(supervision_phone="").exists()
    assert not AreaChange.objects.exists()


def test_a_bad_number_or_a_retired_grid_is_refused_and_nothing_changes(world):
    with pytest.raises(ValidationError) as caught:
        area_set_hotline(actor=world.dispatcher, area=world.tree.grid, supervision_phone="87150000")
    assert list(caught.value.error_dict) == ["supervision_phone"]
    services.area_retire(actor=world.supervisor, area=world.tree.grid2)
    with pytest.raises(ValidationError, match="已撤销"):
        area_set_hotline(actor=world.dispatcher, area=world.tree.grid2, supervision_phone=TOWNSHIP_LINE)
    assert not AreaChange.objects.filter(kind=ChangeKind.HOTLINE).exists()


# --- the staff office page ----------------------------------------------------------------


def _page(code):
    return reverse("staffoffice:hotline", args=[code])


def test_the_township_office_sets_a_villages_number_on_its_page_and_sees_it_in_the_history(client, world):
    village = world.tree.village
    client.force_login(world.dispatcher)
    office = client.get(reverse("staffoffice:office", args=[world.tree.township.code])).content.decode()
    assert _page(world.tree.township.code) in office and _page(world.tree.grid.code) in office
    area_page = client.get(reverse("grids:area", args=[village.code])).content.decode()
    assert _page(village.code) in area_page
    response = client.post(_page(village.code), {"supervision_phone": "0574-8715 1234"})
    assert response.status_code == 302
    assert Area.objects.get(pk=village.pk).supervision_phone == "0574-87151234"
    history = client.get(reverse("grids:area", args=[village.code])).content.decode()
    assert "变更监督电话" in history and "0574-87151234" in history
    assert "0574-87151234" in client.get(reverse("public:grid-card", args=[world.tree.grid.code])).content.decode()


def test_a_bad_number_on_the_page_is_a_chinese_form_error_and_nothing_is_saved(client, world):
    client.force_login(world.dispatcher)
    response = client.post(_page(world.tree.grid.code), {"supervision_phone": "12345"})
    assert response.status_code == 400
    assert "监督电话应为11位手机号" in response.content.decode()
    assert Area.objects.get(pk=world.tree.grid.pk).supervision_phone == ""


def test_the_page_tells_which_number_the_cards_show_now(client, world):
    area_set_hotline(actor=None, area=world.tree.township, supervision_phone=TOWNSHIP_LINE)
    client.force_login(world.dispatcher)
    page = client.get(_page(world.tree.grid.code)).content.decode()
    assert "南门街道" in page and TOWNSHIP_LINE in page


def test_the_page_is_not_found_outside_the_users_reach(client, world):
    tree = world.tree
    for user, area in [
        (world.dispatcher2, tree.grid),
        (world.dispatcher, tree.county),
        (world.leader, tree.grid),
        (world.other_supervisor, tree.village),
    ]:
        client.force_login(user)
        assert client.post(_page(area.code), {"supervision_phone": TOWNSHIP_LINE}).status_code == 404
        assert _page(area.code) not in client.get(reverse("grids:area", args=[area.code])).content.decode()
    assert not Area.objects.exclude(supervision_phone="").exists()
    client.force_login(world.supervisor)  # the district's supervisor runs the district
    assert client.post(_page(tree.county.code), {"supervision_phone": TOWNSHIP_LINE}).status_code == 302


def test_the_grid_form_checks_the_number_of_a_new_grid_too(client, world):
    client.force_login(world.supervisor)
    url = reverse("grids:adjust", args=[world.tree.village.code, "create"])
    data = {"create-name": "新网格", "create-effective_date": "2025-06-09", "create-supervision_phone": "8715"}
    response = client.post(url, data)
    assert response.status_code == 400 and "监督电话应为11位手机号" in response.content.decode()
    data["create-supervision_phone"] = "057487159999"
    assert client.post(url, data).status_code == 302
    assert Area.objects.get(name="新网格").supervision_phone == "0574-87159999"


# --- the API --------------------------------------------------------------------------------


def _api(user):
    client = APIClient()
    client.force_login(user)
    return client


def _put(client, area, body):
    return client.put(f"/api/v1/grids/{area.code}/supervision-phone/", body, format="json")


def test_the_api_sets_the_number_and_answers_the_node(world):
    response = _put(_api(world.supervisor), world.tree.county, {"supervision_phone": "0574 8700 0000"})
    assert response.status_code == 200
    assert response.json()["supervision_phone"] == "0574-87000000" and response.json()["code"] == world.tree.county.code
    assert AreaChange.objects.get(area=world.tree.county).actor == world.supervisor


@pytest.mark.parametrize(
    ("body", "codes"),
    [
        ({"supervision_phone": "12345"}, ["invalid_phone"]),
        ({"supervision_phone": 13912345678}, ["invalid"]),
        ({}, ["required"]),
    ],
)
def test_the_api_refuses_bad_input_with_field_codes(world, body, codes):
    response = _put(_api(world.dispatcher), world.tree.grid, body)
    assert response.status_code == 400
    assert response.json()["error_codes"] == {"supervision_phone": codes}
    assert Area.objects.get(pk=world.tree.grid.pk).supervision_phone == ""


def test_the_api_refuses_who_may_see_but_not_run_the_area_and_hides_the_rest(world):
    assert _put(_api(world.leader), world.tree.grid, {"supervision_phone": TOWNSHIP_LINE}).status_code == 403
    assert _put(_api(world.dispatcher2), world.tree.grid, {"supervision_phone": TOWNSHIP_LINE}).status_code == 404
    assert not Area.objects.exclude(supervision_phone="").exists()
