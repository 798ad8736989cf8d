"""Demo events for 海曙区 (`manage.py seed_demo`): every state, the last ~4 months.

Built THROUGH the services, with `at=` backdating each step, by the demo users of
personnel/demo.py (gridworker, gridleader, dispatcher, handler, supervisor) on the
published items of catalog/demo.py. Deterministic for a given `rng`.

On every run (also on an existing database, as `make run` seeds each time) one fresh
event is dispatched and left unsigned, with its accept clock set to warn two minutes
and fall due five minutes after seeding, so that while `make run` runs it turns yellow,
then red, and escalates to the district (issue 5 "done when").
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog.choices import Grade
from catalog.models import ServiceItem
from grids.choices import Level
from personnel.choices import PlatformRole
from personnel.models import Assignment, Membership

from . import services as s
from . import workflow
from .choices import AlertLevel, RejectReason
from .models import Dispatch, Event
from .workcalendar import is_workday

DEMO_USERS = ("gridworker", "gridleader", "dispatcher", "handler", "supervisor")
TITLES = [
    ("楼道堆放杂物", "3 号楼一至三层楼道堆放纸箱、旧家具，影响通行，存在消防隐患。"),
    ("电动自行车楼道充电", "5 号楼单元门口有居民私拉电线为电动自行车充电。"),
    ("路灯损坏", "小区东门至菜场路段两盏路灯不亮，夜间行人出行不便。"),
    ("邻里噪音纠纷", "12 幢 401 与 501 住户因装修噪音发生争执，需调解。"),
    ("占道经营", "菜场北侧人行道有流动摊贩占道经营。"),
    ("窨井盖缺失", "社区南门人行道窨井盖缺失，已临时围挡。"),
    ("独居老人需帮扶", "7 幢独居老人行动不便，反映买药困难。"),
    ("违规搭建", "沿街店铺在后院搭建彩钢棚。"),
    ("垃圾分类不规范", "小区垃圾投放点混投严重，桶边堆放垃圾。"),
    ("河道漂浮物", "社区段河道有大量漂浮垃圾。"),
]
# Final states of the demo events, in proportion.
PLAN = (
    ["closed"] * 10
    + ["closed_rated"] * 12
    + ["reported"] * 3
    + ["accepted"] * 2
    + ["escalated"] * 2
    + ["dispatched"] * 3
    + ["handling"] * 4
    + ["suspended"] * 1
    + ["extended"] * 2
    + ["result_submitted"] * 3
    + ["verified"] * 2
    + ["rework"] * 2
    + ["rejected"] * 2
    + ["duplicate"] * 1
    + ["self_handled"] * 4
    + ["returned"] * 1
)


class DemoDataMissing(RuntimeError):
    pass


def reportable_items(grid) -> list[ServiceItem]:
    """Catalogue items in force in `grid` today that have handling rules (what demo events report)."""
    return [
        item
        for item in ServiceItem.objects.for_area(grid)
        .filter(current_version__isnull=False)
        .select_related("current_version")
        .order_by("code")
        if item.current_version.rules.exists() and s.version_in_force(item, grid, timezone.localdate())
    ]


def _context():
    users = {u.username: u for u in get_user_model().objects.filter(username__in=DEMO_USERS)}
    missing = [u for u in DEMO_USERS if u not in users]
    if missing:
        raise DemoDataMissing(f"events demo needs the personnel demo users first (missing: {', '.join(missing)})")
    assignment = (
        Assignment.objects.current()
        .filter(staff__user=users["gridworker"], area__level=Level.GRID)
        .select_related("area")
        .first()
    )
    if assignment is None:
        raise DemoDataMissing("events demo: gridworker has no current grid assignment")
    grid = assignment.area
    unit = Membership.objects.current().filter(user=users["handler"], role=PlatformRole.HANDLER).first()
    if unit is None:
        raise DemoDataMissing("events demo: the handler demo user has no handling unit")
    items = reportable_items(grid)
    if not items:
        raise DemoDataMissing("events demo needs published catalogue items with handling rules (catalog demo)")
    return users, grid, unit.organisation, items


def _working_moment(rng, day: datetime.date) -> datetime.datetime:
    while not is_workday(day):
        day += datetime.timedelta(days=1)
    minute = rng.choice([rng.randint(8 * 60 + 40, 11 * 60 + 30), rng.randint(13 * 60 + 40, 17 * 60)])
    naive = datetime.datetime.combine(day, datetime.time(minute // 60, minute % 60))
    return timezone.make_aware(naive)


def _later(rng, t, lo=15, hi=240):
    return t + datetime.timedelta(minutes=rng.randint(lo, hi))


def _demo_attributes(rng, version, day: datetime.date) -> dict:
    """Plausible values for the item's report fields (catalog attribute specs)."""
    values = {}
    for spec in version.attributes or []:
        kind, keys = spec.get("type"), [c["key"] for c in spec.get("choices", [])]
        if kind == "number":
            values[spec["code"]] = rng.randint(2, 6)
        elif kind == "date":
            values[spec["code"]] = day.isoformat()
        elif kind == "single" and keys:
            values[spec["code"]] = rng.choice(keys)
        elif kind == "multiple" and keys:
            values[spec["code"]] = [rng.choice(keys)]
        elif kind == "text":
            values[spec["code"]] = "见事件描述"
    return values


