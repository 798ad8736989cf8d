import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from personnel import services
from personnel.models import AreaGrant, Assignment, Staff
from tests.factories import UserFactory
from tests.personnel.factories import LONG_AGO, StaffFactory, grid_user, org
from tests.scenario import make_area, make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return make_tree()


def grant_codenames(user, area):
    return set(AreaGrant.objects.filter(user=user, content_object=area).values_list("permission__codename", flat=True))


def test_second_grid_leader_is_refused_while_the_first_is_in_office(tree):
    first, second = StaffFactory(), StaffFactory()
    services.assignment_start(actor=None, staff=first, area=tree.grid, role="grid_leader", start=LONG_AGO)
    with pytest.raises(ValidationError) as exc:
        services.assignment_start(actor=None, staff=second, area=tree.grid, role="grid_leader")
    assert "已有网格长" in str(exc.value)
    assert Assignment.objects.filter(area=tree.grid, role="grid_leader").count() == 1


def test_replace_ends_the_old_grid_leader_the_day_before(tree):
    old_user = grid_user(tree.grid, "grid_leader")
    new = StaffFactory()
    start = datetime.date(2025, 6, 1)
    services.assignment_start(actor=None, staff=new, area=tree.grid, role="grid_leader", start=start, replace=True)
    old = Assignment.objects.get(staff__user=old_user)
    assert old.end == datetime.date(2025, 5, 31)
    assert Assignment.objects.current().get(area=tree.grid, role="grid_leader").staff == new
    assert grant_codenames(old_user, tree.grid) == set()  # the old leader lost the grid at once


def test_micro_grid_leader_must_be_a_current_parttime_worker_of_the_parent_grid(tree):
    staff = StaffFactory()
    with pytest.raises(ValidationError) as exc:
        services.assignment_start(actor=None, staff=staff, area=tree.micro_grid, role="micro_grid_leader")
    assert "兼职网格员" in str(exc.value)
    services.assignment_start(actor=None, staff=staff, area=tree.grid, role="parttime_worker", start=LONG_AGO)
    a = services.assignment_start(actor=None, staff=staff, area=tree.micro_grid, role="micro_grid_leader")
    assert a.pk


def test_micro_grid_leader_only_on_a_micro_grid_and_grid_roles_only_on_grids(tree):
    staff = StaffFactory()
    with pytest.raises(ValidationError, match="微网格"):
        services.assignment_start(actor=None, staff=staff, area=tree.grid, role="micro_grid_leader")
    with pytest.raises(ValidationError, match="网格或微网格"):
        services.assignment_start(actor=None, staff=staff, area=tree.village, role="fulltime_worker")


def test_end_before_start_is_refused(tree):
    with pytest.raises(ValidationError, match="结束日期"):
        services.assignment_start(
            actor=None,
            staff=StaffFactory(),
            area=tree.grid,
            role="fulltime_worker",
            start=datetime.date(2025, 2, 1),
            end=datetime.date(2025, 1, 1),
        )


def test_ending_a_parttime_worker_ends_their_micro_grid_leadership(tree):
    user = grid_user(tree.micro_grid, "micro_grid_leader")
    parttime = Assignment.objects.get(staff__user=user, role="parttime_worker")
    services.assignment_end(actor=None, assignment=parttime)
    assert not Assignment.objects.current().filter(staff__user=user).exists()
    assert not AreaGrant.objects.filter(user=user).exists()


def test_actor_without_change_permission_cannot_assign(tree):
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        services.assignment_start(actor=outsider, staff=StaffFactory(), area=tree.grid, role="fulltime_worker")


def test_work_ids_are_unique_sequential_and_never_reused(tree):
    a = services.staff_create(actor=None, name="甲", area=tree.grid)
    b = services.staff_create(actor=None, name="乙", area=tree.grid)
    year = datetime.date.today().year
    assert a.work_id == f"NB330203{year}00001"
    assert b.work_id == f"NB330203{year}00002"
    b.delete()
    c = services.staff_create(actor=None, name="丙", area=tree.grid)
    assert c.work_id == f"NB330203{year}00003"
    other = services.staff_create(actor=None, name="丁", area=tree.other_grid)
    assert other.work_id.startswith("NB330205")
    assert Staff.objects.values("work_id").distinct().count() == Staff.objects.count()


def test_staff_create_rejects_bad_personal_data_with_field_messages(tree):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(actor=None, name="甲", area=tree.grid, mobile="12345", id_number="110105194912310021")
    assert set(exc.value.message_dict) == {"mobile", "id_number"}
    assert not Staff.objects.exists()


def test_grants_sync_is_idempotent_and_follows_roles(tree):
    user = grid_user(tree.grid, "grid_leader")
    assert grant_codenames(user, tree.grid) >= {"view_area", "change_area", "view_personal_data"}
    count = AreaGrant.objects.filter(user=user).count()
    assert services.grants_sync(user=user) == (0, 0)
    assert AreaGrant.objects.filter(user=user).count() == count


def test_dispatcher_grants_sit_on_the_township(tree):
    from tests.personnel.factories import member_user

    user = member_user(org(tree.township), "dispatcher")
    assert "dispatch_event" in grant_codenames(user, tree.township)


def test_daily_sync_starts_future_roles_and_stops_ended_ones(tree):
    staff = StaffFactory(user=UserFactory())
    user = staff.user
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, 0), tick=False):
        services.assignment_start(
            actor=None,
            staff=staff,
            area=tree.grid,
            role="fulltime_worker",
            start=datetime.date(2026, 3, 2),
            end=datetime.date(2026, 3, 3),
        )
        assert not AreaGrant.objects.filter(user=user).exists()  # not yet in office
    with time_machine.travel(datetime.datetime(2026, 3, 2, 0, 5), tick=False):
        assert services.grants_sync_due() == 1
        assert "view_area" in grant_codenames(user, tree.grid)
    with time_machine.travel(datetime.datetime(2026, 3, 4, 0, 5), tick=False):
        services.grants_sync_due()
        assert not AreaGrant.objects.filter(user=user).exists()


def test_a_new_grid_is_only_reached_by_those_above_it(tree):
    leader = grid_user(tree.grid, "grid_leader")
    new_grid = make_area(tree.village, "grid")
    from personnel.scope import has_area_perm

    assert not has_area_perm(leader, "view_area", new_grid)


def test_mask_name_keeps_the_first_character_and_always_two_stars():
    from personnel.masking import mask_name

    assert [mask_name(v) for v in ("王小明", "欧阳娜娜", "李四", "王", "", None, " Smith ")] == [
        "王**",
        "欧**",
        "李**",
        "*",
        "",
        "",
        "S**",
    ]


@pytest.mark.django_db
def test_an_access_log_row_names_exactly_one_subject():
    from django.db import IntegrityError, transaction

    from personnel.models import PersonalDataAccess
    from tests.factories import UserFactory

    with pytest.raises(IntegrityError), transaction.atomic():
        PersonalDataAccess.objects.create(actor=UserFactory(), field="contact", purpose="回访")
