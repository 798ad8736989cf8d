"""Reporting (Art. 17, 18, 19, 29, 30): validation, listed items, emergencies, patrols, duplicates."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from catalog.choices import Grade, ListLevel, VersionState
from events import services as s
from events.choices import ActionKind, Source
from events.messaging import Notification
from events.models import Action
from events.selectors import event_by_tracking_code, similar_open_events
from tests.scenario import make_item

pytestmark = pytest.mark.django_db


def errors(exc):
    return exc.value.message_dict


def test_an_unlisted_or_retired_item_is_refused(world):
    # Retirement is dated: the exit sets effective_to (catalog.models.in_force).
    retired = make_item("04-009", state=VersionState.RETIRED, effective_to=datetime.date(2025, 5, 31))
    with pytest.raises(ValidationError) as exc:
        world.report(item=retired)
    assert "第十九条" in errors(exc)["item"][0]
    expired = make_item("04-010", effective_to=datetime.date(2025, 1, 1))
    with pytest.raises(ValidationError):
        world.report(item=expired)
    future = make_item("04-011", effective_from=datetime.date(2026, 1, 1))
    with pytest.raises(ValidationError):
        world.report(item=future)
    with pytest.raises(ValidationError):
        world.report(item="99-999")


def test_district_items_apply_only_in_their_district(world):
    own = make_item("04-101", level=ListLevel.DISTRICT, district=world.tree.county)
    other = make_item("04-102", level=ListLevel.DISTRICT, district=world.tree.county2)
    assert world.report(item=own).item == own
    with pytest.raises(ValidationError):
        world.report(item=other)


def test_report_validates_times_coordinates_and_fields(world):
    from django.utils import timezone

    with pytest.raises(ValidationError) as exc:
        world.report(discovered_at=timezone.now() + datetime.timedelta(minutes=5))
    assert "discovered_at" in errors(exc)
    # A typo'd year (1926 for 2026) is refused, not counted as a century of lateness.
    with pytest.raises(ValidationError) as exc:
        world.report(discovered_at=timezone.now() - datetime.timedelta(days=400))
    assert "discovered_at" in errors(exc)
    assert world.report(discovered_at=timezone.now() - datetime.timedelta(days=300)).pk
    with pytest.raises(ValidationError) as exc:
        world.report(latitude=95, longitude=121.5, datum="")
    assert {"latitude", "datum"} <= set(errors(exc))
    with pytest.raises(ValidationError) as exc:
        world.report(latitude=29.87, longitude=None)
    ev = world.report(latitude="29.868336", longitude="121.543990", datum="gcj02")
    assert str(ev.latitude) == "29.868336" and ev.datum == "gcj02"
    with pytest.raises(ValidationError) as exc:
        world.report(grade="apocalyptic", title=" ")
    assert {"grade", "title"} <= set(errors(exc))
    with pytest.raises(ValidationError) as exc:  # a village is not a grid
        world.report(actor=world.dispatcher, source="public_demand", area=world.tree.village)
    assert "area" in errors(exc)


def test_report_fields_follow_the_item(world):
    item = make_item(
        "04-020",
        attributes=[
            {"code": "floor", "label": "楼层", "type": "number", "required": True},
            {"code": "kind", "label": "类型", "type": "single", "choices": [{"key": "box", "label": "纸箱"}]},
        ],
    )
    with pytest.raises(ValidationError) as exc:
        world.report(item=item, attributes={"kind": "sofa"})
    assert len(errors(exc)["attributes"]) == 2
    ev = world.report(item=item, attributes={"floor": 3, "kind": "box"})
    assert ev.attributes == {"floor": 3, "kind": "box"}


def test_reporting_delay_is_recorded(world):
    from django.utils import timezone

    ev = world.report(discovered_at=timezone.now() - datetime.timedelta(hours=3))
    data = Action.objects.get(event=ev, kind=ActionKind.REPORT).data
    assert data["reporting_delay_hours"] == 3.0
    assert data["reporting_delay_working_hours"] == "0.50"  # only 08:30–09:00 was working time


def test_emergency_alerts_everyone_of_the_grid_township_and_district_at_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ev = world.report(grade=Grade.EMERGENCY, actor=world.micro_leader, area=world.tree.micro_grid)
    told = set(Notification.objects.filter(event=ev).values_list("user_id", flat=True))
    assert told == {
        world.worker.pk,
        world.leader.pk,
        world.micro_leader.pk,
        world.dispatcher.pk,
        world.supervisor.pk,
    }
    assert world.worker2.pk not in told and world.dispatcher2.pk not in told


def test_numbers_are_daily_sequences(world):
    a, b = world.report(), world.report()
    assert a.number == "E20250609000001" and b.number == "E20250609000002"
    assert event_by_tracking_code(a.tracking_code.lower()) == a


def test_report_from_a_patrol_links_back(world):
    from events.exceptions import Conflict, NotFound, PermissionDenied

    patrol = s.patrol_start(actor=world.worker, area=world.tree.grid)
    with pytest.raises(Conflict):  # one open patrol per person
        s.patrol_start(actor=world.worker, area=world.tree.micro_grid)
    ev = world.report(patrol=patrol, area=world.tree.micro_grid)
    assert ev.source == Source.PATROL and ev.patrol == patrol
    patrol = s.patrol_end(actor=world.worker, patrol=patrol, households_visited=12, notes="走访 12 户")
    assert patrol.households_visited == 12 and patrol.ended_at
    with pytest.raises(ValidationError):
        world.report(actor=world.leader, patrol=patrol)
    with pytest.raises(NotFound):
        s.patrol_start(actor=world.other_worker, area=world.tree.grid)
    with pytest.raises(PermissionDenied):
        s.patrol_start(actor=world.dispatcher, area=world.tree.grid)


def test_similar_open_events_are_offered_for_merging(world):
    first = world.report()
    in_micro = world.report(area=world.tree.micro_grid, actor=world.leader)
    elsewhere = world.report(area=world.tree.grid2, actor=world.worker2)
    closed = s.event_reject(actor=world.dispatcher, event=world.report(), reason="invalid")
    found = list(similar_open_events(area=world.tree.grid, item=world.item, user=world.worker))
    assert found == [in_micro, first]
    assert elsewhere not in found and closed not in found


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "标" * 121),
        ("description", "述" * 5001),
        ("address", "路" * 201),
        ("contact_name", "王" * 51),
        ("contact_phone", "1" * 21),
        ("external_ref", "r" * 65),
        ("title", "a\x00b"),
        ("address", "\x00"),
    ],
)
def test_overlong_or_nul_text_is_refused_not_cut(world, field, value):
    """Every caller (form, API, Open311, public demand) meets the same limits in the service:
    nothing is truncated silently, and nothing reaches PostgreSQL that it cannot store."""
    with pytest.raises(ValidationError) as exc:
        world.report(**{field: value})
    assert field in errors(exc)


@pytest.mark.parametrize(
    "changes",
    [
        {"title": 123},
        {"description": ["a", "b"]},
        {"address": {"x": 1}},
        {"address": "路" * 201},
        {"contact_phone": "1" * 21},
        {"title": "a\x00b"},
        {"title": "   "},
    ],
)
def test_corrections_are_checked_like_reports(world, changes):
    ev = world.report()
    with pytest.raises(ValidationError) as exc:
        s.event_correct(actor=world.worker, event=ev, changes=changes, text="更正")
    assert set(changes) <= set(errors(exc))
    ev.refresh_from_db()
    assert ev.actions.filter(kind=ActionKind.CORRECTION).count() == 0
