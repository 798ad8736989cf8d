"""Art. 19: a task for grid staff names an item in force where it applies, or a recorded temporary consent."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog.services.matters import task_authorise, temporary_matter_approve

from .conftest import TODAY, publish_district, publish_new

pytestmark = pytest.mark.django_db
REFUSAL = "未纳入清单管理的事项，未经网格化主管单位同意，不得要求网格服务管理人员办理"


def test_a_city_item_in_force_authorises_tasks_anywhere(people, tree, today):
    version = publish_new(people, TODAY)
    assert task_authorise(item_code=version.item.code, area=tree.grid) == version
    assert task_authorise(item_code=version.item.code, area=tree.other_grid) == version


def test_a_district_item_authorises_tasks_only_in_its_district(people, tree, today):
    version = publish_district(people, tree, TODAY)
    assert task_authorise(item_code=version.item.code, area=tree.micro_grid) == version
    with pytest.raises(ValidationError, match=REFUSAL):
        task_authorise(item_code=version.item.code, area=tree.other_grid)


def test_an_unlisted_or_unpublished_matter_is_refused_with_the_article_19_message(people, tree, today):
    from .conftest import propose

    pending = propose(people.city_admin)
    for code in ("99-999", pending.item.code, None):
        with pytest.raises(ValidationError) as exc:
            task_authorise(item_code=code, area=tree.grid)
        assert REFUSAL in exc.value.messages[0]


def test_a_recorded_temporary_matter_authorises_tasks_in_its_area_until_its_end(people, tree, today):
    matter = temporary_matter_approve(
        actor=people.district_admin,
        title="第七次人口普查入户协助",
        area=tree.township,
        start=TODAY,
        end=TODAY + datetime.timedelta(days=10),
    )
    assert matter.approved_by == people.district_admin
    assert task_authorise(temporary_matter=matter, area=tree.grid) == matter
    with pytest.raises(ValidationError, match=REFUSAL):
        task_authorise(temporary_matter=matter, area=tree.other_grid)
    with pytest.raises(ValidationError, match=REFUSAL):  # expired
        task_authorise(temporary_matter=matter, area=tree.grid, on=TODAY + datetime.timedelta(days=11))
    with pytest.raises(ValidationError, match=REFUSAL):  # not yet started
        task_authorise(temporary_matter=matter, area=tree.grid, on=TODAY - datetime.timedelta(days=1))


def test_only_the_authority_over_the_area_may_consent_to_a_temporary_matter(people, tree, today):
    for who in ("other_admin", "district_staffing", "outsider"):
        with pytest.raises(PermissionDenied):
            temporary_matter_approve(
                actor=getattr(people, who), title="临时任务", area=tree.township, start=TODAY, end=TODAY
            )
    with pytest.raises(ValidationError) as exc:
        temporary_matter_approve(
            actor=people.city_admin,
            title="临时任务",
            area=tree.township,
            start=TODAY,
            end=TODAY - datetime.timedelta(1),
        )
    assert "end" in exc.value.message_dict
