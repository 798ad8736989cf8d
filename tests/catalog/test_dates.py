"""Publication and retirement take effect by themselves on their dates (Art. 13), no task needed."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from catalog import selectors
from catalog.choices import ExitState, VersionState
from catalog.models import ServiceItemVersion
from catalog.services.core import catalog_refresh
from catalog.services.entry import version_cosign, version_publish, version_review
from catalog.services.matters import task_authorise

from .conftest import TODAY, at, propose, publish_new, retire

pytestmark = pytest.mark.django_db
D_NEW = datetime.date(2027, 1, 1)
D_EXIT = datetime.date(2027, 3, 1)


def _publish_v2(people, item, effective_date, name="邻里纠纷（修订）"):
    v2 = propose(people.city_admin, item=item, content={"name": name})
    version_review(actor=people.city_admin, version=v2)
    version_cosign(actor=people.city_staffing, version=v2)
    return version_publish(actor=people.city_admin, version=v2, effective_date=effective_date)


def test_a_scheduled_version_takes_over_on_its_date_without_any_task(people):
    with time_machine.travel(at(TODAY), tick=False):
        v1 = publish_new(people, TODAY)
        v2 = _publish_v2(people, v1.item, D_NEW)
        assert selectors.version_in_force(v1.item) == v1
    with time_machine.travel(at(D_NEW - datetime.timedelta(days=1), 23), tick=False):
        assert selectors.version_in_force(v1.item) == v1
        assert list(selectors.items_in_force()) == [v1]
    with time_machine.travel(at(D_NEW, 0), tick=False):
        assert selectors.version_in_force(v1.item) == v2
        assert list(selectors.items_in_force()) == [v2]
    # The old version stays queryable with its content and rules (events keep it).
    old = ServiceItemVersion.objects.get(pk=v1.pk)
    assert old.name == "邻里纠纷" and old.rules.count() == 4 and old.effective_to == D_NEW - datetime.timedelta(days=1)


def test_an_item_published_for_a_future_date_is_not_in_force_before_it(people):
    with time_machine.travel(at(TODAY), tick=False):
        version = publish_new(people, D_NEW)
        assert selectors.version_in_force(version.item) is None
        assert not selectors.items_in_force().exists()
    assert selectors.version_in_force(version.item, on=D_NEW) == version


def test_an_approved_exit_retires_the_item_on_its_date_and_refuses_new_tasks(people, tree):
    with time_machine.travel(at(TODAY), tick=False):
        version = publish_new(people, TODAY)
        retire(people, version.item, D_EXIT)
    with time_machine.travel(at(D_EXIT - datetime.timedelta(days=1)), tick=False):
        assert task_authorise(item_code="04-001", area=tree.grid) == version
    with time_machine.travel(at(D_EXIT), tick=False):
        assert selectors.version_in_force(version.item) is None
        with pytest.raises(ValidationError, match="未纳入清单管理的事项"):
            task_authorise(item_code="04-001", area=tree.grid)


def test_the_daily_refresh_caches_current_version_and_marks_superseded_and_retired(people):
    with time_machine.travel(at(TODAY), tick=False):
        v1 = publish_new(people, TODAY)
        v2 = _publish_v2(people, v1.item, D_NEW)
        item_exit = retire(people, v1.item, D_EXIT)
        v1.item.refresh_from_db()
        assert v1.item.current_version == v1
    with time_machine.travel(at(D_NEW, 0), tick=False):
        from catalog.tasks import refresh_catalogue

        assert refresh_catalogue() == 1
        v1.refresh_from_db()
        v1.item.refresh_from_db()
        assert v1.state == VersionState.SUPERSEDED and v1.item.current_version == v2
        assert catalog_refresh() == 0  # idempotent
    with time_machine.travel(at(D_EXIT, 0), tick=False):
        catalog_refresh()
        v2.refresh_from_db()
        item_exit.refresh_from_db()
        v2.item.refresh_from_db()
        assert v2.state == VersionState.RETIRED and item_exit.state == ExitState.RETIRED
        assert v2.item.current_version is None


def test_the_refresh_task_is_scheduled_daily(settings):
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "catalog.refresh_catalogue"]
    assert len(entries) == 1