def _run(plan, *, rng, users, grid, unit, items, t, micro):
    w, leader, disp, handler, sup = (users[u] for u in DEMO_USERS)
    item = rng.choice(items)
    title, text = rng.choice(TITLES)
    grade = rng.choice([Grade.GENERAL] * 6 + [Grade.SERIOUS] * 2 + [Grade.MAJOR])
    area = micro if micro is not None and rng.random() < 0.3 else grid
    reporter = rng.choice([w, w, leader])
    common = {
        "area": area,
        "item": item,
        "title": title,
        "description": text,
        "discovered_at": t - datetime.timedelta(minutes=rng.randint(5, 180)),
        "grade": grade,
        "address": f"{grid.name}{rng.randint(1, 20)} 幢附近",
        "attributes": _demo_attributes(rng, item.current_version, timezone.localdate(t)),
    }
    if plan == "self_handled" and item.current_version.self_handle:
        return s.event_self_handle(actor=leader, result_text="已现场劝导整改完毕。", at=t, **common)
    ev = s.event_report(actor=reporter, at=t, **common)
    if plan == "reported":
        return ev
    t = _later(rng, t)
    if plan in ("rejected", "duplicate"):
        if plan == "duplicate":
            original = Event.objects.exclude(pk=ev.pk).filter(area__in=[grid, area], item=item).first()
            if original is not None:
                return s.event_reject(
                    actor=disp, event=ev, reason=RejectReason.DUPLICATE, original=original, text="重复上报", at=t
                )
        return s.event_reject(actor=disp, event=ev, reason=RejectReason.INVALID, text="现场核实无此情况", at=t)
    if plan == "escalated":
        return s.event_escalate(actor=disp, event=ev, text="涉及区级部门职责，提请区级派遣", at=t)
    ev = s.event_accept(actor=disp, event=ev, at=t)
    if plan == "accepted":
        return ev
    t = _later(rng, t, 5, 60)
    ev = s.event_dispatch(actor=disp, event=ev, lead_unit=unit, text="请按时处置", at=t)
    if plan == "dispatched":
        return ev
    t = _later(rng, t, 10, 100)
    if plan == "returned":
        return s.event_return(actor=handler, event=ev, reason="不属于本单位职责范围", at=t)
    ev = s.event_sign(actor=handler, event=ev, at=t)
    if plan == "handling":
        return ev
    t = _later(rng, t, 60, 600)
    if plan == "suspended":
        ev = s.event_request(actor=handler, event=ev, kind="suspension", reason="当事人外出，待其返回", at=t)
        return s.event_request_decide(actor=disp, event=ev, approve=True, reason="同意挂起", at=_later(rng, t))
    if plan == "extended":
        ev = s.event_request(
            actor=handler,
            event=ev,
            kind="extension",
            reason="需协调物业",
            extra_amount=2,
            extra_unit="working_day",
            at=t,
        )
        return s.event_request_decide(actor=disp, event=ev, approve=True, reason="同意延期", at=_later(rng, t))
    ev = s.event_submit_result(actor=handler, event=ev, text="已到现场处置完毕，附整改照片。", at=t)
    if plan == "result_submitted":
        return ev
    t = _later(rng, t, 30, 300)
    if plan == "rework":
        return s.event_verify(actor=w, event=ev, passed=False, text="现场核查仍未整改到位", at=t)
    ev = s.event_verify(actor=w, event=ev, passed=True, text="现场核查已整改", at=t)
    if ev.status == "verified":
        if plan == "verified":
            return ev
        closer = sup if workflow.close_level(ev) == "county" else disp
        ev = s.event_close(actor=closer, event=ev, at=_later(rng, t))
    if plan == "closed_rated" and ev.reporter_id:
        ev = s.event_rate(
            actor=ev.reporter, event=ev, score=rng.choice([5, 5, 5, 4, 4, 3, 2]), comment="处理及时", at=_later(rng, t)
        )
    if ev.is_open and rng.random() < 0.5:
        s.event_urge(actor=sup, event=ev.pk, text="请加快办理", at=_later(rng, t))
    return ev


