"""The steps, generated from `emergency.workflow.STEPS`: who, which version, which state."""

import pytest

from emergency import services, workflow
from emergency.choices import CheckInStatus, RecordKind, ResponseStatus
from emergency.models import CheckIn, Record
from events.exceptions import InvalidTransition, NotFound, PermissionDenied, StaleVersion

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

#: How each person-taken step is called on the response world: (subject, kwargs).
CALLS = {
    "raise": {"level": "II", "step": "raise"},
    "lower": {"level": "IV", "step": "lower"},
    "end": {},
    "acknowledge": {},
    "report": {"on_duty": 3, "to_transfer": 12, "hazards": "低洼处积水 30 厘米"},
}
PERSON_STEPS = [n for n, row in workflow.STEPS.items() if row.who != "system" and not row.creates]


def test_every_person_step_is_covered():
    assert sorted(PERSON_STEPS) == sorted(CALLS)


def _subject(world, response, name):
    if workflow.SUBJECT[name] == "response":
        return response, world.supervisor, world.dispatcher
    checkin = CheckIn.objects.get(response=response, area=world.tree.grid)
    return checkin, world.leader, world.worker


def _prepare(world, response, name):
    """Put the subject in a state the step may start from."""
    if name == "lower":
        services.response_relevel(actor=world.supervisor, response=response, version=1, level="III", step="raise")
    if name == "report":
        checkin = CheckIn.objects.get(response=response, area=world.tree.grid)
        services.checkin_acknowledge(actor=world.leader, checkin=checkin, version=1)


@pytest.mark.parametrize("name", PERSON_STEPS)
def test_step_from_the_table(world, leader2, response, name):
    _prepare(world, response, name)
    obj, allowed, refused = _subject(world, response, name)
    obj.refresh_from_db()
    run = workflow.STEPS[name].run()
    arg = "response" if workflow.SUBJECT[name] == "response" else "checkin"
    with pytest.raises(PermissionDenied):
        run(actor=refused, **{arg: obj}, version=obj.version, **CALLS[name])
    with pytest.raises((NotFound, PermissionDenied)):
        run(actor=world.other_supervisor, **{arg: obj}, version=obj.version, **CALLS[name])
    with pytest.raises(StaleVersion):
        run(actor=allowed, **{arg: obj}, version=obj.version + 1, **CALLS[name])
    done = run(actor=allowed, **{arg: obj}, version=obj.version, **CALLS[name])
    assert done.version == obj.version + 1
    assert done.status in workflow.STEPS[name].ends(obj.status)
    if name in ("end", "acknowledge"):
        with pytest.raises(InvalidTransition):
            run(actor=allowed, **{arg: done}, version=done.version, **CALLS[name])


def test_the_timeline_records_raise_lower_end_and_the_reports(world, leader2, response):
    services.response_relevel(actor=world.supervisor, response=response, version=1, level="I", text="风力增强")
    checkin = CheckIn.objects.get(response=response, area=world.tree.micro_grid)
    checkin = services.checkin_acknowledge(actor=world.micro_leader, checkin=checkin, version=1)
    checkin = services.checkin_report(
        actor=world.micro_leader, checkin=checkin, version=2, on_duty=2, to_transfer=5, hazards="广告牌松动"
    )
    assert checkin.status == CheckInStatus.REPORTED and checkin.to_transfer == 5
    response.refresh_from_db()
    services.response_end(actor=world.supervisor, response=response, version=response.version, text="台风已过境")
    kinds = list(Record.objects.filter(response=response).values_list("kind", flat=True))
    assert kinds == [RecordKind.ACTIVATE, RecordKind.RAISE, RecordKind.ACKNOWLEDGE, RecordKind.REPORT, RecordKind.END]
    response.refresh_from_db()
    assert response.status == ResponseStatus.ENDED and response.level == "I"
    # A raise brings the pending check-ins' deadline within the new window.
    pending = CheckIn.objects.get(response=response, area=world.tree.grid2)
    assert pending.due_at <= Record.objects.get(kind=RecordKind.RAISE).at + services.window("I")


def test_a_raise_must_go_up_and_counts_must_be_whole(world, leader2, response):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.response_relevel(actor=world.supervisor, response=response, version=1, level="IV", step="raise")
    checkin = CheckIn.objects.get(response=response, area=world.tree.grid)
    checkin = services.checkin_acknowledge(actor=world.leader, checkin=checkin, version=1)
    with pytest.raises(ValidationError) as caught:
        services.checkin_report(actor=world.leader, checkin=checkin, version=2, on_duty=-1, to_transfer=True)
    assert set(caught.value.message_dict) == {"on_duty", "to_transfer"}


def test_a_checkin_step_is_refused_once_the_response_has_ended(world, leader2, response):
    checkin = CheckIn.objects.get(response=response, area=world.tree.grid)
    assert workflow.available_steps(world.leader, checkin, "checkin") == ["acknowledge"]
    services.response_end(actor=world.supervisor, response=response, version=response.version, text="台风已过境")
    checkin.refresh_from_db()
    assert workflow.available_steps(world.leader, checkin, "checkin") == []
    with pytest.raises(InvalidTransition, match="应急响应已结束"):
        services.checkin_acknowledge(actor=world.leader, checkin=checkin, version=checkin.version)
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.PENDING
