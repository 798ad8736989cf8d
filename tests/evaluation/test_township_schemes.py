"""Townships evaluate their own grid leaders, full-time workers and instructors (Art. 22 ¶2)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluation import services
from evaluation.choices import PeriodState, SubjectKind
from evaluation.models import Scheme
from personnel.choices import GridRole
from tests.scenario import grid_user, make_world

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 5, 1)
RULES = [
    {"code": "patrols", "weight": 60, "floor": 0, "target": 20},
    {"code": "events_reported", "weight": 40, "floor": 0, "target": 10},
]


@pytest.fixture
def world():
    w = make_world()
    w.instructor = grid_user(w.tree.grid2, GridRole.INSTRUCTOR)
    return w


def _staff_scheme(world, actor=None, organisation=None, **rules):
    return services.scheme_create(
        actor=actor or world.dispatcher,
        authority=organisation or world.township_office,
        name="南门街道网格员月度考评",
        subject_kind=SubjectKind.STAFF,
        indicators=RULES,
        **rules,
    )


def test_a_township_scores_its_own_grid_staff_and_freezes_the_scores(world):
    scheme = _staff_scheme(world)
    period = services.period_open(actor=world.dispatcher, scheme=scheme, day=DAY)
    scores = services.period_compute(actor=world.dispatcher, period=period)
    scored = {s.user for s in scores}
    # the township's grid leader, full-time workers and instructor; not the micro-grid leader,
    # not the staff of another district
    assert scored == {world.leader, world.worker, world.worker2, world.instructor}
    assert world.other_worker not in scored and world.micro_leader not in scored
    frozen = services.period_freeze(actor=world.dispatcher, period=period)
    assert frozen.state == PeriodState.FROZEN and frozen.frozen_by == world.dispatcher
    with pytest.raises(ValidationError, match="已冻结"):
        services.period_compute(actor=world.dispatcher, period=period)


def test_a_township_cannot_evaluate_another_townships_staff(world):
    with pytest.raises(PermissionDenied):
        _staff_scheme(world, actor=world.dispatcher2)
    scheme = _staff_scheme(world)
    period = services.period_open(actor=world.dispatcher, scheme=scheme, day=DAY)
    with pytest.raises(PermissionDenied):
        services.period_compute(actor=world.dispatcher2, period=period)
    with pytest.raises(PermissionDenied):
        services.period_freeze(actor=world.dispatcher2, period=period)


@pytest.mark.parametrize("kind", [SubjectKind.UNIT, SubjectKind.TOWNSHIP])
def test_a_township_cannot_evaluate_departments_or_townships(world, kind):
    with pytest.raises(ValidationError) as exc:
        services.scheme_create(
            actor=world.dispatcher,
            authority=world.township_office,
            name="越权方案",
            subject_kind=kind,
            indicators=[{"code": "closure_rate", "weight": 100, "floor": 0, "target": 100}],
        )
    assert "subject_kind" in exc.value.message_dict
    assert not Scheme.objects.exists()


def test_a_township_scheme_stays_within_the_authoritys_rules(world):
    services.scheme_create(
        actor=world.supervisor,
        authority=world.authority,
        name="海曙区网格员考评",
        subject_kind=SubjectKind.STAFF,
        indicators=RULES,
        late_report_hours=Decimal(12),
        bonus_max=Decimal(5),
    )
    with pytest.raises(ValidationError) as exc:
        _staff_scheme(world, late_report_hours=Decimal(48), bonus_max=Decimal(8), late_report_penalty=Decimal("0.5"))
    assert set(exc.value.message_dict) == {"late_report_hours", "bonus_max", "late_report_penalty"}
    scheme = _staff_scheme(world, late_report_hours=Decimal(8), bonus_max=Decimal(5))
    with pytest.raises(ValidationError) as exc:
        services.scheme_update(actor=world.dispatcher, scheme=scheme, late_report_hours=Decimal(24))
    assert "late_report_hours" in exc.value.message_dict


def test_the_scheme_pages_serve_a_townships_dispatcher_and_refuse_another(client, world):
    client.force_login(world.dispatcher)
    page = client.get("/evaluation/schemes/new/")
    assert page.status_code == 200 and "南门街道办事处" in page.content.decode()
    assert "海曙区网格化主管单位" not in page.content.decode()
    scheme = _staff_scheme(world)
    assert "南门街道网格员月度考评" in client.get("/evaluation/schemes/").content.decode()
    client.force_login(world.dispatcher2)
    assert "南门街道网格员月度考评" not in client.get("/evaluation/schemes/").content.decode()
    assert client.get(f"/evaluation/schemes/{scheme.pk}/").status_code == 404  # outside its reach


def test_a_township_evaluates_through_the_staff_managing_grant(world):
    """Art. 22 ¶2 is the township's duty over its grid staff: `manage_staff` on the township
    runs its schemes; `change_area` alone (co-ordinating the area's work) does not."""
    from tests.factories import UserFactory
    from tests.scenario import grant

    clerk, coordinator = UserFactory(), UserFactory()
    grant(clerk, world.tree.township, "view_area", "manage_staff")
    grant(coordinator, world.tree.township, "view_area", "change_area")
    assert _staff_scheme(world, actor=clerk).authority == world.township_office
    with pytest.raises(PermissionDenied):
        _staff_scheme(world, actor=coordinator)
