"""The administrator's pages: a new item from proposal to publication and exit, entirely in the browser."""

import pytest

from catalog.choices import ExitState, Grade, VersionState
from catalog.models import ItemExit, ServiceItem
from tests.factories import UserFactory

from .conftest import TODAY, propose, publish_new

pytestmark = pytest.mark.django_db


def propose_data(**overrides):
    data = {
        "level": "city",
        "name": "高空抛物隐患",
        "category": "4",
        "kind": "event",
        "department": "law_enforcement",
        "attributes": '[{"code": "floor", "label": "楼层", "type": "number", "required": true}]',
    }
    for grade in Grade.values:
        data |= {
            f"{grade}_accept_limit": "4",
            f"{grade}_accept_unit": "working_hour",
            f"{grade}_complete_limit": "2",
            f"{grade}_complete_unit": "working_day",
            f"{grade}_warning_ratio": "0.75",
            f"{grade}_close_level": "township",
        }
    return data | overrides


def test_pages_need_login(client, people):
    response = client.get("/catalog/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_item_goes_from_proposal_to_publication_and_exit_in_the_browser(client, people, today):
    client.force_login(people.city_admin)
    assert client.get("/catalog/propose/").status_code == 200
    response = client.post("/catalog/propose/", propose_data())
    assert response.status_code == 302
    item = ServiceItem.objects.get()
    version = item.versions.get()
    assert version.attributes[0]["code"] == "floor"
    page = client.get(f"/catalog/items/{item.code}/").content.decode()
    assert "高空抛物隐患" in page and f"/catalog/versions/{version.pk}/review/" in page
    assert client.post(f"/catalog/versions/{version.pk}/review/", {"opinion": "同意"}).status_code == 302
    client.force_login(people.city_staffing)
    assert client.post(f"/catalog/versions/{version.pk}/cosign/", {"opinion": "会签"}).status_code == 302
    client.force_login(people.city_admin)
    response = client.post(f"/catalog/versions/{version.pk}/publish/", {"effective_date": TODAY.isoformat()})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.state == VersionState.PUBLISHED
    assert "高空抛物隐患" in client.get("/catalog/public/").content.decode()
    assert client.post(f"/catalog/items/{item.code}/exit/", {"reasons": "并入其他事项"}).status_code == 302
    item_exit = ItemExit.objects.get()
    assert f"/catalog/exits/{item_exit.pk}/approve/" not in client.get(f"/catalog/items/{item.code}/").content.decode()
    client.force_login(people.city_staffing)
    page = client.get(f"/catalog/items/{item.code}/").content.decode()
    assert f"/catalog/exits/{item_exit.pk}/cosign/" in page
    assert client.post(f"/catalog/exits/{item_exit.pk}/cosign/", {"opinion": "会签同意"}).status_code == 302
    client.force_login(people.city_admin)
    response = client.post(f"/catalog/exits/{item_exit.pk}/approve/", {"effective_date": "2026-12-31"})
    assert response.status_code == 302
    item_exit.refresh_from_db()
    assert item_exit.state == ExitState.APPROVED
    log = client.get(f"/catalog/items/{item.code}/").content.decode()
    for step in ("提议", "主管单位审核", "机构编制会签", "发布", "提议退出", "机构编制会签退出", "批准退出"):
        assert step in log


def test_form_errors_appear_next_to_the_field_and_keep_the_input(client, people, today):
    client.force_login(people.city_admin)
    response = client.post("/catalog/propose/", propose_data(attributes="[not json"))
    assert response.status_code == 400 and "attributes" in response.context["form"].errors
    response = client.post("/catalog/propose/", propose_data(attributes="[" * 100_000 + "]" * 100_000))
    assert response.status_code == 400 and "attributes" in response.context["form"].errors  # was a 500
    response = client.post("/catalog/propose/", propose_data(general_accept_limit=""))
    assert response.status_code == 400
    assert response.context["form"].errors["general_accept_limit"] == ["事件类事项须填写大于零的时限。"]
    assert "高空抛物隐患" in response.content.decode()
    assert ServiceItem.objects.count() == 0


def test_a_step_by_the_wrong_role_is_forbidden(client, people, today):
    version = propose(people.city_admin)
    client.force_login(people.city_staffing)
    assert client.post(f"/catalog/versions/{version.pk}/review/", {}).status_code == 403
    client.force_login(people.outsider)
    assert client.post("/catalog/propose/", propose_data()).status_code == 403


def test_a_district_item_is_invisible_outside_its_district(client, people, tree, today):
    version = propose(people.district_admin, level="district", district=tree.county)
    client.force_login(people.other_admin)
    assert client.get(f"/catalog/items/{version.item.code}/").status_code == 404
    assert version.item.code not in client.get("/catalog/").content.decode()


def test_publishing_in_the_past_is_a_form_error(client, people, today):
    version = propose(people.city_admin)
    version.state = VersionState.COSIGNED
    version.save()
    client.force_login(people.city_admin)
    response = client.post(f"/catalog/versions/{version.pk}/publish/", {"effective_date": "2020-01-01"})
    assert response.status_code == 400 and "生效日期不得早于今天" in response.content.decode()


def test_compare_shows_changed_fields(client, people, today):
    v1 = publish_new(people, TODAY)
    propose(people.city_admin, item=v1.item, content={"name": "邻里纠纷调处"})
    client.force_login(people.city_admin)
    response = client.get(f"/catalog/items/{v1.item.code}/compare/", {"a": 1, "b": 2})
    assert response.status_code == 200
    changed = [r["label"] for r in response.context["rows"] if r["changed"]]
    assert changed == ["名称"]


def test_item_list_filters_by_state(client, people, today):
    publish_new(people, TODAY)
    propose(people.city_admin, content={"name": "审核中事项"})
    client.force_login(people.city_admin)
    rows = client.get("/catalog/", {"state": "有版本审核中"}).context["rows"]
    assert [r["latest"].name for r in rows] == ["审核中事项"]


def test_temporary_matters_page_records_a_consent(client, people, tree, today):
    client.force_login(people.district_admin)
    data = {"title": "防汛临时巡查", "area": tree.township.pk, "start": "2026-11-30", "end": "2026-12-10"}
    assert client.post("/catalog/temporary/", data).status_code == 302
    assert "防汛临时巡查" in client.get("/catalog/temporary/").content.decode()


def test_item_list_searches_by_name_or_code(client, people, today):
    publish_new(people, TODAY)  # 04-001 邻里纠纷
    propose(people.city_admin, content={"name": "审核中事项"})
    for user in (people.city_admin, UserFactory(is_superuser=True, is_staff=True)):
        client.force_login(user)
        searches = [("邻里", ["邻里纠纷"]), ("04-001", ["邻里纠纷"]), ("审核中", ["审核中事项"]), ("x" * 3000, [])]
        for q, names in searches:
            for params in ({"q": q}, {"q": q, "category": "4"}):
                response = client.get("/catalog/", params)
                # Was a 500 for a superuser (a distinct() queryset OR-ed with a plain one).
                assert response.status_code == 200
                assert [r["latest"].name for r in response.context["rows"]] == names, params
