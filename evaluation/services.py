"""State changes of the evaluation app (Art. 22): schemes, periods, scores, adjustments.

Every function takes the acting user (`actor`; `None` only for system runs: the demo
seed, the beat task), runs in one transaction and raises
`django.core.exceptions.ValidationError` (with field messages) or `PermissionDenied`.
Managing a scheme needs the evaluator's permission on its organisation's area
(`evaluation.evaluators`: an authority's `supervise_area`, a township's `manage_staff`).
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.choices import TimeUnit
from events.workcalendar import add_time

from . import indicators as ind
from . import scoring
from .choices import AdjustmentKind, PeriodKind, PeriodState, SubjectKind
from .evaluators import authorize_run, subject_errors, within_rules_errors
from .models import Adjustment, Period, RecomputeLog, Scheme, SchemeIndicator, Score

logger = logging.getLogger(__name__)

SCHEME_FIELDS = (
    "name",
    "period_kind",
    "late_report_hours",
    "accept_hours",
    "verify_hours",
    "bonus_max",
    "late_report_penalty",
    "concealed_penalty",
    "is_active",
)


#: Why a scheme or period step is refused to someone not acting for the scheme's evaluating organisation.
NOT_AUTHORITY = gettext_lazy("只有制定该考评方案的单位可以执行此操作。")


def _clean_indicators(subject_kind: str, rows: list[dict]) -> list[dict]:
    """Validate `[{"code", "weight", "floor", "target", "group"?, "missing_ratio"?}]`; raise ValidationError."""
    kind = scoring.INDICATOR_KIND[subject_kind]
    errors, clean, seen = [], [], set()
    for n, row in enumerate(rows, start=1):
        code = str(row.get("code"))
        indicator = ind.REGISTRY.get(code)
        if indicator is None:
            errors.append(_("第%(n)s项：未知指标“%(code)s”。") % {"n": n, "code": code})
            continue
        if not indicator.applies_to(kind):
            errors.append(_("第%(n)s项：指标“%(name)s”不适用于该考评对象。") % {"n": n, "name": indicator.name})
            continue
        if code in seen:
            errors.append(_("第%(n)s项：指标重复。") % {"n": n})
            continue
        seen.add(code)
        try:
            weight = Decimal(str(row.get("weight")))
            floor, target = float(str(row.get("floor"))), float(str(row.get("target")))
            missing = Decimal(str(row.get("missing_ratio", "0.5")))
        except (InvalidOperation, TypeError, ValueError):
            errors.append(_("第%(n)s项：分值、零分值和满分值须为数字。") % {"n": n})
            continue
        if weight <= 0:
            errors.append(_("第%(n)s项：分值须大于零。") % {"n": n})
        elif floor == target:
            errors.append(_("第%(n)s项：零分值与满分值不能相同。") % {"n": n})
        elif not (0 <= missing <= 1):
            errors.append(_("第%(n)s项：无数据得分比例须在0到1之间。") % {"n": n})
        else:
            clean.append(
                {
                    "code": code,
                    "weight": weight,
                    "floor": floor,
                    "target": target,
                    "missing_ratio": missing,
                    "group": str(row.get("group", ""))[:40],
                }
            )
    if not rows:
        errors.append(_("至少需要一项指标。"))
    if errors:
        raise ValidationError({"indicators": errors})
    return clean


def _write_indicators(scheme: Scheme, rows: list[dict]) -> None:
    scheme.indicators.all().delete()
    SchemeIndicator.objects.bulk_create(SchemeIndicator(scheme=scheme, position=n, **row) for n, row in enumerate(rows))


@transaction.atomic
def scheme_create(
    *,
    actor: User | None,
    authority,
    name: str,
    subject_kind: str,
    indicators: list[dict],
    period_kind: str = PeriodKind.MONTH,
    **rules,
) -> Scheme:
    """Create a scheme of `authority` (the evaluating organisation) for `subject_kind` (Art. 22).

    `authority`: an authority (any subject kind) or a township office (its own grid
    staff only, Art. 22 ¶2, with rules no laxer than the authorities' above it; see
    `evaluation.evaluators`). `indicators`: see `_clean_indicators`. `rules`: any of
    late_report_hours, accept_hours, verify_hours (natural hours), bonus_max,
    late_report_penalty, concealed_penalty (points). Raises ValidationError (field
    dict: `authority`, `subject_kind`, a rule's name …), PermissionDenied.
    """
    authorize_run(actor, authority, NOT_AUTHORITY)
    errors = subject_errors(authority, subject_kind) | within_rules_errors(authority, rules)
    if subject_kind not in SubjectKind.values:
        errors["subject_kind"] = [_("请选择考评对象。")]
    if period_kind not in PeriodKind.values:
        errors["period_kind"] = [_("请选择考评周期。")]
    if not (name or "").strip():
        errors["name"] = [_("请填写方案名称。")]
    elif Scheme.objects.filter(authority=authority, name=name.strip(), is_active=True).exists():
        errors["name"] = [_("已有同名的启用方案。")]
    if errors:
        raise ValidationError(errors)
    clean = _clean_indicators(subject_kind, indicators)
    unknown = set(rules) - set(SCHEME_FIELDS)
    if unknown:
        raise ValidationError({"rules": [_("未知规则：%s") % ", ".join(sorted(unknown))]})
    scheme = Scheme(
        authority=authority,
        name=name.strip(),
        subject_kind=subject_kind,
        period_kind=period_kind,
        created_by=actor,
        **rules,
    )
    scheme.full_clean(exclude=["created_by"])
    scheme.save()
    _write_indicators(scheme, clean)
    return scheme


@transaction.atomic
def scheme_update(*, actor: User | None, scheme: Scheme, indicators: list[dict] | None = None, **fields) -> Scheme:
    """Change a scheme's rules and/or indicators. Frozen periods keep their scores. Raises as `scheme_create`."""
    authorize_run(actor, scheme.authority, NOT_AUTHORITY)
    unknown = set(fields) - set(SCHEME_FIELDS)
    if unknown:
        raise ValidationError({"fields": [_("不可修改：%s") % ", ".join(sorted(unknown))]})
    clean = _clean_indicators(scheme.subject_kind, indicators) if indicators is not None else None
    if errors := within_rules_errors(
        scheme.authority, {name: getattr(scheme, name) for name in SCHEME_FIELDS} | fields
    ):
        raise ValidationError(errors)
    for key, value in fields.items():
        setattr(scheme, key, value)
    scheme.full_clean(exclude=["created_by"])
    scheme.save()
    if clean is not None:
        _write_indicators(scheme, clean)
    return scheme


@transaction.atomic
def scheme_revise(*, actor: User | None, scheme: Scheme, indicators: list[dict], **fields) -> Scheme:
    """Change a scheme's rules and indicators as an authority does from the scheme form.

    While no frozen period uses the scheme it changes in place. Once one does, the
    frozen scores and the rules they were computed by stay as they are: the change makes
    a new version (`replaces` the old scheme, which is deactivated) and the old
    scheme's open periods move to it. Either way the open periods already computed are
    recomputed by the new rules. Returns the scheme now in force. `fields`: see
    `SCHEME_FIELDS`. Raises ValidationError, PermissionDenied.
    """
    scheme = Scheme.objects.select_for_update().select_related("authority__area").get(pk=scheme.pk)
    authorize_run(actor, scheme.authority, NOT_AUTHORITY)
    if scheme.revisions.exists():
        raise ValidationError(_("此方案已由新版本取代，请修改新版本。"))
    if not scheme.periods.filter(state=PeriodState.FROZEN).exists():
        current = scheme_update(actor=actor, scheme=scheme, indicators=indicators, **fields)
    else:
        unknown = set(fields) - set(SCHEME_FIELDS)
        if unknown:
            raise ValidationError({"fields": [_("不可修改：%s") % ", ".join(sorted(unknown))]})
        clean = _clean_indicators(scheme.subject_kind, indicators)
        rules = {name: getattr(scheme, name) for name in SCHEME_FIELDS} | fields
        if errors := within_rules_errors(scheme.authority, rules):
            raise ValidationError(errors)
        scheme.is_active = False
        scheme.save(update_fields=["is_active", "updated_at"])
        current = Scheme(
            authority=scheme.authority, subject_kind=scheme.subject_kind, replaces=scheme, created_by=actor, **rules
        )
        current.full_clean(exclude=["created_by"])
        current.save()
        _write_indicators(current, clean)
        moved = scheme.periods.filter(state=PeriodState.OPEN).update(scheme=current)
        logger.info(
            "evaluation: scheme %s revised as %s by %s (frozen periods keep %s; %s open periods moved)",
            scheme.pk,
            current.pk,
            getattr(actor, "pk", None),
            scheme.pk,
            moved,
        )
    for period in current.periods.filter(state=PeriodState.OPEN, computed_at__isnull=False):
        _compute(period)
    return current


def period_open(*, actor: User | None, scheme: Scheme, day) -> Period:
    """The scheme's period containing local date `day`, created if needed (open)."""
    authorize_run(actor, scheme.authority, NOT_AUTHORITY)
    span = ind.span_of(scheme.period_kind, day)
    period, _created = Period.objects.get_or_create(scheme=scheme, start=span.start, defaults={"end": span.end})
    return period


def _compute(period: Period, *, now=None) -> list[Score]:
    """Replace the period's scores by freshly computed ones (the scoring of Art. 22).

    Each peer group is ranked 1..n over its subjects with data; a subject with no value
    for any of the scheme's indicators keeps its computed total but `rank` None (未排名).
    """
    scheme = period.scheme
    span = ind.Span(period.start, period.end)
    options = ind.Options(**scheme.options(), now=now)
    subjects = scoring.peers(scheme, span)
    plain = [s for s, _group, _scope in subjects]
    rules = list(scheme.indicators.all())
    values = {rule.code: ind.compute_many(rule.code, span, plain, options) for rule in rules}
    late = {}
    if ind.REGISTRY["late_reports"].applies_to(scoring.INDICATOR_KIND[scheme.subject_kind]):
        late = ind.compute_many("late_reports", span, plain, options)
    adjustments: dict[str, list] = {}
    for adj in period.adjustments.all():
        adjustments.setdefault(adj.subject_key, []).append(adj)

    scores: list[Score] = []
    keys: dict[int, str] = {}  # id(score) → its subject key, for ranking
    for subject, group, scope in subjects:
        own = adjustments.get(subject.key, [])
        points = {
            r.code: scoring.linear_points(
                values[r.code][subject.key],
                weight=r.weight,
                floor=r.floor,
                target=r.target,
                missing_ratio=r.missing_ratio,
            )
            for r in rules
        }
        bonus = scoring.bonus(scheme, own)
        penalty = scoring.penalties(
            scheme,
            late_reports=late.get(subject.key) or 0,
            concealed=sum(1 for a in own if a.kind == AdjustmentKind.CONCEALED),
        )
        score = Score(
            period=period,
            label=subject.label,
            scope_area=scope,
            peer_group=group,
            values={r.code: values[r.code][subject.key] for r in rules},
            points={k: str(v) for k, v in points.items()},
            bonus=bonus,
            penalty=penalty,
            total=sum(points.values(), Decimal(0)) + bonus - penalty,
            rank=None,
            **{{ind.AREA: "area", ind.UNIT: "organisation", ind.STAFF: "user"}[subject.kind]: subject.obj},
        )
        keys[id(score)] = subject.key
        scores.append(score)
    # Subjects without any measured value (无数据) are listed but left out of their group's ranking.
    for group in {s.peer_group for s in scores}:
        members = [s for s in scores if s.peer_group == group and scoring.has_data(s.values)]
        ranks = scoring.rank([(keys[id(s)], s.total) for s in members])
        for s in members:
            s.rank = ranks[keys[id(s)]]
    period.scores.all().delete()
    Score.objects.bulk_create(scores)
    period.computed_at = timezone.now()
    period.save(update_fields=["computed_at"])
    return scores


def score_key(score: Score) -> str:
    """The subject key of a score: "area:<id>", "org:<id>" or "user:<id>" (as `Adjustment.subject_key`)."""
    if score.area_id:
        return f"area:{score.area_id}"
    if score.organisation_id:
        return f"org:{score.organisation_id}"
    return f"user:{score.user_id}"


def _snapshot(period: Period) -> list[dict]:
    return [
        {
            "label": s.label,
            "subject": score_key(s),
            "values": s.values,
            "points": s.points,
            "bonus": str(s.bonus),
            "penalty": str(s.penalty),
            "total": str(s.total),
            "rank": s.rank,
        }
        for s in period.scores.all()
    ]


@transaction.atomic
def period_compute(*, actor: User | None, period: Period, now=None) -> list[Score]:
    """(Re)compute an OPEN period's scores from the record. Frozen periods: use `period_recompute`.

    `now` (aware) is the moment open clocks are measured at (default: now). Raises
    ValidationError on a frozen period, PermissionDenied for a non-authority actor.
    """
    period = Period.objects.select_for_update().select_related("scheme__authority__area").get(pk=period.pk)
    authorize_run(actor, period.scheme.authority, NOT_AUTHORITY)
    if period.is_frozen:
        raise ValidationError({"period": [_("考评期已冻结；如需重新计算，请说明理由后执行“重新计算”。")]})
    return _compute(period, now=now)


@transaction.atomic
def period_freeze(*, actor: User | None, period: Period, now=None) -> Period:
    """Compute the period's final scores and freeze them: later edits to events no longer change them."""
    period = Period.objects.select_for_update().select_related("scheme__authority__area").get(pk=period.pk)
    authorize_run(actor, period.scheme.authority, NOT_AUTHORITY)
    if period.is_frozen:
        raise ValidationError({"period": [_("考评期已冻结。")]})
    _compute(period, now=now)
    period.state = PeriodState.FROZEN
    period.frozen_at = timezone.now()
    period.frozen_by = actor
    period.save(update_fields=["state", "frozen_at", "frozen_by"])
    return period


def freeze_moment(period: Period) -> datetime.datetime:
    """When a closed period freezes by itself: the end of working time of the Nth working day after it.

    N is `settings.EVALUATION_FREEZE_GRACE_DAYS` (default 3: a May period freezes at
    17:30 on the third working day of June, so late corrections of the last days can
    still be entered); 0 freezes it at midnight after its last day. Working days follow
    the working-day calendar (holidays and make-up days, `events.workcalendar`).
    """
    grace = int(getattr(settings, "EVALUATION_FREEZE_GRACE_DAYS", 3))
    tz = timezone.get_current_timezone()
    if grace <= 0:
        return datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    noon = datetime.datetime.combine(period.end, datetime.time(12), tzinfo=tz)
    return add_time(noon, Decimal(grace), TimeUnit.WORKING_DAY)


def periods_freeze_closed(*, now: datetime.datetime | None = None) -> list[Period]:
    """Freeze every period whose grace after its close has passed (`freeze_moment`); the beat task runs this.

    First opens, for every active scheme, the last complete period of its kind (last
    month; last quarter, last year once they have ended) if nobody has, so each closed
    period gets final scores. Then computes and freezes each open period whose
    `freeze_moment` is past — each in its own transaction, with `frozen_by` empty
    (an automatic freeze). Idempotent: frozen periods are left alone, a period frozen
    meanwhile by someone else is skipped. Logs each freeze; an error on one period is
    logged and the others still freeze. Returns the periods it froze.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    for scheme in Scheme.objects.filter(is_active=True).select_related("authority__area"):
        span = ind.last_full(scheme.period_kind, today)
        period, created = Period.objects.get_or_create(scheme=scheme, start=span.start, defaults={"end": span.end})
        if created:
            logger.info("evaluation: opened period %s (%s) to freeze it when due", period.pk, period)
    frozen = []
    candidates = Period.objects.filter(state=PeriodState.OPEN, end__lt=today).select_related("scheme")
    for period in candidates.order_by("end", "pk"):
        due = freeze_moment(period)
        if due > now:
            continue
        try:
            period = period_freeze(actor=None, period=period, now=now)
        except ValidationError:
            continue  # frozen meanwhile
        except Exception:
            logger.exception("evaluation: could not freeze period %s (%s)", period.pk, period)
            continue
        logger.info(
            "evaluation: froze period %s (%s), due %s: %s scores",
            period.pk,
            period,
            timezone.localtime(due).isoformat(),
            period.scores.count(),
        )
        frozen.append(period)
    return frozen


@transaction.atomic
def period_recompute(*, actor: User | None, period: Period, reason: str, now=None) -> RecomputeLog:
    """Explicitly recompute a period (frozen or open), logging who, when, why and the previous scores.

    Only the scheme's authority may do it (also on frozen periods, which stay frozen).
    Raises ValidationError (no reason), PermissionDenied.
    """
    if actor is None:
        raise PermissionDenied(_("重新计算须由具体人员执行。"))
    period = Period.objects.select_for_update().select_related("scheme__authority__area").get(pk=period.pk)
    authorize_run(actor, period.scheme.authority, NOT_AUTHORITY)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请说明重新计算的理由。")]})
    log = RecomputeLog.objects.create(
        period=period, actor=actor, reason=reason.strip(), was_frozen=period.is_frozen, previous=_snapshot(period)
    )
    _compute(period, now=now)
    return log


@transaction.atomic
def adjustment_add(
    *, actor: User, period: Period, subject_key: str, kind: str, reason: str, points=0, event_number: str = ""
) -> Adjustment:
    """Record a bonus (points, capped by the scheme) or a concealed report found later for a subject.

    Takes effect at the next computation (a frozen period needs `period_recompute`).
    Raises ValidationError, PermissionDenied.
    """
    authorize_run(actor, period.scheme.authority, NOT_AUTHORITY)
    errors = {}
    if kind not in AdjustmentKind.values:
        errors["kind"] = [_("请选择加减分类型。")]
    if not (reason or "").strip():
        errors["reason"] = [_("请填写理由。")]
    try:
        points = Decimal(str(points or 0))
        if points < 0:
            errors["points"] = [_("分值不能为负。")]
    except InvalidOperation:
        errors["points"] = [_("分值须为数字。")]
    if errors:
        raise ValidationError(errors)
    return Adjustment.objects.create(
        period=period,
        subject_key=subject_key,
        kind=kind,
        points=points,
        reason=reason.strip(),
        event_number=event_number,
        created_by=actor,
    )