def _live_event(*, users, grid, unit, items, stdout):
    """A dispatched, unsigned event whose accept clock warns in 2 and expires in 5 minutes."""
    w, disp = users["gridworker"], users["dispatcher"]
    now = timezone.now()
    ev = s.event_report(
        actor=w,
        area=grid,
        item=items[0],
        title="消防通道被占用（演示：5 分钟后超期）",
        description="小区消防通道被私家车长期占用。",
        discovered_at=now - datetime.timedelta(minutes=10),
    )
    ev = s.event_accept(actor=disp, event=ev)
    ev = s.event_dispatch(actor=disp, event=ev, lead_unit=unit, text="演示：请在 5 分钟内签收")
    # Demo only: shorten the accept clock so the alerts happen while `make run` runs.
    warn, due = now + datetime.timedelta(minutes=2), now + datetime.timedelta(minutes=5)
    Event.objects.filter(pk=ev.pk).update(
        accept_warn_at=warn, accept_due_at=due, next_alert_at=warn, alert_level=AlertLevel.NONE
    )
    Dispatch.objects.filter(event=ev, active=True).update(accept_due_at=due)
    stdout.write(
        f"  events: {ev.number} dispatched, turns yellow at {timezone.localtime(warn):%H:%M}, red at "
        f"{timezone.localtime(due):%H:%M}"
    )


def seed(*, scale, rng, stdout):
    """Seed demo events (see module docstring). Skips, saying so, when the personnel or
    catalogue demo data are absent altogether; raises DemoDataMissing when they are there
    but incomplete (a demo user missing, no grid, no unit, no item with rules)."""
    from .sweep import describe, sweep_due

    if not get_user_model().objects.filter(username__in=DEMO_USERS).exists():
        stdout.write("  events: skipped — the personnel demo users do not exist (personnel/demo.py)")
        return
    if not ServiceItem.objects.filter(current_version__isnull=False).exists():
        stdout.write("  events: skipped — no published catalogue items (catalog/demo.py)")
        return
    users, grid, unit, items = _context()
    if not Event.objects.filter(reporter__username__in=DEMO_USERS).exists():
        micro = grid.get_children().filter(level=Level.MICRO_GRID).first()
        today = timezone.localdate()
        plans = list(PLAN) * (2 if scale == "ningbo" else 1)
        rng.shuffle(plans)
        days = sorted(today - datetime.timedelta(days=rng.randint(1, 120)) for _ in plans)
        made = 0
        for plan, day in zip(plans, days, strict=True):
            t = _working_moment(rng, day)
            if t >= timezone.now():
                continue
            _run(plan, rng=rng, users=users, grid=grid, unit=unit, items=items, t=t, micro=micro)
            made += 1
        counts = sweep_due()
        stdout.write(f"  events: {made} demo events in {grid.name}; alerts fired: {describe(counts)}")
    _live_event(users=users, grid=grid, unit=unit, items=items, stdout=stdout)
