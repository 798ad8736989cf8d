"""Each step is refused to the wrong role (403) and outside the jurisdiction (404)."""

import pytest

from events import services as s
from events.exceptions import NotFound, PermissionDenied
from events.models import Event

pytestmark = pytest.mark.django_db


def _at(world, stage):
    """An event brought to `stage` by the right people."""
    ev = world.report()
    if stage == "reported":
        return ev
    ev = s.event_accept(actor=world.dispatcher, event=ev)
    if stage == "accepted":
        return ev
    ev = s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)
    if stage == "dispatched":
        return ev
    ev = s.event_sign(actor=world.handler, event=ev)
    if stage == "handling":
        return ev
    ev = s.event_submit_result(actor=world.handler, event=ev, text="done")
    if stage == "result_submitted":
        return ev
    raise AssertionError(stage)


STEPS = [
    # (step, stage, call, wrong role in jurisdiction, outsider)
    ("accept", "reported", lambda a, e: s.event_accept(actor=a, event=e), "worker", "dispatcher2"),
    ("reject", "reported", lambda a, e: s.event_reject(actor=a, event=e, reason="invalid"), "worker", "other_worker"),
    ("escalate", "reported", lambda a, e: s.event_escalate(actor=a, event=e, text="x"), "leader", "dispatcher2"),
    (
        "dispatch",
        "accepted",
        lambda a, e: s.event_dispatch(actor=a, event=e, lead_unit=e.township_id),
        "worker",
        "other_handler",
    ),
    ("sign", "dispatched", lambda a, e: s.event_sign(actor=a, event=e), "dispatcher", "handler2"),
    ("return", "dispatched", lambda a, e: s.event_return(actor=a, event=e, reason="x"), "dispatcher", "outsider"),
    (
        "request",
        "handling",
        lambda a, e: s.event_request(actor=a, event=e, kind="suspension", reason="x"),
        "worker",
        "other_handler",
    ),
    ("submit", "handling", lambda a, e: s.event_submit_result(actor=a, event=e, text="x"), "dispatcher", "dispatcher2"),
    ("verify", "result_submitted", lambda a, e: s.event_verify(actor=a, event=e, passed=True), "handler", "worker2"),
    ("urge", "handling", lambda a, e: s.event_urge(actor=a, event=e, text="x"), "handler", "dispatcher2"),
    ("comment", "reported", lambda a, e: s.event_comment(actor=a, event=e, text="x"), "worker", "other_worker"),
]


@pytest.mark.parametrize(("step", "stage", "call", "wrong", "outsider"), STEPS, ids=[x[0] for x in STEPS])
def test_step_refused_to_wrong_role_and_outside_jurisdiction(world, step, stage, call, wrong, outsider):
    ev = _at(world, stage)
    version = ev.version
    with pytest.raises(PermissionDenied):
        call(getattr(world, wrong), Event.objects.get(pk=ev.pk))
    with pytest.raises(NotFound):
        call(getattr(world, outsider), Event.objects.get(pk=ev.pk))
    ev.refresh_from_db()
    assert ev.version == version and ev.status == stage


def test_report_refused_outside_the_grid_and_to_non_reporters(world):
    with pytest.raises(NotFound):
        world.report(actor=world.other_worker)
    with pytest.raises(NotFound):
        world.report(actor=world.worker2)  # a sibling grid's worker does not see this grid
    with pytest.raises(PermissionDenied):
        world.report(actor=world.dispatcher)  # dispatchers enter public demands, not staff reports
    ev = world.report(actor=world.dispatcher, source="public_demand", contact_name="王先生")
    assert ev.source == "public_demand"


def test_self_handle_refused_to_part_time_roles(world):
    with pytest.raises(PermissionDenied):
        s.event_self_handle(
            actor=world.micro_leader,
            area=world.tree.micro_grid,
            item=world.item,
            title="t",
            description="d",
            discovered_at=world.report().discovered_at,
            result_text="r",
        )


def test_decide_and_resume_only_by_the_dispatcher(world):
    ev = _at(world, "handling")
    ev = s.event_request(actor=world.handler, event=ev, kind="suspension", reason="x")
    with pytest.raises(PermissionDenied):
        s.event_request_decide(actor=world.handler, event=ev, approve=True)
    with pytest.raises(NotFound):
        s.event_request_decide(actor=world.dispatcher2, event=ev, approve=True)
    ev = s.event_request_decide(actor=world.dispatcher, event=ev, approve=True)
    with pytest.raises(PermissionDenied):
        s.event_resume(actor=world.handler, event=ev)


def test_rating_refused_to_others_than_the_reporter(world):
    ev = _at(world, "result_submitted")
    ev = s.event_verify(actor=world.worker, event=ev, passed=True)
    with pytest.raises(PermissionDenied):
        s.event_rate(actor=world.leader, event=ev, score=3)
