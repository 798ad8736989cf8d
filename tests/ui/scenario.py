"""A staffed grid for the browser tests: `make_tree()` plus the people on its public card."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from grids.models import Area
from personnel.choices import GridRole, OrgKind, PlatformRole
from personnel.models import Assignment, Membership, Organisation, Staff
from tests.factories import Tree, UserFactory, make_tree

#: Personal data that must never appear on a public page.
LEADER_MOBILE = "13900001111"
LEADER_ID_NUMBER = "330203198001011234"


@dataclass
class StaffedGrid:
    tree: Tree
    grid: Area
    worker_user: object  # the full-time worker's login ("gridworker")
    dispatcher_user: object  # a township dispatcher with no grid role


def _staff(name: str, work_id: str, **fields) -> Staff:
    return Staff.objects.create(name=name, work_id=work_id, **fields)


def make_staffed_grid() -> StaffedGrid:
    """`tree.grid` with a current leader, full-time worker and instructor, plus people who
    must NOT be on its card: a worker who left yesterday and a part-time worker."""
    tree = make_tree()
    today = timezone.localdate()
    long_ago = today - datetime.timedelta(days=400)
    Area.objects.filter(pk=tree.township.pk).update(supervision_phone="0574-87150000")
    Area.objects.filter(pk=tree.grid.pk).update(area_description="尹江路以东、望春桥以南，共12个小区。")
    grid = Area.objects.get(pk=tree.grid.pk)

    worker_user = UserFactory(username="gridworker", first_name="李专职")
    leader = _staff(
        "张网格长",
        "NB0001",
        work_phone="0574-87001111",
        mobile=LEADER_MOBILE,
        id_number=LEADER_ID_NUMBER,
        duties="统筹本网格服务管理工作",
    )
    worker = _staff("李专职", "NB0002", user=worker_user, work_phone="0574-87002222", mobile="13900002222")
    instructor = _staff("王指导", "NB0003", work_phone="0574-87003333", duties="指导、督促网格工作")
    former = _staff("赵离任", "NB0004", work_phone="0574-87004444")
    parttime = _staff("钱兼职", "NB0005", work_phone="0574-87005555")
    for staff, role, end in [
        (leader, GridRole.GRID_LEADER, None),
        (worker, GridRole.FULLTIME_WORKER, None),
        (instructor, GridRole.INSTRUCTOR, None),
        (former, GridRole.FULLTIME_WORKER, today - datetime.timedelta(days=1)),
        (parttime, GridRole.PARTTIME_WORKER, None),
    ]:
        Assignment.objects.create(staff=staff, area=grid, role=role, start=long_ago, end=end)

    office = Organisation.objects.create(name="南门街道办事处", kind=OrgKind.TOWNSHIP_OFFICE, area=tree.township)
    dispatcher_user = UserFactory(username="dispatcher")
    Membership.objects.create(user=dispatcher_user, organisation=office, role=PlatformRole.DISPATCHER, start=long_ago)
    return StaffedGrid(tree=tree, grid=grid, worker_user=worker_user, dispatcher_user=dispatcher_user)
