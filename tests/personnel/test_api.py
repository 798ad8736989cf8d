import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from personnel import services
from tests.factories import UserFactory
from tests.personnel.factories import LONG_AGO, StaffFactory, member_user, org
from tests.scenario import make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return make_tree()


@pytest.fixture
def supervisor(tree):
    return member_user(org(tree.county, "authority", "海曙区网格化主管单位", "grid_authority"), "supervisor")


def staff_on(area, role="fulltime_worker", **fields):
    staff = StaffFactory(**fields)
    services.assignment_start(actor=None, staff=staff, area=area, role=role, start=LONG_AGO)
    return staff


def test_staff_list_costs_a_fixed_number_of_queries_per_page(tree, supervisor, client):
    client.force_login(supervisor)
    staff_on(tree.grid)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/staff/").json()["count"] == 1
    for _ in range(20):
        staff_on(tree.grid2, "parttime_worker")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/staff/").json()["count"] == 21
    assert len(few) == len(many)


def test_staff_filters(tree, supervisor, client):
    client.force_login(supervisor)
    a = staff_on(tree.grid, "grid_leader", source="community_worker")
    b = staff_on(tree.grid2, "fulltime_worker", source="township_recruit", is_active=False)
    c = StaffFactory(organisation=org(tree.township))

    def ids(query):
        return {s["id"] for s in client.get(f"/api/v1/staff/?{query}").json()["results"]}

    assert ids(f"area={tree.grid.code}") == {a.pk}
    assert ids(f"within={tree.township.code}") == {a.pk, b.pk, c.pk}
    assert ids(f"within={tree.village.code}") == {a.pk, b.pk}
    assert ids("role=grid_leader") == {a.pk}
    assert ids("source=township_recruit") == {b.pk}
    assert ids("active=false") == {b.pk}
    unknown = client.get("/api/v1/staff/?within=999999999999")
    assert unknown.status_code == 400 and unknown.json()["error_codes"]["within"] == ["unknown"]
    assert client.get("/api/v1/staff/?role=nonsense").status_code == 400


def test_lapsed_insurance_lists_current_micro_grid_leaders_without_cover(tree, supervisor, client):
    today = datetime.date.today()
    lapsed = staff_on(tree.grid, "parttime_worker", insurance_until=today - datetime.timedelta(days=1))
    services.assignment_start(actor=None, staff=lapsed, area=tree.micro_grid, role="micro_grid_leader")
    uninsured = staff_on(tree.grid, "parttime_worker")
    services.assignment_start(actor=None, staff=uninsured, area=tree.micro_grid, role="micro_grid_leader")
    covered = staff_on(tree.grid, "parttime_worker", insurance_until=today)
    services.assignment_start(actor=None, staff=covered, area=tree.micro_grid, role="micro_grid_leader")
    not_leader = staff_on(tree.grid, "parttime_worker", insurance_until=today - datetime.timedelta(days=30))
    client.force_login(supervisor)
    api = {s["id"] for s in client.get("/api/v1/staff/?insurance_lapsed=true").json()["results"]}
    assert api == {lapsed.pk, uninsured.pk}
    page = client.get("/personnel/insurance/lapsed/").content.decode()
    assert lapsed.name in page and uninsured.name in page
    assert covered.name not in page and not_leader.name not in page
    outsider = UserFactory()
    client.force_login(outsider)
    assert lapsed.name not in client.get("/personnel/insurance/lapsed/").content.decode()


def test_organisation_filters_and_scope(tree, supervisor, client):
    office = org(tree.township, "township_office", "南门街道办事处")
    dept = org(tree.county, "department", "海曙区司法局", "justice")
    org(tree.county2, "authority", "江北区网格化主管单位", "grid_authority")
    client.force_login(supervisor)

    def names(query=""):
        return {o["name"] for o in client.get(f"/api/v1/organisations/?{query}").json()["results"]}

    assert names() == {"海曙区网格化主管单位", "南门街道办事处", "海曙区司法局"}
    assert names("kind=department") == {"海曙区司法局"}
    assert names("department=justice") == {"海曙区司法局"}
    assert names(f"area={tree.township.code}") == {"南门街道办事处"}
    assert names(f"within={tree.township.code}") == {"南门街道办事处"}
    assert client.get(f"/api/v1/organisations/{office.pk}/").json()["area"]["code"] == tree.township.code
    assert client.get(f"/api/v1/organisations/{dept.pk}/").status_code == 200
    jb = org(tree.county2, "department", "江北区司法局", "justice")
    assert client.get(f"/api/v1/organisations/{jb.pk}/").status_code == 404


def test_staff_edit_form_shows_chinese_errors_and_keeps_input(tree, client):
    from tests.personnel.factories import grid_user, member_user

    staff = staff_on(tree.grid, "parttime_worker", mobile="13812345678")
    url = f"/personnel/staff/{staff.pk}/edit/"
    client.force_login(grid_user(tree.grid, "grid_leader"))
    assert client.get(url).status_code == 403  # a grid leader sees his colleagues but does not appoint them
    client.force_login(member_user(org(tree.township), "dispatcher"))
    form = client.get(url).content.decode()
    assert "13812345678" not in form
    response = client.post(url, {"name": "新名字", "mobile": "123", "id_number": "110105194912310021"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "手机号码应为11位" in body and "校验位" in body and "新名字" in body
    staff.refresh_from_db()
    assert staff.mobile == "13812345678"
    response = client.post(url, {"name": "新名字", "mobile": "", "work_phone": "0574-87654321"})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert (staff.name, staff.mobile, staff.work_phone) == ("新名字", "13812345678", "0574-87654321")
