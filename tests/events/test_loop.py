"""The closed loop (Art. 17) step by step, and every branch."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.choices import Grade
from events import services as s
from events.choices import ActionKind, AlertLevel, EventStatus, HandlingLevel, RejectReason
from events.exceptions import Conflict, InvalidTransition, PermissionDenied
from events.messaging import Notification
from events.models import Action, Dispatch, Event, Satisfaction
from tests.events.conftest import TZ

pytestmark = pytest.mark.django_db


def kinds(event):
    return list(Action.objects.filter(event=event).order_by("id").values_list("kind", flat=True))


def at(y, m, d, h, mi=0):
    return datetime.datetime(y, m, d, h, mi, tzinfo=TZ)


def test_whole_loop_from_report_to_satisfaction(world, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ev = world.report()
    assert ev.status == EventStatus.REPORTED and ev.version == 1
    assert ev.number.startswith("E20250609") and len(ev.number) == 15
    assert ev.township == world.tree.township and ev.county == world.tree.county
    assert Notification.objects.filter(user=world.dispatcher, event=ev).exists()

    clock.move_to(at(2025, 6, 9, 10))
    ev = s.event_accept(actor=world.dispatcher, event=ev)
    accept = Action.objects.get(event=ev, kind=ActionKind.ACCEPT)
    assert accept.data["accept_delay_working_hours"] == "1.00"
    assert accept.actor_organisation == world.township_office

    with django_capture_on_commit_callbacks(execute=True):
        ev = s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit, co_units=[world.unit2])
    assert ev.status == EventStatus.DISPATCHED and ev.cycle == 1
    # General grade: accept within 2 working hours, warning at 75 %.
    assert ev.accept_due_at == at(2025, 6, 9, 12)
    assert ev.accept_warn_at == at(2025, 6, 9, 11, 30)
    assert ev.next_alert_at == ev.accept_warn_at
    assert set(Dispatch.objects.filter(event=ev).values_list("unit__name", "role")) == {
        ("海曙区综合行政执法局", "lead"),
        ("海曙区住建局", "co"),
    }
    assert Notification.objects.filter(user=world.handler2, event=ev).exists()

    clock.move_to(at(2025, 6, 9, 14))
    ev = s.event_sign(actor=world.handler, event=ev)
    assert ev.status == EventStatus.HANDLING
    # 3 working days from Monday: end of Thursday's working time.
    assert ev.complete_due_at == at(2025, 6, 12, 17, 30)
    assert ev.next_alert_at == ev.complete_warn_at

    ev = s.event_submit_result(actor=world.handler, event=ev, text="已清理完毕。")
    assert ev.status == EventStatus.RESULT_SUBMITTED and ev.next_alert_at is None
    ev = s.event_verify(actor=world.worker, event=ev, passed=True, text="现场核实已清理")
    assert ev.status == EventStatus.CLOSED and ev.closed_at  # close level grid: closes at once
    ev = s.event_rate(actor=world.worker, event=ev, score=5, comment="很快")
    assert Satisfaction.objects.get(event=ev).score == 5
    assert kinds(ev) == [
        ActionKind.REPORT,
        ActionKind.ACCEPT,
        ActionKind.DISPATCH,
        ActionKind.SIGN,
        ActionKind.SUBMIT_RESULT,
        ActionKind.VERIFY_PASS,
        ActionKind.CLOSE,
        ActionKind.SATISFACTION,
    ]
    assert ev.version == 7
    with pytest.raises(Conflict):
        s.event_rate(actor=world.worker, event=ev, score=1)


def test_public_rates_through_the_tracking_code_without_login(world):
    ev = world.report()
    ev = s.event_accept(actor=world.dispatcher, event=ev)
    ev = s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)
    ev = s.event_sign(actor=world.handler, event=ev)
    ev = s.event_submit_result(actor=world.handler, event=ev, text="done")
    ev = s.event_verify(actor=world.worker, event=ev, passed=True)
    from events.exceptions import NotFound

    with pytest.raises(NotFound):
        s.event_rate(event=ev.pk, tracking_code="WRONGCODE123", score=4)
    s.event_rate(event=ev.pk, tracking_code=ev.tracking_code, score=4, comment="满意")
    sat = Satisfaction.objects.get(event=ev)
    assert sat.score == 4 and sat.by_user is None
    assert Action.objects.get(event=ev, kind=ActionKind.SATISFACTION).actor_name == "公众"
    with pytest.raises(ValidationError):
        s.event_rate(event=ev.pk, tracking_code=ev.tracking_code, score=6)


def test_self_handle_closes_at_once(world):
    ev = s.event_self_handle(
        actor=world.leader,
        area=world.tree.grid,
        item=world.item,
        title="井盖松动",
        description="路口井盖松动",
        discovered_at=world.tree.grid.created_at if hasattr(world.tree.grid, "created_at") else at(2025, 6, 9, 8),
        result_text="已现场加固",
    )
    assert ev.status == EventStatus.CLOSED and ev.self_handled
    assert kinds(ev) == [ActionKind.REPORT, ActionKind.SELF_HANDLE]


def test_self_handle_refused_for_items_that_do_not_allow_it(world):
    from tests.scenario import make_item

    item = make_item("04-002", self_handle=False)
    with pytest.raises(ValidationError) as exc:
        s.event_self_handle(
            actor=world.leader,
            area=world.tree.grid,
            item=item,
            title="t",
            description="d",
            discovered_at=at(2025, 6, 9, 8),
            result_text="r",
        )
    assert "item" in exc.value.message_dict


def test_reject_as_duplicate_merges_into_the_original(world):
    original = world.report()
    dup = world.report(actor=world.leader)
    dup = s.event_reject(actor=world.dispatcher, event=dup, reason=RejectReason.DUPLICATE, original=original)
    assert dup.status == EventStatus.REJECTED and dup.merged_into == original
    assert kinds(dup)[-2:] == [ActionKind.REJECT, ActionKind.MERGE]
    assert Action.objects.get(event=original, kind=ActionKind.MERGE).data["merged"] == dup.pk
    original.refresh_from_db()
    assert original.version == 2


def test_reject_duplicate_needs_an_original(world):
    ev = world.report()
    with pytest.raises(ValidationError) as exc:
        s.event_reject(actor=world.dispatcher, event=ev, reason=RejectReason.DUPLICATE)
    assert "original" in exc.value.message_dict
    ev = s.event_reject(actor=world.dispatcher, event=ev.pk, reason=RejectReason.NOT_LISTED, text="非清单")
    assert ev.reject_reason == RejectReason.NOT_LISTED


def test_escalate_then_the_district_dispatches(world):
    ev = world.report()
    with pytest.raises(ValidationError):
        s.event_escalate(actor=world.dispatcher, event=ev, text="")
    ev = s.event_escalate(actor=world.dispatcher, event=ev, text="涉及多个街道")
    assert ev.status == EventStatus.ESCALATED and ev.level == HandlingLevel.COUNTY
    with pytest.raises(PermissionDenied):  # the township no longer routes it
        s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)
    ev = s.event_dispatch(actor=world.supervisor, event=ev, lead_unit=world.unit)
    assert ev.status == EventStatus.DISPATCHED


def test_return_goes_back_for_re_dispatch(world):
    ev = world.report()
    ev = s.event_accept(actor=world.dispatcher, event=ev)
    ev = s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit2)
    with pytest.raises(ValidationError):
        s.event_return(actor=world.handler2, event=ev, reason=" ")
    ev = s.event_return(actor=world.handler2, event=ev, reason="不属于本单位职责")
    assert ev.status == EventStatus.ACCEPTED and ev.return_count == 1 and ev.lead_unit is None
    assert ev.next_alert_at is None
    ev = s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)
    assert ev.cycle == 2 and ev.lead_unit == world.unit
    assert Dispatch.objects.filter(event=ev, active=True).count() == 1
    with pytest.raises(PermissionDenied):
        s.event_sign(actor=world.handler2, event=ev)


def test_dispatch_refuses_units_outside_the_district(world):
    ev = s.event_accept(actor=world.dispatcher, event=world.report())
    with pytest.raises(ValidationError) as exc:
        s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.other_unit)
    assert "lead_unit" in exc.value.message_dict
    with pytest.raises(ValidationError):
        s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.township_office.pk + 999)


def _handling(world, **kw):
    ev = s.event_accept(actor=world.dispatcher, event=world.report(**kw))
    ev = s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)
    return s.event_sign(actor=world.handler, event=ev)


def test_extension_moves_the_deadline_only_on_approval(world):
    ev = _handling(world)
    due = ev.complete_due_at
    ev = s.event_request(
        actor=world.handler, event=ev, kind="extension", reason="需协调", extra_amount=2, extra_unit="working_day"
    )
    assert ev.complete_due_at == due
    with pytest.raises(ValidationError):  # one pending request at a time
        s.event_request(actor=world.handler, event=ev, kind="suspension", reason="x")
    with pytest.raises(ValidationError):
        s.event_request_decide(actor=world.dispatcher, event=ev, approve=False)
    ev = s.event_request_decide(actor=world.dispatcher, event=ev, approve=False, reason="理由不充分")
    assert ev.complete_due_at == due and ev.extension_count == 0
    ev = s.event_request(
        actor=world.handler, event=ev, kind="extension", reason="需协调", extra_amount=2, extra_unit="working_day"
    )
    ev = s.event_request_decide(actor=world.dispatcher, event=ev, approve=True, reason="同意")
    # Thursday 17:30 + 2 working days = Monday 17:30.
    assert ev.complete_due_at == at(2025, 6, 16, 17, 30)
    assert ev.extension_count == 1 and ev.cycle == 2
    assert Action.objects.get(event=ev, kind=ActionKind.APPROVE_REQUEST).data["new_due_at"]


def test_extension_request_needs_an_amount(world):
    ev = _handling(world)
    with pytest.raises(ValidationError) as exc:
        s.event_request(actor=world.handler, event=ev, kind="extension", reason="r", extra_amount=0, extra_unit="x")
    assert {"extra_amount", "extra_unit"} <= set(exc.value.message_dict)


def test_suspension_stops_the_clock_and_resume_restores_the_remaining_time(world, clock):
    ev = _handling(world)  # signed Monday 09:00, due Thursday 17:30
    assert ev.complete_due_at == at(2025, 6, 12, 17, 30)
    clock.move_to(at(2025, 6, 10, 9))  # Tuesday 09:00: remaining = Tue 8h-0.5h … = 2 days + 8h30 to 17:30
    ev = s.event_request(actor=world.handler, event=ev, kind="suspension", reason="等待业主回国")
    ev = s.event_request_decide(actor=world.dispatcher, event=ev, approve=True)
    assert ev.status == EventStatus.SUSPENDED and ev.next_alert_at is None and ev.suspension_count == 1
    from events.sweep import sweep_due

    clock.move_to(at(2025, 6, 20, 9))
    assert sweep_due().get("complete_overdue") is None
    clock.move_to(at(2025, 6, 23, 9))  # resumed the next Monday 09:00
    ev = s.event_resume(actor=world.dispatcher, event=ev)
    assert ev.status == EventStatus.HANDLING
    # Remaining working time at suspension: Tue 09:00 → Thu 17:30 (3 × 7.5h − 0.5h = 22h);
    # from Mon 09:00 that ends Wednesday 17:30.
    assert ev.complete_due_at == at(2025, 6, 25, 17, 30)
    assert ev.next_alert_at is not None


def test_verify_fail_is_rework_with_a_fresh_cycle(world, clock):
    ev = _handling(world)
    ev = s.event_submit_result(actor=world.handler, event=ev, text="已处理")
    with pytest.raises(ValidationError):
        s.event_verify(actor=world.worker, event=ev, passed=False, text="")
    clock.move_to(at(2025, 6, 10, 10))
    ev = s.event_verify(actor=world.worker, event=ev, passed=False, text="杂物仍在")
    assert ev.status == EventStatus.HANDLING and ev.rework_count == 1 and ev.cycle == 2
    assert ev.complete_due_at == at(2025, 6, 13, 17, 30) and ev.alert_level == AlertLevel.NONE
    # Written in the step's own transaction (the outbox), not after its commit.
    assert Notification.objects.filter(user=world.handler, kind=ActionKind.VERIFY_FAIL).exists()


def test_township_close_level_needs_the_dispatcher_to_close(world):
    ev = _handling(world, grade=Grade.SERIOUS)
    ev = s.event_submit_result(actor=world.handler, event=ev, text="已处理")
    ev = s.event_verify(actor=world.worker, event=ev, passed=True)
    assert ev.status == EventStatus.VERIFIED
    with pytest.raises(PermissionDenied):
        s.event_close(actor=world.worker, event=ev)
    ev = s.event_close(actor=world.dispatcher, event=ev)
    assert ev.status == EventStatus.CLOSED


def test_urge_and_comment_any_time(world):
    ev = world.report()
    ev = s.event_urge(actor=world.supervisor, event=ev, text="请尽快受理")
    ev = s.event_comment(actor=world.dispatcher, event=ev, text="已电话联系")
    assert ev.urge_count == 1 and ev.status == EventStatus.REPORTED
    with pytest.raises(PermissionDenied):
        s.event_urge(actor=world.worker, event=ev, text="x")


def test_correction_is_appended_and_keeps_the_original(world):
    ev = world.report()
    ev = s.event_correct(actor=world.worker, event=ev, changes={"address": "3 号楼"}, text="补充地址")
    assert ev.address == "3 号楼"
    action = Action.objects.get(event=ev, kind=ActionKind.CORRECTION)
    assert action.data["changes"] == {"address": {"old": "", "new": "3 号楼"}}
    with pytest.raises(ValidationError):
        s.event_correct(actor=world.worker, event=ev, changes={"status": "closed"}, text="x")


def test_a_stale_copy_gets_a_conflict_and_a_wrong_status_an_invalid_transition(world):
    ev = world.report()
    stale = Event.objects.get(pk=ev.pk)
    s.event_accept(actor=world.dispatcher, event=ev)
    with pytest.raises(Conflict):
        s.event_accept(actor=world.dispatcher, event=stale)
    with pytest.raises(InvalidTransition):
        s.event_accept(actor=world.dispatcher, event=ev.pk)


def test_emergency_uses_natural_hours(world, clock):
    clock.move_to(at(2025, 6, 14, 22))  # Saturday night
    ev = world.report(grade=Grade.EMERGENCY, discovered_at=at(2025, 6, 14, 21, 50))
    ev = s.event_accept(actor=world.dispatcher, event=ev)
    ev = s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)
    assert ev.accept_due_at == at(2025, 6, 14, 23)
    assert ev.accept_warn_at == at(2025, 6, 14, 22, 45)
    ev = s.event_sign(actor=world.handler, event=ev)
    assert ev.complete_due_at == at(2025, 6, 15, 2)
    assert Decimal(ev.version) == 4
