"""The city authority's rules for drawing and adjusting grids (Art. 7): household ranges per
grid type, set on /grids/rules/ and over the API, checked by every adjustment; and the
effective date of an adjustment, never after today."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grids import services
from grids.choices import ChangeKind, GridType, Level, Status
from grids.models import Area, AreaChange, HouseholdRule
from grids.rules import rule_set
from tests.factories import UserFactory
from tests.scenario import grant

pytestmark = pytest.mark.django_db


def user_with(area, *perms, name):
    user = UserFactory(username=name)
    grant(user, area, *perms)
    return user


@pytest.fixture
def city_user(tree):
    return user_with(tree.city, "supervisor", name="city")


@pytest.fixture
def district_user(tree):
    return user_with(tree.county, "supervisor", name="district")


@pytest.fixture
def township_user(tree):
    return user_with(tree.township, "dispatcher", name="township")


@pytest.fixture
def urban_rule(tree):
    """Ningbo's practice for urban community grids: 300–500 households, micro-grids 30–50."""
    rule_set(
        actor=None, city=tree.city, grid_type="urban", level="grid", min_households=300, max_households=500, version=0
    )
    rule_set(
        actor=None,
        city=tree.city,
        grid_type="urban",
        level="micro_grid",
        min_households=30,
        max_households=50,
        version=0,
    )


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


# --- the rules page and API -------------------------------------------------------------


def test_the_city_sets_a_rule_on_its_page_and_the_change_is_recorded(client, tree, city_user):
    client.force_login(city_user)
    response = client.get("/grids/rules/")
    assert response.status_code == 302 and response["Location"] == f"/grids/rules/{tree.city.code}/"
    html = client.get(response["Location"]).content.decode()
    assert "城市社区网格：不限" in html and 'name="urban-grid-min_households"' in html
    response = client.post(
        f"/grids/rules/{tree.city.code}/urban/grid/",
        {"urban-grid-min_households": "300", "urban-grid-max_households": "500", "urban-grid-version": "0"},
    )
    assert response.status_code == 302
    rule = HouseholdRule.objects.get(city=tree.city, grid_type="urban", level="grid")
    assert (rule.min_households, rule.max_households, rule.version) == (300, 500, 1)
    change = AreaChange.objects.get(area=tree.city, kind=ChangeKind.RULE)
    assert change.actor == city_user
    assert change.before == {"min_households": None, "max_households": None, "grid_type": "urban", "level": "grid"}
    assert change.after["max_households"] == 500
    assert change.note == "城市社区网格：不限 → 城市社区网格：300–500 户"
    html = client.get(response["Location"]).content.decode()
    assert "城市社区网格：300–500 户" in html and "city" in html  # the rule and who changed it


def test_a_stale_or_inverted_rule_is_refused_with_a_form_error(client, tree, city_user, urban_rule):
    client.force_login(city_user)
    url = f"/grids/rules/{tree.city.code}/urban/grid/"
    stale = {"urban-grid-min_households": "200", "urban-grid-max_households": "400", "urban-grid-version": "0"}
    response = client.post(url, stale)
    assert response.status_code == 400 and "该户数规则已被他人修改" in response.content.decode()
    inverted = {"urban-grid-min_households": "600", "urban-grid-max_households": "400", "urban-grid-version": "1"}
    response = client.post(url, inverted)
    assert response.status_code == 400 and "最多户数不能少于最少户数" in response.content.decode()
    assert HouseholdRule.objects.get(city=tree.city, grid_type="urban", level="grid").max_households == 500


@pytest.mark.parametrize("who", ["district_user", "township_user"])
def test_district_and_township_read_the_rules_but_cannot_set_them(client, tree, urban_rule, who, request):
    client.force_login(request.getfixturevalue(who))
    html = client.get(f"/grids/rules/{tree.city.code}/").content.decode()
    assert "城市社区网格：300–500 户" in html and "min_households" not in html
    response = client.post(
        f"/grids/rules/{tree.city.code}/urban/grid/",
        {"urban-grid-min_households": "10", "urban-grid-max_households": "5000", "urban-grid-version": "1"},
    )
    assert response.status_code == 403
    assert HouseholdRule.objects.get(city=tree.city, grid_type="urban", level="grid").max_households == 500
    with pytest.raises(PermissionDenied):
        rule_set(
            actor=request.getfixturevalue(who),
            city=tree.city,
            grid_type="urban",
            level="grid",
            min_households=10,
            max_households=5000,
            version=1,
        )


