"""Entry (准入) and exit (退出) of items: every path, and each step refused to the wrong role (Art. 13)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog.choices import ExitState, Step, VersionState
from catalog.models import ItemExit, LifecycleStep, ServiceItemVersion
from catalog.services.entry import version_cosign, version_publish, version_reject, version_review
from catalog.services.exits import item_exit_approve, item_exit_cosign, item_exit_propose, item_exit_reject
from catalog.services.rules import rules_from_general

from .conftest import TODAY, propose, publish_district, publish_new

pytestmark = pytest.mark.django_db
NEXT_MONTH = TODAY + datetime.timedelta(days=31)


def test_entry_runs_proposed_reviewed_cosigned_published_with_a_step_row_each(people, today):
    version = propose(people.city_admin, opinion="民政局提议")
    assert version.state == VersionState.PROPOSED and version.item.code == "04-001"
    version_review(actor=people.city_admin, version=version, opinion="审核同意")
    version_cosign(actor=people.city_staffing, version=version, opinion="会签同意")
    published = version_publish(actor=people.city_admin, version=version, effective_date=NEXT_MONTH)
    assert published.state == VersionState.PUBLISHED and published.effective_from == NEXT_MONTH
    steps = list(LifecycleStep.objects.filter(version=version).values_list("step", "actor__username", "opinion"))
    assert steps == [
        (Step.PROPOSED, "city_admin", "民政局提议"),
        (Step.REVIEWED, "city_admin", "审核同意"),
        (Step.COSIGNED, "city_staffing", "会签同意"),
        (Step.PUBLISHED, "city_admin", ""),
    ]
    assert LifecycleStep.objects.get(step=Step.PUBLISHED).effective_date == NEXT_MONTH


def test_new_items_are_numbered_within_their_category(people, today):
    first = propose(people.city_admin)
    second = propose(people.city_admin, content={"name": "物业纠纷"})
    other = propose(people.city_admin, content={"category": 6, "name": "助老服务"})
    assert [first.item.code, second.item.code, other.item.code] == ["04-001", "04-002", "06-001"]


def test_rejection_returns_the_version_with_reasons_and_the_proposer_revises_as_a_new_version(people, today):
    version = propose(people.city_admin)
    version_review(actor=people.city_admin, version=version)
    version_reject(actor=people.city_staffing, version=version, reasons="职责不清，请补充配合单位")
    version.refresh_from_db()
    assert version.state == VersionState.REJECTED
    assert LifecycleStep.objects.get(step=Step.REJECTED).opinion == "职责不清，请补充配合单位"
    revised = propose(people.city_admin, item=version.item, content={"supporting_units": "司法所"})
    assert revised.number == 2 and revised.state == VersionState.PROPOSED
    assert ServiceItemVersion.objects.filter(item=version.item).count() == 2


def test_an_overlong_opinion_is_refused_and_the_step_not_taken(people, today):
    version = propose(people.city_admin)
    with pytest.raises(ValidationError) as exc:
        version_review(actor=people.city_admin, version=version, opinion="同意" * 1001)
    assert "2000" in " ".join(exc.value.message_dict["opinion"])
    version.refresh_from_db()
    assert version.state == VersionState.PROPOSED
    assert not LifecycleStep.objects.filter(version=version, step=Step.REVIEWED).exists()


def test_rejection_needs_reasons(people, today):
    version = propose(people.city_admin)
    with pytest.raises(ValidationError) as exc:
        version_reject(actor=people.city_admin, version=version, reasons="  ")
    assert "reasons" in exc.value.message_dict


def test_a_published_version_is_never_edited_a_change_is_a_new_version(people, today):
    v1 = publish_new(people, TODAY)
    v2 = propose(people.city_admin, item=v1.item, content={"name": "邻里纠纷调解"})
    v1.refresh_from_db()
    assert v1.name == "邻里纠纷" and v1.state == VersionState.PUBLISHED
    assert v2.number == 2 and v2.name == "邻里纠纷调解"


def test_a_second_proposal_while_one_is_pending_is_refused(people, today):
    v1 = publish_new(people, TODAY)
    propose(people.city_admin, item=v1.item)
    with pytest.raises(ValidationError, match="正在审核"):
        propose(people.city_admin, item=v1.item)


@pytest.mark.parametrize(
    ("step", "who"),
    [
        ("propose", "outsider"),
        ("propose", "city_staffing"),
        ("propose", "district_admin"),
        ("review", "city_staffing"),
        ("review", "district_admin"),
        ("review", "outsider"),
        ("cosign", "city_admin"),
        ("cosign", "district_staffing"),
        ("publish", "city_staffing"),
        ("publish", "district_admin"),
        ("reject", "outsider"),
        ("reject", "district_staffing"),
    ],
)
def test_each_entry_step_is_refused_to_the_wrong_role(people, today, step, who):
    actor = getattr(people, who)
    version = propose(people.city_admin)
    if step in ("cosign", "publish", "reject"):
        version_review(actor=people.city_admin, version=version)
    if step == "publish":
        version_cosign(actor=people.city_staffing, version=version)
    calls = {
        "propose": lambda: propose(actor, content={"name": "另一事项"}),
        "review": lambda: version_review(actor=actor, version=version),
        "cosign": lambda: version_cosign(actor=actor, version=version),
        "publish": lambda: version_publish(actor=actor, version=version, effective_date=TODAY),
        "reject": lambda: version_reject(actor=actor, version=version, reasons="不同意"),
    }
    before = (LifecycleStep.objects.count(), ServiceItemVersion.objects.get(pk=version.pk).state)
    with pytest.raises(PermissionDenied) as exc:
        calls[step]()
    assert "只有" in str(exc.value)
    assert (LifecycleStep.objects.count(), ServiceItemVersion.objects.get(pk=version.pk).state) == before


def test_steps_out_of_order_are_refused(people, today):
    version = propose(people.city_admin)
    with pytest.raises(ValidationError, match="只有主管单位已审核的版本可以会签"):
        version_cosign(actor=people.city_staffing, version=version)
    with pytest.raises(ValidationError, match="只有机构编制已会签的版本可以发布"):
        version_publish(actor=people.city_admin, version=version, effective_date=TODAY)


def test_district_items_are_reviewed_by_the_district_authority_and_cosigned_by_its_staffing_office(people, tree, today):
    version = propose(people.district_admin, level="district", district=tree.county)
    with pytest.raises(PermissionDenied):
        version_review(actor=people.other_admin, version=version)
    version_review(actor=people.district_admin, version=version)
    with pytest.raises(PermissionDenied):
        version_cosign(actor=people.city_admin, version=version)
    version_cosign(actor=people.district_staffing, version=version)
    version_publish(actor=people.district_admin, version=version, effective_date=TODAY)
    version.item.refresh_from_db()
    assert version.item.district == tree.county and version.item.current_version == version


def test_a_department_of_the_level_may_propose(people, tree, today):
    from personnel.choices import OrgKind, PlatformRole
    from personnel.models import Membership, Organisation

    org = Organisation.objects.create(
        name="宁波市民政局", kind=OrgKind.DEPARTMENT, department="civil_affairs", area=tree.city
    )
    Membership.objects.create(user=people.outsider, organisation=org, role=PlatformRole.HANDLER, start=TODAY)
    version = propose(people.outsider)
    assert version.proposing_organisation == org
    assert LifecycleStep.objects.get(version=version).organisation == org


def test_publication_date_must_not_be_in_the_past_nor_before_the_previous_version(people, today):
    v1 = publish_new(people, NEXT_MONTH)
    v2 = propose(people.city_admin, item=v1.item)
    version_review(actor=people.city_admin, version=v2)
    version_cosign(actor=people.city_staffing, version=v2)
    for bad in (TODAY - datetime.timedelta(days=1), NEXT_MONTH):
        with pytest.raises(ValidationError) as exc:
            version_publish(actor=people.city_admin, version=v2, effective_date=bad)
        assert "effective_date" in exc.value.message_dict


def test_event_items_need_limits_for_every_grade_and_errors_name_the_field(people, today):
    with pytest.raises(ValidationError) as exc:
        propose(people.city_admin, rules=list(rules_from_general("event", 8, 5, "working_day"))[:2])
    assert "major_accept_limit" in exc.value.message_dict
    assert "emergency_accept_limit" in exc.value.message_dict


def test_bad_attribute_definitions_are_refused(people, today):
    with pytest.raises(ValidationError) as exc:
        propose(people.city_admin, content={"attributes": [{"code": "x", "label": "类型", "type": "single"}]})
    assert "attributes" in exc.value.message_dict


def test_exit_runs_proposed_cosigned_approved_and_the_item_leaves_the_list_on_its_date(people, today):
    version = publish_new(people, TODAY)
    item_exit = item_exit_propose(actor=people.city_admin, item=version.item, reasons="职能已调整")
    assert item_exit.state == ExitState.PROPOSED
    with pytest.raises(ValidationError, match="机构编制已会签"):
        item_exit_approve(actor=people.city_admin, item_exit=item_exit, effective_date=NEXT_MONTH)
    with pytest.raises(PermissionDenied):
        item_exit_cosign(actor=people.city_admin, item_exit=item_exit)
    item_exit_cosign(actor=people.city_staffing, item_exit=item_exit, opinion="会签同意")
    item_exit.refresh_from_db()
    assert item_exit.state == ExitState.COSIGNED
    assert version.item.versions.in_force(TODAY).get() == version  # co-signing alone takes nothing off the list
    item_exit_approve(actor=people.city_admin, item_exit=item_exit, effective_date=NEXT_MONTH)
    item_exit.refresh_from_db()
    version.refresh_from_db()
    assert item_exit.state == ExitState.APPROVED and version.effective_to == NEXT_MONTH - datetime.timedelta(days=1)
    steps = list(LifecycleStep.objects.filter(item_exit=item_exit).values_list("step", "actor__username"))
    assert steps == [
        (Step.EXIT_PROPOSED, "city_admin"),
        (Step.EXIT_COSIGNED, "city_staffing"),
        (Step.EXIT_APPROVED, "city_admin"),
    ]
    with pytest.raises(ValidationError, match="已批准退出"):
        propose(people.city_admin, item=version.item)


def test_the_district_staffing_office_cosigns_a_district_items_exit_not_its_authority(people, tree, today):
    version = publish_district(people, tree, TODAY)
    item_exit = item_exit_propose(actor=people.district_admin, item=version.item, reasons="并入市级事项")
    with pytest.raises(PermissionDenied):
        item_exit_cosign(actor=people.district_admin, item_exit=item_exit)
    item_exit_cosign(actor=people.district_staffing, item_exit=item_exit)
    with pytest.raises(ValidationError, match="已提议"):
        item_exit_cosign(actor=people.district_staffing, item_exit=item_exit)
    item_exit_approve(actor=people.district_admin, item_exit=item_exit, effective_date=NEXT_MONTH)
    assert ItemExit.objects.get(pk=item_exit.pk).state == ExitState.APPROVED


def test_the_staffing_office_may_return_an_exit_it_is_asked_to_cosign(people, today):
    version = publish_new(people, TODAY)
    item_exit = item_exit_propose(actor=people.city_admin, item=version.item, reasons="建议退出")
    item_exit_reject(actor=people.city_staffing, item_exit=item_exit, reasons="职责尚未移交")
    item_exit.refresh_from_db()
    assert item_exit.state == ExitState.REJECTED
    step = LifecycleStep.objects.get(item_exit=item_exit, step=Step.EXIT_REJECTED)
    assert step.actor == people.city_staffing and step.opinion == "职责尚未移交"


def test_once_cosigned_only_the_authority_may_return_an_exit(people, today):
    version = publish_new(people, TODAY)
    item_exit = item_exit_propose(actor=people.city_admin, item=version.item, reasons="建议退出")
    item_exit_cosign(actor=people.city_staffing, item_exit=item_exit)
    with pytest.raises(PermissionDenied):
        item_exit_reject(actor=people.city_staffing, item_exit=item_exit, reasons="x")
    item_exit_reject(actor=people.city_admin, item_exit=item_exit, reasons="仍有需要")
    assert ItemExit.objects.get(pk=item_exit.pk).state == ExitState.REJECTED


def test_an_exit_proposal_may_be_rejected_and_the_item_stays(people, today):
    version = publish_new(people, TODAY)
    item_exit = item_exit_propose(actor=people.city_admin, item=version.item, reasons="建议退出")
    item_exit_reject(actor=people.city_admin, item_exit=item_exit, reasons="仍有需要")
    item_exit.refresh_from_db()
    assert item_exit.state == ExitState.REJECTED
    assert version.item.versions.in_force(TODAY).get() == version
    item_exit_propose(actor=people.city_admin, item=version.item, reasons="再次建议退出")


@pytest.mark.parametrize("who", ["outsider", "city_staffing", "district_admin", "district_staffing"])
def test_exit_steps_are_refused_to_the_wrong_role(people, today, who):
    actor = getattr(people, who)
    version = publish_new(people, TODAY)
    with pytest.raises(PermissionDenied):
        item_exit_propose(actor=actor, item=version.item, reasons="x")
    item_exit = item_exit_propose(actor=people.city_admin, item=version.item, reasons="x")
    if who != "city_staffing":
        with pytest.raises(PermissionDenied):
            item_exit_cosign(actor=actor, item_exit=item_exit)
        with pytest.raises(PermissionDenied):
            item_exit_reject(actor=actor, item_exit=item_exit, reasons="x")
    item_exit_cosign(actor=people.city_staffing, item_exit=item_exit)
    with pytest.raises(PermissionDenied):
        item_exit_approve(actor=actor, item_exit=item_exit, effective_date=NEXT_MONTH)
    with pytest.raises(PermissionDenied):
        item_exit_reject(actor=actor, item_exit=item_exit, reasons="x")


def test_an_unpublished_item_cannot_be_proposed_for_exit(people, today):
    version = propose(people.city_admin)
    with pytest.raises(ValidationError, match="尚未发布"):
        item_exit_propose(actor=people.city_admin, item=version.item, reasons="x")
