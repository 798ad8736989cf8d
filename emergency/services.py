"""The steps of an emergency response (Art. 18); each is a row of `emergency.workflow.STEPS`.

Every service checks `workflow.authorize` under the row lock, names the version it acts
on, writes its timeline `Record`, and writes its side effects — inbox rows, e-mail/SMS
outbox rows (`events.notify.record`) and webhook deliveries (`integrations`) — in the
same transaction (the transactional outbox, `ningbo_grid.outbox`).

Errors: `events.exceptions` (NotFound, StaleVersion, PermissionDenied,
InvalidTransition) and `django.core.exceptions.ValidationError` ({field: message}) for
bad input; nothing is changed when one is raised.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events import notify
from grids.choices import Level
from grids.models import Area
from personnel.choices import GridRole, PlatformRole

from . import webhooks, workflow
from .choices import RANK, CheckInStatus, RecordKind, ResponseLevel, ResponseStatus
from .models import CheckIn, Record, Response

#: Areas a response may be activated for (its area's every grid and micro-grid respond).
RESPONSE_LEVELS = (Level.COUNTY, Level.TOWNSHIP)


def window(level: str) -> datetime.timedelta:
    """The check-in window of response `level` (settings.EMERGENCY_CHECKIN_MINUTES, minutes)."""
    return datetime.timedelta(minutes=settings.EMERGENCY_CHECKIN_MINUTES[level])


def _record(response: Response, kind: str, actor=None, **fields) -> Record:
    return Record.objects.create(response=response, kind=kind, actor=actor, at=timezone.now(), **fields)


def _insert_checkins(response: Response) -> list[tuple[int, int | None]]:
    """INSERT … SELECT one check-in per active grid and micro-grid under the response's
    area, naming its current leader (grid leader / micro-grid leader); one statement.
    Returns [(check-in id, leader user id or None)] of the rows inserted."""
    qn = connection.ops.quote_name
    area, today = response.area, timezone.localdate()
    checkin, area_t = qn(CheckIn._meta.db_table), qn(Area._meta.db_table)
    from personnel.models import Assignment, Staff

    assignment_t, staff_t = qn(Assignment._meta.db_table), qn(Staff._meta.db_table)
    # Only quoted table names are interpolated; every value goes as a parameter.
    sql = f"""
        INSERT INTO {checkin} (response_id, area_id, township_id, leader_id, status, due_at, hazards, version)
        SELECT %s, a.id, t.id, (
            SELECT s.user_id FROM {assignment_t} g JOIN {staff_t} s ON s.id = g.staff_id
            WHERE g.area_id = a.id AND s.user_id IS NOT NULL
              AND g.role = CASE WHEN a.level = %s THEN %s ELSE %s END
              AND g.start <= %s AND (g."end" IS NULL OR g."end" >= %s)
            ORDER BY g.start DESC, g.id DESC LIMIT 1
        ), %s, %s, '', 1
        FROM {area_t} a JOIN {area_t} t
          ON t.tree_id = a.tree_id AND t.lft <= a.lft AND t.rght >= a.rght AND t.level = %s
        WHERE a.tree_id = %s AND a.lft >= %s AND a.rght <= %s AND a.level IN (%s, %s) AND a.status = 'active'
        ON CONFLICT (response_id, area_id) DO NOTHING
        RETURNING id, leader_id
    """  # noqa: S608
    params = [
        response.pk,
        Level.GRID,
        GridRole.GRID_LEADER,
        GridRole.MICRO_GRID_LEADER,
        today,
        today,
        CheckInStatus.PENDING,
        response.activated_at + window(response.level),
        Level.TOWNSHIP,
        area.tree_id,
        area.lft,
        area.rght,
        Level.GRID,
        Level.MICRO_GRID,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(pk), leader) for pk, leader in cursor.fetchall()]


def _tell(response: Response, record: Record, title: str, body: str = "", watchers_title: str = "") -> None:
    """Notify every leader named on the response's check-ins (set-based:
    `events.notify.record_set`) and the watchers (`_watchers`), urgent, in the caller's
    transaction; keyed by the timeline record (`emergency:<record>`), so once."""
    # No ordering: the ids are a subquery of two INSERT … SELECT (sorting them cost ~0.1 s at 12,000).
    leaders = (
        CheckIn.objects.filter(response=response, leader__isnull=False).order_by().values_list("leader_id", flat=True)
    )
    notify.record_set(leaders, _message(response, title, (), body), cause=f"emergency:{record.pk}")
    watchers = _watchers(response)
    watchers -= set(leaders.filter(leader_id__in=watchers))
    notify.record([_message(response, watchers_title or title, watchers, body)], cause=f"emergency:{record.pk}:w")


def _message(response: Response, title: str, users, body: str = "") -> notify.Message:
    return notify.Message(
        user_ids=set(users) - {None},
        event_id=None,
        kind="emergency",
        title=f"【{response.get_level_display()}{response.get_hazard_display()}】{title}",
        body=body or response.instructions,
        urgent=True,
    )


def _watchers(response: Response) -> set[int]:
    """Dispatchers of the townships and supervisors of the district the response covers."""
    townships = set(CheckIn.objects.filter(response=response).values_list("township_id", flat=True).distinct())
    users: set[int] = set()
    for group in notify.members_by(PlatformRole.DISPATCHER, "area_id", townships).values():
        users |= group
    for group in notify.members_by(PlatformRole.SUPERVISOR, "area_id", {response.county_id}).values():
        users |= group
    return users


def _refuse_overlap(area: Area, county: Area | None, hazard: str) -> None:
    """Raise ValidationError (code `active_response`) naming the active response for
    `hazard` whose area is `area`, an ancestor or a descendant of it: that one is raised or
    lowered instead. Locks the district's row (`county`; else `area`'s) first, so two
    activations in one district (a re-submitted form) take turns and the second sees the first."""
    Area.objects.select_for_update().filter(pk=(county or area).pk).first()
    overlap = Q(area__lft__lte=area.lft, area__rght__gte=area.rght) | Q(
        area__lft__gte=area.lft, area__rght__lte=area.rght
    )
    active = (
        Response.objects.filter(overlap, status=ResponseStatus.ACTIVE, hazard=hazard, area__tree_id=area.tree_id)
        .select_related("area")
        .order_by("activated_at", "id")
        .first()
    )
    if active is not None:
        message = _(
            "%(area)s已有进行中的%(hazard)s应急响应“%(title)s”（%(level)s，编号 %(number)s），"
            "请提升或降低该响应的等级，不要重复启动。"
        ) % {
            "area": active.area.name,
            "hazard": active.get_hazard_display(),
            "title": active.title,
            "level": active.get_level_display(),
            "number": active.pk,
        }
        raise ValidationError({"area": ValidationError(message, code="active_response")})


@transaction.atomic
def response_activate(*, actor, area: Area, hazard: str, level: str, title: str, instructions: str) -> Response:
    """Activate a response (step `activate`) for `area` (a district or township) at `level`.

    One check-in per active grid and micro-grid under `area` is written in one INSERT …
    SELECT, and every leader named, the townships' dispatchers and the district's
    supervisors are notified (inbox, e-mail, SMS: urgent) in the same transaction; the
    departments of the district get `emergency.response_changed`. Raises ValidationError
    for an area that is not a district or township, or one with an active response for
    the same hazard on it, above or below it (`_refuse_overlap`), NotFound / PermissionDenied.

    The response covers the grids of its activation: a grid drawn (or a leader assigned)
    afterwards gets no check-in of its own; a leader assigned later may check in for a
    grid that has one (`workflow.is_leader`)."""
    if area.level not in RESPONSE_LEVELS:
        raise ValidationError({"area": _("应急响应区域须为区（县、市）或乡镇（街道）。")})
    if level not in ResponseLevel.values:
        raise ValidationError({"level": _("请选择有效的响应等级。")})
    county = area if area.level == Level.COUNTY else area.ancestor_at(Level.COUNTY)
    now = timezone.now()
    response = Response(
        area=area,
        county=county,
        hazard=hazard,
        level=level,
        title=title,
        instructions=instructions,
        checkin_minutes=settings.EMERGENCY_CHECKIN_MINUTES[level],
        activated_by=actor,
        activated_at=now,
    )
    workflow.authorize(actor, "activate", response)
    _refuse_overlap(area, county, hazard)
    response.full_clean(exclude=["area", "county", "activated_by"])
    workflow.enter(response, "activate")
    response.save()
    rows = _insert_checkins(response)
    record = _record(response, RecordKind.ACTIVATE, actor, text=instructions, data={"level": level, "areas": len(rows)})
    _tell(response, record, _("启动应急响应，请立即签到"), watchers_title=_("启动应急响应"))
    webhooks.response_changed(response, record)
    return response


def _locked_response(pk: int) -> Response:
    return Response.objects.select_for_update().select_related("area").get(pk=pk)


@transaction.atomic
def response_relevel(
    *, actor, response: Response, version: int, level: str, text: str = "", step: str = ""
) -> Response:
    """Raise (step `raise`: a higher level) or lower (`lower`: a lower one) the response.

    `step` is "raise" or "lower" (default: from the levels). On a raise, pending check-ins
    fall due within the new level's window if that is sooner. Raises ValidationError when
    `level` does not go the way of the step."""
    response = _locked_response(response.pk)
    if level not in ResponseLevel.values:
        raise ValidationError({"level": _("请选择有效的响应等级。")})
    step = step or ("raise" if RANK[ResponseLevel(level)] < RANK[ResponseLevel(response.level)] else "lower")
    workflow.authorize(actor, step, response, version=version)
    higher = RANK[ResponseLevel(level)] < RANK[ResponseLevel(response.level)]
    if level == response.level or higher != (step == "raise"):
        raise ValidationError({"level": _("提升须选择更高的等级，降低须选择更低的等级。")})
    old = response.level
    response.level, response.version = level, response.version + 1
    response.checkin_minutes = settings.EMERGENCY_CHECKIN_MINUTES[level]
    workflow.enter(response, step)
    response.save(update_fields=["level", "checkin_minutes", "version", "updated_at"])
    if step == "raise":
        due = timezone.now() + window(level)
        CheckIn.objects.filter(response=response, status=CheckInStatus.PENDING, due_at__gt=due).update(due_at=due)
    kind = RecordKind.RAISE if step == "raise" else RecordKind.LOWER
    record = _record(response, kind, actor, text=text, data={"from": old, "to": level})
    title = _("应急响应等级由%(old)s调整为%(new)s") % {
        "old": ResponseLevel(old).label,
        "new": response.get_level_display(),
    }
    _tell(response, record, title, body=text)
    webhooks.response_changed(response, record)
    return response


@transaction.atomic
def response_end(*, actor, response: Response, version: int, text: str = "") -> Response:
    """End the response (step `end`): check-ins still pending are no longer escalated."""
    response = _locked_response(response.pk)
    workflow.authorize(actor, "end", response, version=version)
    workflow.enter(response, "end")
    response.ended_at, response.version = timezone.now(), response.version + 1
    response.save(update_fields=["status", "ended_at", "version", "updated_at"])
    record = _record(response, RecordKind.END, actor, text=text)
    _tell(response, record, _("应急响应结束"), body=text)
    webhooks.response_changed(response, record)
    return response


def _locked_checkin(pk: int) -> CheckIn:
    return CheckIn.objects.select_for_update(of=("self",)).select_related("response", "area").get(pk=pk)


@transaction.atomic
def checkin_acknowledge(*, actor, checkin: CheckIn, version: int, text: str = "") -> CheckIn:
    """The leader acknowledges the response (step `acknowledge`): stops the check-in clock."""
    checkin = _locked_checkin(checkin.pk)
    workflow.authorize(actor, "acknowledge", checkin, version=version)
    workflow.enter(checkin, "acknowledge")
    checkin.acknowledged_at, checkin.version = timezone.now(), checkin.version + 1
    checkin.save(update_fields=["status", "acknowledged_at", "version"])
    _record(checkin.response, RecordKind.ACKNOWLEDGE, actor, checkin=checkin, text=text)
    return checkin


@transaction.atomic
def checkin_report(
    *, actor, checkin: CheckIn, version: int, on_duty: int, to_transfer: int, hazards: str = ""
) -> CheckIn:
    """The leader reports the grid's status (step `report`): staff on duty and people
    needing transfer (counts, ≥ 0) and hazards (text); may be reported again. The
    district's departments get `emergency.checkin_reported`."""
    checkin = _locked_checkin(checkin.pk)
    workflow.authorize(actor, "report", checkin, version=version)
    errors = {
        name: _("请填写不小于 0 的整数。")
        for name, value in (("on_duty", on_duty), ("to_transfer", to_transfer))
        if not isinstance(value, int) or isinstance(value, bool) or value < 0
    }
    if errors:
        raise ValidationError(errors)
    workflow.enter(checkin, "report")
    checkin.on_duty, checkin.to_transfer, checkin.hazards = on_duty, to_transfer, hazards
    checkin.reported_at, checkin.version = timezone.now(), checkin.version + 1
    checkin.save(update_fields=["status", "on_duty", "to_transfer", "hazards", "reported_at", "version"])
    record = _record(
        checkin.response,
        RecordKind.REPORT,
        actor,
        checkin=checkin,
        text=hazards,
        data={"on_duty": on_duty, "to_transfer": to_transfer},
    )
    webhooks.checkin_reported(checkin, record)
    return checkin
