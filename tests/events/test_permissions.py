"""Every step of the registry (`events.workflow.STEPS`), generated from the table: the
right role takes it and the event ends in the row's target (or one of its documented
targets); a role that may see the event but not take the step gets 403
(PermissionDenied); someone outside the jurisdiction gets 404 (NotFound); neither
changes anything."""

import pytest

from catalog.choices import CloseLevel
from events import services as s
from events import workflow
from events.api.views import EventViewSet
from events.choices import EventStatus as S
from events.exceptions import InvalidTransition, NotFound, PermissionDenied
from events.models import Event, Patrol
from tests.scenario import make_item, make_team_member

pytestmark = pytest.mark.django_db


def _reach(world, status, first=None):
    """A new event brought to `status` by the right people, of an item whose rule closes at
    the township (passing verification leaves it verified; the dispatcher closes it);
    `first(world, event)` runs right after the report (e.g. inviting the adviser)."""
    item = make_item("04-777", close_level=CloseLevel.TOWNSHIP) if not hasattr(world, "township_item") else None
    world.township_item = item or world.township_item
    ev = world.report(item=world.township_item)
    path = {
        S.REPORTED: [],
        S.ACCEPTED: ["accept"],
        S.ESCALATED: ["escalate"],
        S.REJECTED: ["reject"],
        S.DISPATCHED: ["accept", "dispatch"],
        S.HANDLING: ["accept", "dispatch", "sign"],
        S.SUSPENDED: ["accept", "dispatch", "sign", "request", "request_decide"],
        S.RESULT_SUBMITTED: ["accept", "dispatch", "sign", "submit_result"],
        S.VERIFIED: ["accept", "dispatch", "sign", "submit_result", "verify"],
        S.CLOSED: ["accept", "dispatch", "sign", "submit_result", "verify", "close"],
    }[status]
    if first is not None:
        ev = first(world, ev)
    for step in path:
        right = ACTORS[workflow.STEPS[step].who][0]
        ev = workflow.STEPS[step].run()(actor=getattr(world, right), event=ev, **INPUT[step](world))
    assert ev.status == status
    return ev


#: who check → (may take it, may see the event but not take it, outside the jurisdiction)
ACTORS = {
    "router": ("dispatcher", "worker", "dispatcher2"),
    "handler": ("handler", "dispatcher", "handler2"),
    "verifier": ("worker", "handler", "worker2"),
    "closer": ("dispatcher", "worker", "dispatcher2"),  # the rule closes at the township
    "overseer": ("dispatcher", "worker", "dispatcher2"),
    "corrector": ("worker", "handler", "other_worker"),
    "rater": ("worker", "leader", "other_worker"),
    "inviter": ("leader", "worker", "dispatcher2"),
    "adviser": ("adviser", "leader", "dispatcher2"),
}

#: Valid input of each step (besides actor and event).
INPUT = {
    "accept": lambda w: {},
    "reject": lambda w: {"reason": "invalid"},
    "escalate": lambda w: {"text": "涉及多个街道"},
    "dispatch": lambda w: {"lead_unit": w.unit},
    "sign": lambda w: {},
    "return": lambda w: {"reason": "不属本单位职责"},
    "request": lambda w: {"kind": "suspension", "reason": "等待鉴定"},
    "request_decide": lambda w: {"approve": True},
    "resume": lambda w: {},
    "submit_result": lambda w: {"text": "已清理"},
    "verify": lambda w: {"passed": True},
    "close": lambda w: {},
    "rate": lambda w: {"score": 5},
    "urge": lambda w: {"text": "请加快"},
    "comment": lambda w: {"text": "已阅"},
    "correct": lambda w: {"changes": {"title": "楼道堆放纸箱"}, "text": "标题有误"},
    "publish": lambda w: {"public": True},
    "unpublish": lambda w: {"public": False},
    "invite": lambda w: {"member": _team_member(w), "role": "adviser", "text": "请提供法律意见"},
    "advise": lambda w: {"text": "建议先行调解"},
}


def _team_member(world):
    """One team member serving the village, made once per world (invitable onto its events)."""
    if not hasattr(world, "team_member"):
        world.team_member = make_team_member(world.tree.village)
    return world.team_member


def _invite_adviser(world, ev):
    """Invite the village's team member onto `ev` as an adviser (`world.adviser`, their login)."""
    member = _team_member(world)
    world.adviser = member.staff.user
    return s.event_invite(actor=world.leader, event=ev, member=member, role="adviser")


#: What must hold right after the report, whatever status the step is tried from.
FIRST = {"advise": _invite_adviser}

#: What must hold before a step besides the status (`Step.when` and pending requests).
PREPARE = {
    "request_decide": lambda w, ev: s.event_request(actor=w.handler, event=ev, kind="suspension", reason="等待鉴定"),
    "unpublish": lambda w, ev: s.event_publish(actor=w.dispatcher, event=ev, public=True),
}

#: The status each step is tried from: the earliest of its sources along the loop
#: (correcting: once dispatched, so that a handler sees the event but may not correct it).
ORDER = [S.REPORTED, S.ACCEPTED, S.ESCALATED, S.DISPATCHED, S.HANDLING, S.SUSPENDED, S.RESULT_SUBMITTED]
ORDER += [S.VERIFIED, S.CLOSED, S.REJECTED]
FROM = {"correct": S.DISPATCHED}

#: Steps on an existing event taken by people (creating steps and the sweep's are below).
TAKEN = sorted(name for name, row in workflow.STEPS.items() if not row.creates and row.who != "system")


def _source(name):
    return FROM.get(name) or next(status for status in ORDER if status in workflow.STEPS[name].sources)


