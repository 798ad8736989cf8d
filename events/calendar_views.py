"""The working-day calendar page, /events/calendar/ (Art. 17 限时办结).

The calendar administrator enters next year's State Council notice as ranges, previews
it as a month grid and confirms it; corrects single days. Supervisors read it. Logic in
`events.calendar`.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import calendar
from .calendar_forms import ROWS, DayForm, RangeFormSet, notice_digest
from .choices import CalendarSource
from .models import CalendarDay, CalendarYear
from .workcalendar import year_source

_YEARS = range(2004, 2101)


def _year(request) -> int:
    """The year asked for (`year` in the query or form), else next year from October on."""
    today = timezone.localdate()
    raw = request.POST.get("year") or request.GET.get("year") or ""
    if raw.isdigit() and int(raw) in _YEARS:
        return int(raw)
    return today.year + 1 if today.month >= 10 else today.year


def _initial(year: int) -> list[dict]:
    row = CalendarYear.objects.filter(year=year, source=CalendarSource.CONFIRMED).first()
    rows = [
        {**r, "start": datetime.date.fromisoformat(r["start"]), "end": datetime.date.fromisoformat(r["end"])}
        for r in (row.ranges if row else [])
    ]
    return rows + [{"kind": calendar.HOLIDAY}] * max(ROWS - len(rows), 3)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_page(request):
    """GET: the year's calendar as the platform counts it, and the notice form.

    POST `action`: `preview` (validate, show the month grid as it will be), `confirm`
    (with the previewed `digest`: confirm and move open clocks), `day` (correct a day).
    Calendar administrators only for POST (403 otherwise); supervisors may read.
    """
    user = request.user
    if not calendar.can_view(user):
        raise PermissionDenied
    manage = calendar.can_manage(user)
    year = _year(request)
    formset = RangeFormSet(prefix="r", initial=_initial(year))
    day_form = DayForm(prefix="d")
    preview, digest, status = None, "", 200
    action = request.POST.get("action")
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        status = 400
        if action in ("preview", "confirm"):
            formset = RangeFormSet(request.POST, prefix="r")
            if formset.is_valid():
                try:
                    ranges = calendar.notice_validate(year, formset.ranges())
                except ValidationError as exc:
                    for message in exc.messages:
                        messages.error(request, message)
                else:
                    digest = notice_digest(year, ranges)
                    if action == "confirm" and request.POST.get("digest") == digest:
                        done = calendar.calendar_notice_confirm(actor=user, year=year, ranges=ranges)
                        messages.success(
                            request,
                            _("%(y)d 年放假安排已确认：%(d)d 天变化，%(e)d 件事件时限已重算。")
                            % {"y": year, "d": done["days"], "e": done["events"]},
                        )
                        return redirect(f"{request.path}?year={year}")
                    if action == "confirm":
                        messages.warning(request, _("内容与预览不一致，请核对后再确认。"))
                    preview, status = calendar.month_grid(year, ranges), 200
        elif action == "day":
            day_form = DayForm(request.POST, prefix="d")
            if day_form.is_valid():
                try:
                    done = calendar.calendar_day_set(actor=user, **day_form.cleaned_data)
                except ValidationError as exc:
                    for message in exc.messages:
                        day_form.add_error(None, message)
                else:
                    messages.success(request, _("已调整，%(e)d 件事件时限已重算。") % {"e": done["events"]})
                    return redirect(f"{request.path}?year={day_form.cleaned_data['day'].year}")
    context = {
        "year": year,
        "years": [(y, year_source(y)) for y in (year - 1, year, year + 1)],
        "source": year_source(year),
        "sources": CalendarSource,
        "manage": manage,
        "formset": formset,
        "day_form": day_form,
        "preview": preview,
        "digest": digest,
        "grid": preview or calendar.month_grid(year),
        "corrections": CalendarDay.objects.filter(date__year=year),
    }
    return render(request, "events/calendar.html", context, status=status)
