"""The permission matrix: each role × (own grid, sibling grid, parent township, other district) × (view, change).

Checked three ways: `personnel.scope.has_area_perm` on the target node, the staff API
(detail: 200 or 404) and the HTML staff pages (detail 200/404; edit 200, 403 or 404).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grids.models import Area
from personnel import scope, services
from personnel.models import AreaGrant, Assignment, PersonalDataAccess, Staff
from tests.factories import UserFactory
from tests.personnel.factories import LONG_AGO, StaffFactory, grid_user, member_user, org
from tests.scenario import make_tree

pytestmark = pytest.mark.django_db

TARGETS = ["own", "sibling", "township", "other"]

#: role → the targets it may view, and those it may change.
MATRIX = {
    "grid_leader": ({"own"}, {"own"}),
    "fulltime_worker": ({"own"}, set()),
    "parttime_worker": ({"own"}, set()),
    "micro_grid_leader": ({"own"}, set()),
    "instructor": ({"own"}, set()),
    "dispatcher": ({"own", "sibling", "township"}, {"own", "sibling", "township"}),
    "supervisor": ({"own", "sibling", "township"}, {"own", "sibling", "township"}),
    "handler": (set(), set()),
    "catalog_admin": ({"own", "sibling", "township", "other"}, set()),
    "outsider": (set(), set()),
}

#: role → the targets whose staff it may manage (`manage_staff`: edit records, give and end
#: roles): the township's staff office and the authorities, not a grid leader.
MANAGE = {role: (targets if role in ("dispatcher", "supervisor") else set()) for role, (_v, targets) in MATRIX.items()}

#: role → may it unmask the own grid's staff?
UNMASK = {
    "grid_leader": 200,
    "fulltime_worker": 403,
    "parttime_worker": 403,
    "micro_grid_leader": 403,
    "instructor": 403,
    "dispatcher": 200,
    "supervisor": 200,
    "handler": 404,
    "catalog_admin": 403,
    "outsider": 404,
}


@pytest.fixture
def world():
    tree = make_tree()
    office = org(tree.township, "township_office", "南门街道办事处")
    authority = org(tree.county, "authority", "海曙区网格化主管单位", "grid_authority")
    city_authority = org(tree.city, "authority", "宁波市网格化主管单位", "grid_authority")
    justice = org(tree.county, "department", "海曙区司法局", "justice")
    targets = {}
    for key, area in (("own", tree.grid), ("sibling", tree.grid2), ("other", tree.other_grid)):
        staff = StaffFactory(name=f"目标{key}", mobile="13812345678", id_number="11010519491231002X")
        services.assignment_start(actor=None, staff=staff, area=area, role="parttime_worker", start=LONG_AGO)
        targets[key] = staff
    targets["township"] = StaffFactory(name="目标township", organisation=office, mobile="13912345678")
    nodes = {"own": tree.grid, "sibling": tree.grid2, "township": tree.township, "other": tree.other_grid}
    users = {
        "grid_leader": grid_user(tree.grid, "grid_leader"),
        "fulltime_worker": grid_user(tree.grid, "fulltime_worker"),
        "parttime_worker": grid_user(tree.grid, "parttime_worker"),
        "micro_grid_leader": grid_user(tree.micro_grid, "micro_grid_leader"),
        "instructor": grid_user(tree.grid, "instructor"),
        "dispatcher": member_user(office, "dispatcher"),
        "supervisor": member_user(authority, "supervisor"),
        "handler": member_user(justice, "handler"),
        "catalog_admin": member_user(city_authority, "catalog_admin"),
        "outsider": UserFactory(),
    }
    return {"tree": tree, "targets": targets, "nodes": nodes, "users": users, "justice": justice}


CASES = [(role, target) for role in MATRIX for target in TARGETS]


@pytest.mark.parametrize(("role", "target"), CASES)
def test_scope_matches_the_matrix(world, role, target):
    user, node = world["users"][role], world["nodes"][target]
    can_view, can_change = (target in s for s in MATRIX[role])
    assert scope.has_area_perm(user, "view_area", node) is can_view
    assert scope.has_area_perm(user, "change_area", node) is can_change
    assert scope.has_area_perm(user, "manage_staff", node) is (target in MANAGE[role])


@pytest.mark.parametrize(("role", "target"), CASES)
def test_staff_api_and_pages_follow_the_matrix(world, client, role, target):
    user, staff = world["users"][role], world["targets"][target]
    can_view, can_manage = target in MATRIX[role][0], target in MANAGE[role]
    client.force_login(user)
    assert client.get(f"/api/v1/staff/{staff.pk}/").status_code == (200 if can_view else 404)
    assert client.get(f"/personnel/staff/{staff.pk}/").status_code == (200 if can_view else 404)
    edit = client.get(f"/personnel/staff/{staff.pk}/edit/").status_code
    assert edit == (200 if can_manage else 403 if can_view else 404)
    assert client.get(f"/staff-office/staff/{staff.pk}/").status_code == (200 if can_manage else 404)
    listed = {s["id"] for s in client.get("/api/v1/staff/?limit=200").json()["results"]}
    assert (staff.pk in listed) is can_view
    page = client.get("/personnel/staff/").content.decode()
    assert (f"目标{target}" in page) is can_view


@pytest.mark.parametrize("role", list(MATRIX))
def test_personal_data_is_masked_for_every_role(world, client, role):
    client.force_login(world["users"][role])
    staff = world["targets"]["own"]
    for url in ("/api/v1/staff/", f"/api/v1/staff/{staff.pk}/", "/personnel/staff/", f"/personnel/staff/{staff.pk}/"):
        body = client.get(url).content.decode()
        assert "13812345678" not in body
        assert "11010519491231002X" not in body
    if role not in ("handler", "outsider"):
        data = client.get(f"/api/v1/staff/{staff.pk}/").json()
        assert data["mobile"] == "138****5678"
        assert data["id_number"] == "110105**********002X"


@pytest.mark.parametrize("role", list(MATRIX))
def test_unmasking_needs_personal_data_permission_and_is_logged_without_the_value(world, client, role):
    client.force_login(world["users"][role])
    staff = world["targets"]["own"]
    response = client.post(
        f"/api/v1/staff/{staff.pk}/unmask/",
        {"field": "mobile", "purpose": "核实上报事件联系人"},
        content_type="application/json",
    )
    assert response.status_code == UNMASK[role]
    logs = PersonalDataAccess.objects.filter(actor=world["users"][role], staff=staff)
    if UNMASK[role] == 200:
        assert response.json() == {"field": "mobile", "value": "13812345678"}
        log = logs.get()
        assert (log.field, log.purpose) == ("mobile", "核实上报事件联系人")
        assert "13812345678" not in str([getattr(log, f.attname) for f in log._meta.fields])
    else:
        assert not logs.exists()


def test_each_unmasking_writes_one_log_row_in_the_html_page_too(world, client):
    leader = world["users"]["grid_leader"]
    staff = world["targets"]["own"]
    client.force_login(leader)
    url = f"/personnel/staff/{staff.pk}/"
    for field, value in (("mobile", "13812345678"), ("id_number", "11010519491231002X")):
        response = client.post(url, {"field": field, "purpose": "走访核实"})
        assert value in response.content.decode()
    assert PersonalDataAccess.objects.filter(actor=leader, staff=staff).count() == 2


def test_unmask_without_purpose_is_a_field_error_and_not_logged(world, client):
    client.force_login(world["users"]["grid_leader"])
    staff = world["targets"]["own"]
    response = client.post(
        f"/api/v1/staff/{staff.pk}/unmask/", {"field": "mobile", "purpose": ""}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "purpose" in response.json()["errors"]
    page = client.post(f"/personnel/staff/{staff.pk}/", {"field": "mobile", "purpose": ""})
    assert "13812345678" not in page.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_handler_sees_the_staff_of_their_own_department(world, client):
    colleague = StaffFactory(name="同事", organisation=world["justice"])
    client.force_login(world["users"]["handler"])
    assert client.get(f"/api/v1/staff/{colleague.pk}/").status_code == 200
    names = [o["name"] for o in client.get("/api/v1/organisations/").json()["results"]]
    assert names == ["海曙区司法局"]


def test_ending_an_assignment_takes_effect_on_the_next_request(world, client):
    leader = world["users"]["grid_leader"]
    staff = world["targets"]["own"]
    client.force_login(leader)
    assert client.get(f"/api/v1/staff/{staff.pk}/").status_code == 200
    services.assignment_end(actor=None, assignment=Assignment.objects.get(staff__user=leader))
    assert client.get(f"/api/v1/staff/{staff.pk}/").status_code == 401  # its sessions ended (security.receivers)
    client.force_login(leader)
    assert client.get(f"/api/v1/staff/{staff.pk}/").status_code == 404
    assert client.get(f"/personnel/grids/{world['tree'].grid.code}/staff/").status_code == 404


def test_ending_a_membership_takes_effect_on_the_next_request(world, client):
    dispatcher = world["users"]["dispatcher"]
    client.force_login(dispatcher)
    staff = world["targets"]["sibling"]
    assert client.get(f"/api/v1/staff/{staff.pk}/").status_code == 200
    services.membership_end(actor=None, membership=dispatcher.memberships.get())
    assert client.get(f"/api/v1/staff/{staff.pk}/").status_code == 401  # its sessions ended (security.receivers)
    client.force_login(dispatcher)
    assert client.get(f"/api/v1/staff/{staff.pk}/").status_code == 404


def test_grid_page_shows_current_and_past_staff(world, client):
    tree = world["tree"]
    old = StaffFactory(name="前任网格长")
    services.assignment_start(actor=None, staff=old, area=tree.grid2, role="grid_leader", start=LONG_AGO)
    services.assignment_end(actor=None, assignment=old.assignments.get())
    client.force_login(world["users"]["dispatcher"])
    body = client.get(f"/personnel/grids/{tree.grid2.code}/staff/").content.decode()
    current, past = body.split("历任人员")
    assert "目标sibling" in current and "前任网格长" in past
    assert "13812345678" not in body


def test_anonymous_gets_nothing(world, client):
    assert client.get("/api/v1/staff/").status_code == 401
    assert client.get("/personnel/staff/").status_code == 302


def _bulk_nodes(n: int, offset: int) -> list[Area]:
    """`n` root nodes in trees of their own (no MPTT rebuild needed: each is lft=1, rght=2)."""
    nodes = [
        Area(
            code=f"9{offset + i:011d}", name=f"n{i}", level="grid", tree_id=10_000 + offset + i, lft=1, rght=2, depth=0
        )
        for i in range(n)
    ]
    return Area.objects.bulk_create(nodes)


@pytest.mark.parametrize("endpoint", ["/api/v1/staff/", "/api/v1/organisations/"])
def test_restrict_costs_the_same_queries_with_100_or_5000_grants(world, client, endpoint):
    from django.contrib.auth.models import Permission

    view = Permission.objects.get(codename="view_area", content_type__app_label="grids")
    counts = []
    for n, offset in ((100, 0), (5000, 100)):
        user = UserFactory()
        AreaGrant.objects.bulk_create(
            AreaGrant(user=user, permission=view, content_object=a) for a in _bulk_nodes(n, offset)
        )
        AreaGrant.objects.create(user=user, permission=view, content_object=world["tree"].county)
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(endpoint)
        assert response.status_code == 200 and response.json()["count"] > 0
        with CaptureQueriesContext(connection) as direct:
            seen = Staff.objects.restrict(user, "view").count()
        counts.append((len(ctx), len(direct), seen))
    assert counts[0] == counts[1]
    assert counts[0][1] == 1  # restrict itself: one query
    assert counts[0][2] == Staff.objects.exclude(pk=world["targets"]["other"].pk).count()
