"""Forms of the evaluation pages (Chinese errors next to the field)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .indicators import Span, span_of

WINDOWS = [(7, _("近7天")), (30, _("近30天")), (90, _("近90天")), (365, _("近一年"))]


class WindowForm(forms.Form):
    """The dashboard's window: the last N days up to today (local dates)."""

    days = forms.TypedChoiceField(label=_("时间范围"), choices=WINDOWS, coerce=int, initial=30, required=False)

    def span(self) -> tuple[datetime.date, datetime.date]:
        days = (self.cleaned_data.get("days") if self.is_valid() else None) or 30
        today = timezone.localdate()
        return today - datetime.timedelta(days=days - 1), today


class MonthForm(forms.Form):
    """A calendar month (YYYY-MM) and the thresholds of the accountability report (natural hours)."""

    month = forms.CharField(label=_("月份"), required=False, help_text=_("格式：2026-05"))
    report_hours = forms.FloatField(label=_("迟报阈值（小时）"), required=False, min_value=0, initial=24)
    accept_hours = forms.FloatField(label=_("受理时限（小时）"), required=False, min_value=0, initial=4)

    def clean_month(self):
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return timezone.localdate().replace(day=1)
        try:
            return datetime.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(_("请按“年-月”填写，例如 2026-05。")) from None

    def values(self) -> tuple[Span, float, float]:
        """(span of the month, late-report hours, accept hours); defaults where the input is invalid."""
        data = self.cleaned_data if self.is_valid() else {}
        month = data.get("month") or timezone.localdate().replace(day=1)
        report = data.get("report_hours")
        accept = data.get("accept_hours")
        return span_of("month", month), 24.0 if report is None else report, 4.0 if accept is None else accept


class RecomputeForm(forms.Form):
    reason = forms.CharField(
        label=_("重新计算理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": _("请说明重新计算的理由。")},
    )