def test_the_api_reads_rules_and_only_the_city_writes_them(client, tree, city_user, district_user, urban_rule):
    client.force_login(district_user)
    rows = client.get("/api/v1/grid-rules/").json()
    assert len(rows) == 6  # three grid types, grid and micro-grid
    urban = next(r for r in rows if (r["grid_type"], r["level"]) == ("urban", "grid"))
    assert (urban["min_households"], urban["max_households"], urban["version"]) == (300, 500, 1)
    url = f"/api/v1/grid-rules/{tree.city.code}/rural/grid/"
    body = {"min_households": 200, "max_households": 600, "version": 0}
    assert client.put(url, body, content_type="application/json").status_code == 403
    client.force_login(city_user)
    response = client.put(url, body | {"max_households": "600"}, content_type="application/json")
    assert response.status_code == 400 and "max_households" in response.json()["error_codes"]
    response = client.put(url, body, content_type="application/json")
    assert response.status_code == 200 and response.json()["text"] == "农村网格：200–600 户"
    response = client.put(url, body, content_type="application/json")  # version 0 again: stale
    assert response.status_code == 400 and response.json()["error_codes"]["version"] == ["stale_version"]


def test_the_migration_seeds_each_city_with_ningbos_practice(tree):
    migration = importlib.import_module("grids.migrations.0007_household_rules")
    migration.seed_rules(apps, None)
    rules = {(r.grid_type, r.level): (r.min_households, r.max_households) for r in HouseholdRule.objects.all()}
    assert rules == {
        ("urban", "grid"): (300, 500),
        ("urban", "micro_grid"): (30, 50),
        ("rural", "grid"): (300, 500),
        ("rural", "micro_grid"): (30, 50),
    }


# --- adjustments checked against the rules ---------------------------------------------


@pytest.fixture
def adjuster(client, tree):
    user = user_with(tree.village, "view_area", "adjust_area", name="adjuster")
    client.force_login(user)
    return user