def test_every_step_is_covered():
    """A new row in the table fails here until its input and its actors are given."""
    assert set(INPUT) == set(TAKEN)
    assert {workflow.STEPS[name].who for name in TAKEN} <= set(ACTORS)


@pytest.mark.parametrize("name", TAKEN)
def test_step_ends_in_its_target_and_is_refused_to_others(world, name):
    row = workflow.STEPS[name]
    source = _source(name)
    ev = _reach(world, source, FIRST.get(name))
    if name in PREPARE:
        ev = PREPARE[name](world, ev)
    right, wrong, outsider = ACTORS[row.who]
    version = ev.version
    for actor, error in ((wrong, PermissionDenied), (outsider, NotFound)):
        with pytest.raises(error):
            row.run()(actor=getattr(world, actor), event=Event.objects.get(pk=ev.pk), **INPUT[name](world))
    ev.refresh_from_db()
    assert (ev.version, ev.status) == (version, source)
    ev = row.run()(actor=getattr(world, right), event=Event.objects.get(pk=ev.pk), **INPUT[name](world))
    assert ev.status in row.ends(source)
    assert Event.objects.get(pk=ev.pk).status == ev.status


@pytest.mark.parametrize("name", [n for n in TAKEN if workflow.STEPS[n].sources != workflow._ANY])
def test_step_refused_from_a_status_it_does_not_start_from(world, name):
    """409 invalid_transition to the right role, from a status outside the row's sources
    (for a handler's step, one where the event is dispatched to the handler's unit; not
    escalated, where the district routes instead of the township's dispatcher)."""
    row = workflow.STEPS[name]
    order = ORDER[3:] if row.who == "handler" else [status for status in ORDER if status != S.ESCALATED]
    status = next(status for status in order if status not in row.sources)
    ev = _reach(world, status, FIRST.get(name))
    with pytest.raises(InvalidTransition):
        row.run()(actor=getattr(world, ACTORS[row.who][0]), event=ev, **INPUT[name](world))
    assert Event.objects.get(pk=ev.pk).status == status


def test_other_ends_of_steps_with_several_targets(world):
    """verify: pass closes at once when the rule's close level is the grid, fail is rework
    (handling); return at the district → escalated."""
    ev = s.event_submit_result(actor=world.handler, event=_reach(world, S.HANDLING), text="已清理")
    ev = s.event_verify(actor=world.worker, event=ev, passed=False, text="未整改")
    assert ev.status == S.HANDLING and ev.status in workflow.STEPS["verify"].ends(S.RESULT_SUBMITTED)
    ev = world.report()  # the default item closes at the grid
    for step, who, kwargs in [
        ("accept", "dispatcher", {}),
        ("dispatch", "dispatcher", {"lead_unit": world.unit}),
        ("sign", "handler", {}),
        ("submit_result", "handler", {"text": "已清理"}),
    ]:
        ev = workflow.STEPS[step].run()(actor=getattr(world, who), event=ev, **kwargs)
    ev = s.event_verify(actor=world.worker, event=ev, passed=True)
    assert ev.status == S.CLOSED and ev.status in workflow.STEPS["verify"].ends(S.RESULT_SUBMITTED)
    ev = s.event_escalate(actor=world.dispatcher, event=world.report(), text="跨街道")
    ev = s.event_dispatch(actor=world.supervisor, event=ev, lead_unit=world.unit)
    ev = s.event_return(actor=world.handler, event=ev, reason="不属本单位职责")
    assert ev.status == S.ESCALATED and ev.status in workflow.STEPS["return"].ends(S.DISPATCHED)


def test_creating_steps_end_in_their_target(world):
    ev = world.report()
    assert ev.status == workflow.STEPS["report"].target
    ev = s.event_self_handle(
        actor=world.leader,
        area=world.tree.grid,
        item=world.item,
        title="t",
        description="d",
        discovered_at=ev.discovered_at,
        result_text="已处置",
    )
    assert ev.status == workflow.STEPS["self_handle"].target
    ev = s.event_public_demand(
        area=world.tree.grid, item=world.item, description="路灯坏了", contact_name="王", contact_phone="13800000000"
    )
    assert ev.status == workflow.STEPS["public_demand"].target


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


def test_only_the_system_escalates_automatically(world):
    ev = _reach(world, S.DISPATCHED)
    with pytest.raises(PermissionDenied):
        workflow.authorize(world.supervisor, "auto_escalate", ev)
    workflow.authorize(workflow.SYSTEM, "auto_escalate", ev)
    assert "auto_escalate" not in workflow.available_steps(world.supervisor, ev)


def test_the_api_takes_every_step_with_a_url_under_its_key_scope():
    """Generated from the rows: one action per step with a `url`, with the row's scope."""
    for name, row in workflow.STEPS.items():
        if row.url and not row.creates:
            assert EventViewSet.scope_map[f"step_{name}"] == row.scope
            assert getattr(EventViewSet, f"step_{name}").url_path == row.url
    assert EventViewSet.scope_map["create"] == workflow.STEPS["report"].scope


def test_patrols_are_read_through_restrict(world):
    """Own patrols, and patrols in grids within the reader's reach; nobody else's."""
    mine = s.patrol_log(
        actor=world.worker,
        area=world.tree.grid,
        started_at=world.report().discovered_at,
        ended_at=world.report().discovered_at,
    )
    assert list(Patrol.objects.restrict(world.worker)) == [mine]
    assert list(Patrol.objects.restrict(world.dispatcher)) == [mine]  # the township's grids
    assert not Patrol.objects.restrict(world.worker2).exists()  # a sibling grid
    assert not Patrol.objects.restrict(world.outsider).exists()
