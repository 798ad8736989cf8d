import datetime
import io
import random

import pytest

from personnel import demo, scope
from personnel.models import Assignment, Membership, Organisation, Staff, Training
from personnel.teams import invitable_members
from tests.scenario import make_tree

pytestmark = pytest.mark.django_db


def run(seed=1):
    out = io.StringIO()
    demo.seed(scale="demo", rng=random.Random(seed), stdout=out)
    return out.getvalue()


def test_seed_refuses_without_grids():
    with pytest.raises(demo.SeedError, match="海曙区"):
        run()


def test_seed_creates_organisations_staff_and_logins_idempotently():
    tree = make_tree()
    run()
    counts = (Organisation.objects.count(), Staff.objects.count(), Assignment.objects.count())
    run()
    assert (Organisation.objects.count(), Staff.objects.count(), Assignment.objects.count()) == counts
    assert Organisation.objects.filter(name="宁波市机构编制委员会办公室", department="staffing").exists()
    assert Organisation.objects.filter(name="南门街道办事处", area=tree.township).exists()
    # Every grid: one leader, a full-time worker, an instructor; each micro-grid a leader.
    for grid in (tree.grid, tree.grid2):
        roles = sorted(Assignment.objects.current().filter(area=grid).values_list("role", flat=True))
        assert roles.count("grid_leader") == 1 and "fulltime_worker" in roles and "instructor" in roles
    assert Assignment.objects.current().filter(area=tree.micro_grid, role="micro_grid_leader").count() == 1
    worker = Staff.objects.get(user__username="gridworker")
    assert worker.assignments.get().area == tree.grid
    users = {m.user.username: m for m in Membership.objects.select_related("user", "organisation")}
    assert users["dispatcher"].organisation.area == tree.township
    assert users["handler"].organisation.name == "海曙区司法局"
    gridworker = worker.user
    assert gridworker.first_name == "周晓燕"
    assert gridworker.check_password("grid-demo-2026")
    assert scope.has_area_perm(gridworker, "view_area", tree.grid)
    assert not scope.has_area_perm(gridworker, "view_area", tree.grid2)
    assert scope.has_area_perm(users["supervisor"].user, "view_area", tree.grid2)
    assert not scope.has_area_perm(users["supervisor"].user, "view_area", tree.other_grid)
    for staff in Staff.objects.all():
        staff.full_clean()  # valid mobiles and ID numbers


def test_seed_is_deterministic():
    make_tree()
    run(seed=7)
    first = list(Staff.objects.order_by("work_id").values_list("name", "mobile", "id_number"))
    Assignment.objects.all().delete()
    Staff.objects.exclude(user__isnull=False).delete()
    run(seed=7)
    again = list(Staff.objects.order_by("work_id").values_list("name", "mobile", "id_number"))
    assert [r for r in first if r[0] not in demo.LOGINS.values()] == [
        r for r in again if r[0] not in demo.LOGINS.values()
    ]


def test_seed_runs_again_after_the_staff_office_added_a_colleague_on_the_demo_grid():
    """`make run` seeds on every start: after the dispatcher added a second full-time
    worker to the demo grid (the staff office's journey), the next seed starts, and the
    logins stay with the people they were given to."""
    tree = make_tree()
    run()
    worker = Staff.objects.get(user__username="gridworker")
    second = Staff.objects.create(name="测试员", work_id="NB-TEST-1")
    start = worker.assignments.get().start
    Assignment.objects.create(staff=second, area=tree.grid, role="fulltime_worker", start=start)

    run()

    assert Staff.objects.get(user__username="gridworker") == worker
    second.refresh_from_db()
    assert (second.name, second.user_id) == ("测试员", None)


def test_the_demo_team_has_a_member_with_a_login_who_can_be_invited_once_across_seeds():
    """#18 item 5: only team members with a platform login can be invited onto an event;
    the demo grid's team has one (`lawyer`), and `make run`'s seed on every start adds
    neither a second member nor a second staff record."""
    tree = make_tree()
    run()
    run()
    invitable = list(invitable_members(tree.grid))
    assert [(m.staff.user.username, m.specialty) for m in invitable] == [("lawyer", "lawyer")]
    assert Staff.objects.filter(user__username="lawyer").count() == 1
    assert invitable[0].staff.user.check_password("grid-demo-2026")


def test_a_colleague_added_after_the_seed_gets_no_2025_demo_training():
    """The demo's 2025 training session holds the demo grid's seeded staff; a person the
    staff office adds later does not acquire it when `make run` seeds again."""
    tree = make_tree()
    run()
    trained = set(Training.objects.values_list("staff_id", flat=True))
    assert Staff.objects.get(user__username="gridworker").pk in trained
    newcomer = Staff.objects.create(name="测试员", work_id="NB-TEST-2")
    Assignment.objects.create(staff=newcomer, area=tree.grid, role="parttime_worker", start=datetime.date(2026, 12, 6))

    run()

    assert set(Training.objects.values_list("staff_id", flat=True)) == trained
    assert not newcomer.trainings.exists()