def test_a_split_outside_the_rule_is_refused_and_changes_nothing(client, tree, adjuster, urban_rule):
    before = Area.objects.count()
    response = client.post(
        f"/grids/{tree.grid.code}/split/",
        {"split-parts": "尹江岸东网格,200\n尹江岸西网格,200", "split-effective_date": "2026-11-01"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "城市社区网格：300–500 户" in html and "尹江岸东网格 200 户" in html and "请填写理由" in html
    assert Area.objects.count() == before
    assert Area.objects.get(pk=tree.grid.pk).status == Status.ACTIVE


def test_a_split_outside_the_rule_with_a_reason_is_made_and_the_history_says_why(client, tree, adjuster, urban_rule):
    response = client.post(
        f"/grids/{tree.grid.code}/split/",
        {
            "split-parts": "尹江岸东网格,200\n尹江岸西网格,350",
            "split-effective_date": "2026-11-01",
            "split-exception_reason": "东片为单一封闭小区，不宜再拆",
        },
    )
    assert response.status_code == 302
    east = Area.objects.get(name="尹江岸东网格")
    note = AreaChange.objects.get(area=east, kind=ChangeKind.CREATE).note
    assert "300–500 户" in note and "尹江岸东网格 200 户" in note and "东片为单一封闭小区" in note
    assert "尹江岸西网格" not in note  # only the part outside the range is named


def test_create_redraw_and_merge_are_checked_against_the_rule_of_their_type(tree, urban_rule):
    with pytest.raises(ValidationError) as refused:
        services.area_create(actor=None, parent=tree.grid, name="大微网格", households=80)
    assert "城市社区网格的微网格：30–50 户" in refused.value.message_dict["households"][0]
    with pytest.raises(ValidationError) as refused:
        services.area_redraw(actor=None, area=tree.grid, households=520)
    assert "households" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:  # 400 + 400 = 800
        services.area_merge(actor=None, areas=[tree.grid, tree.grid2], into=tree.grid)
    assert "尹江岸第一网格 800 户" in refused.value.message_dict["households"][0]
    assert Area.objects.get(pk=tree.grid2.pk).status == Status.ACTIVE
    survivor = services.area_merge(
        actor=None, areas=[tree.grid, tree.grid2], into=tree.grid, exception_reason="撤村并居"
    )
    assert survivor.households == 800
    assert "撤村并居" in AreaChange.objects.get(area=survivor, kind=ChangeKind.MERGE).note
    # Another type has its own rule (none set for dedicated grids): not checked.
    dedicated = services.area_create(
        actor=None, parent=tree.village, name="某中学专属网格", grid_type=GridType.DEDICATED, households=12
    )
    assert dedicated.level == Level.GRID and dedicated.households == 12


def test_households_within_the_rule_or_unknown_need_no_reason(tree, urban_rule):
    parts = services.area_split(actor=None, area=tree.grid, parts=[{"name": "甲", "households": 300}, {"name": "乙"}])
    assert [p.households for p in parts] == [300, None]
    assert "突破" not in AreaChange.objects.get(area=parts[0], kind=ChangeKind.CREATE).note


# --- the effective date ------------------------------------------------------------------


FUTURE_FORMS = {
    "create": ("village", {"create-name": "新网格", "create-households": "400"}),
    "rename": ("grid", {"rename-name": "新名称"}),
    "redraw": ("grid", {"redraw-households": "450"}),
    "split": ("grid", {"split-parts": "甲,400\n乙,400"}),
    "merge": ("grid", {"merge-others": ["grid2"], "merge-new_name": ""}),
    "retire": ("grid", {"retire-note": "拆迁"}),
}


@pytest.mark.parametrize("action", FUTURE_FORMS)
def test_every_adjustment_form_refuses_a_date_after_today(client, tree, adjuster, action):
    node, data = FUTURE_FORMS[action]
    data = {k: [getattr(tree, v).pk for v in value] if k == "merge-others" else value for k, value in data.items()}
    changes = AreaChange.objects.count()
    response = client.post(
        f"/grids/{getattr(tree, node).code}/{action}/", data | {f"{action}-effective_date": tomorrow().isoformat()}
    )
    assert response.status_code == 400
    assert "生效日期不能晚于今天" in response.content.decode()
    assert AreaChange.objects.count() == changes
    assert Area.objects.get(pk=tree.grid.pk).status == Status.ACTIVE


def test_the_services_refuse_a_future_date_and_take_today_or_a_past_one(tree):
    with pytest.raises(ValidationError) as refused:
        services.area_retire(actor=None, area=tree.grid, effective_date=tomorrow())
    assert refused.value.error_dict["effective_date"][0].code == "future_date"
    assert Area.objects.get(pk=tree.grid.pk).status == Status.ACTIVE
    services.area_rename(actor=None, area=tree.grid, name="今天更名")
    services.area_rename(actor=None, area=tree.grid2, name="补录更名", effective_date=datetime.date(2026, 1, 5))
    dates = {c.area_id: c.effective_date for c in AreaChange.objects.filter(kind=ChangeKind.RENAME)}
    assert dates == {tree.grid.pk: timezone.localdate(), tree.grid2.pk: datetime.date(2026, 1, 5)}


def test_the_rule_check_costs_one_query_whatever_the_micro_grids(tree, urban_rule):
    """grids.adjusting stays set-based: the check reads the rule once, not per node."""
    from tests.grids.test_adjust_blocks import add_micro_grids, queries

    add_micro_grids(tree.grid2, 5, first=1)
    unknown = queries(services.area_split, actor=None, area=tree.grid, parts=[{"name": "甲"}, {"name": "乙"}])
    counted = [{"name": "丙", "households": 320}, {"name": "丁", "households": 480}]
    checked = queries(services.area_split, actor=None, area=tree.grid2, parts=counted)
    assert checked == unknown + 1
