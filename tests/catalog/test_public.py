"""The public list (Art. 13 向社会公布): no login, only what is in force today, plus its change log."""

import datetime

import pytest
import time_machine

from .conftest import TODAY, at, propose, publish_district, publish_new, retire

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(people, tree, today):
    """One city item in force, one district item in force, one pending, one future, one retired."""
    city = publish_new(people, TODAY, content={"name": "在用市级事项"})
    district = publish_district(people, tree, TODAY, content={"name": "海曙区级事项"})
    propose(people.city_admin, content={"name": "审核中事项"})
    publish_new(people, TODAY + datetime.timedelta(days=5), content={"name": "待生效事项"})
    earlier = TODAY - datetime.timedelta(days=2)
    with time_machine.travel(at(earlier), tick=False):
        old = publish_new(people, earlier, content={"name": "已退出事项"})
        retire(people, old.item, TODAY)
    return city, district


def test_the_public_list_needs_no_login_and_shows_only_city_items_in_force(client, listed):
    response = client.get("/catalog/public/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "在用市级事项" in body and "民政" in body and "2026-11-30" in body
    for hidden in ("审核中事项", "待生效事项", "已退出事项", "海曙区级事项"):
        assert hidden not in body


def test_choosing_a_district_adds_its_district_items(client, tree, listed):
    body = client.get("/catalog/public/", {"district": tree.county.code}).content.decode()
    assert "在用市级事项" in body and "海曙区级事项" in body
    body = client.get("/catalog/public/", {"district": tree.county2.code}).content.decode()
    assert "海曙区级事项" not in body


def test_the_change_log_shows_publications_and_exits_with_dates(client, listed):
    body = client.get("/catalog/public/changes/").content.decode()
    assert "纳入清单" in body and "退出清单" in body and "待生效事项" in body
    assert "审核中事项" not in body


def test_the_csv_export_lists_what_the_page_lists(client, tree, listed):
    body = client.get("/catalog/public/export.csv", {"district": tree.county.code}).content.decode("utf-8-sig")
    assert "在用市级事项" in body and "海曙区级事项" in body and "待生效事项" not in body
