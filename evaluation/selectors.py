"""Reads of the evaluation app that depend on who asks (Art. 11, 22, 29).

Everything is scoped through `personnel.scope` or `Event.objects.restrict`: an area
out of the user's `view_area` reach is a 404, scores are visible to whoever may view
the score's scope node (the township, the unit's jurisdiction, the staff member's grid).
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from events.choices import ActionKind
from events.models import Action, Dispatch, Event
from grids.models import Area
from personnel.scope import covering_q, has_area_perm, restrict_areas
from tasks.models import Assignment as TaskAssignment

from .evaluators import authorize_run, evaluators_for, may_run, runs_q
from .indicators import Seconds, Span, _at, _hours_over
from .models import Period, Scheme, Score


def area_for_dashboard(user, code: str) -> Area:
    """The area with unified `code` if `user` may view it; Http404 otherwise (unknown or out of reach)."""
    area = Area.objects.filter(code=code).first()
    if area is None or not has_area_perm(user, "view_area", area):
        raise Http404("area not found")
    return area


def home_area(user) -> Area | None:
    """The top node of the user's reach (the city for the city authority, a district for its supervisors …)."""
    return restrict_areas(user, "view_area").order_by("depth", "code").first()


def periods_for(user):
    """Periods the user may see: their evaluating organisation's own, or those with a score within their reach."""
    in_reach = Score.objects.filter(Q(period_id=OuterRef("pk")) & covering_q(user, "view_area", "scope_area"))
    return (
        Period.objects.filter(runs_q(user, "scheme__authority") | Q(Exists(in_reach)))
        .select_related("scheme__authority")
        .order_by("-start", "scheme__name")
    )


def period_for(user, pk: int) -> Period:
    """One period the user may see, or Http404."""
    period = periods_for(user).filter(pk=pk).first()
    if period is None:
        raise Http404("period not found")
    return period


def scores_for(user, period: Period):
    """The period's scores within the user's reach, by peer group and rank; the unranked (无数据) last, by label."""
    return (
        Score.objects.filter(period=period)
        .filter(covering_q(user, "view_area", "scope_area"))
        .order_by("peer_group", F("rank").asc(nulls_last=True), "label")
    )


def may_manage(user, period: Period) -> bool:
    """Whether `user` acts for the period's evaluating organisation (compute, freeze, recompute)."""
    return may_run(user, period.scheme.authority)


def authorities_for(user):
    """The organisations the user may define schemes for: authorities and townships (`evaluation.evaluators`)."""
    return evaluators_for(user)


def schemes_for(user):
    """Schemes of the evaluating organisations the user acts for, active ones first."""
    return (
        Scheme.objects.filter(runs_q(user, "authority"))
        .select_related("authority", "replaces")
        .order_by("-is_active", "authority__name", "subject_kind", "name", "-pk")
    )


def scheme_for(user, pk: int) -> Scheme:
    """A scheme the user may change: Http404 outside the user's view reach, PermissionDenied if not its evaluator."""
    scheme = Scheme.objects.select_related("authority__area").filter(pk=pk).first()
    if scheme is None or not has_area_perm(user, "view_area", scheme.authority.area):
        raise Http404("scheme not found")
    authorize_run(user, scheme.authority, _("只有制定该考评方案的单位可以修改方案。"))
    return scheme


# --- accountability (Art. 29) --------------------------------------------------------


def overdue_dispatches(user, span: Span, *, now: datetime.datetime | None = None):
    """Dispatches due in the span that were completed late or are still open past the deadline.

    Rows are `Dispatch` with `overdue_hours` (natural hours past the deadline), the
    event, the unit and who signed for it, most overdue first.
    """
    now = now or timezone.now()
    return (
        Dispatch.objects.filter(event__in=Event.objects.restrict(user), returned_at__isnull=True)
        .filter(span.q("complete_due_at"))
        .filter(Q(completed_at__gt=F("complete_due_at")) | Q(completed_at__isnull=True, complete_due_at__lt=now))
        .annotate(overdue_hours=Seconds(Coalesce(F("completed_at"), _at(now)), F("complete_due_at")) / 3600.0)
        .select_related("event", "unit", "signed_by__staff")
        .order_by("-overdue_hours", "id")
    )


def late_assignments(user, span: Span, *, now: datetime.datetime | None = None):
    """Grid task assignments (tasks sent down, Art. 19) due in the span that were done late
    or are still open past the deadline — acknowledged or not (Art. 29); returned ones are
    left out. Soonest due first, with the task, grid and township."""
    now = now or timezone.now()
    return (
        TaskAssignment.objects.restrict(user)
        .filter(span.q("due_at"))
        .exclude(status="returned")
        .filter(Q(done_at__gt=F("due_at")) | Q(done_at__isnull=True, due_at__lt=now))
        .select_related("task", "area", "township")
        .order_by("due_at", "id")
    )


def returned_dispatches(user, span: Span):
    """Dispatches returned (退回) in the span, with `returned_by` (who returned it)."""
    returned_by = Subquery(
        Action.objects.filter(event_id=OuterRef("event_id"), kind=ActionKind.RETURN, at__lte=OuterRef("returned_at"))
        .order_by("-at")
        .values("actor_name")[:1]
    )
    return (
        Dispatch.objects.filter(event__in=Event.objects.restrict(user))
        .filter(span.q("returned_at"))
        .annotate(returned_by=returned_by)
        .select_related("event", "unit")
        .order_by("-returned_at", "id")
    )


def late_acceptances(user, span: Span, *, limit_hours: float):
    """Events accepted in the span more than `limit_hours` after their report, with `accepted_by` and `hours_taken`."""
    accepted_by = Subquery(
        Action.objects.filter(event_id=OuterRef("pk"), kind=ActionKind.ACCEPT).order_by("-at").values("actor_name")[:1]
    )
    return (
        Event.objects.restrict(user)
        .filter(span.q("accepted_at"))
        .filter(_hours_over(F("accepted_at"), F("reported_at"), limit_hours))
        .annotate(accepted_by=accepted_by, hours_taken=Seconds(F("accepted_at"), F("reported_at")) / 3600.0)
        .select_related("township")
        .order_by("-hours_taken", "id")
    )


def late_reports(user, span: Span, *, limit_hours: float):
    """Events reported in the span more than `limit_hours` after discovery (迟延报送), with `hours_late`."""
    return (
        Event.objects.restrict(user)
        .filter(span.q("reported_at"))
        .filter(_hours_over(F("reported_at"), F("discovered_at"), limit_hours))
        .annotate(hours_late=Seconds(F("reported_at"), F("discovered_at")) / 3600.0)
        .select_related("area", "reporter__staff")
        .order_by("-hours_late", "id")
    )
