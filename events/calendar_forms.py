"""Forms of the working-day calendar page (`events.calendar_views`): the State Council's
annual notice as rows of ranges, and a single-day correction (Art. 17)."""

import hashlib
import json

from django import forms
from django.utils.translation import gettext_lazy as _

from .calendar import HOLIDAY, WORKDAY

_SMALL = "form-control form-control-sm"


def _date_input():
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": _SMALL})


#: Rows offered for a notice (the 2026 notice has 13: seven holidays, six make-up days).
ROWS = 16


class RangeForm(forms.Form):
    """One range of the notice: holidays (放假调休, from–to) or make-up working days (上班)."""

    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[(HOLIDAY, _("放假调休")), (WORKDAY, _("调休上班"))],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    name = forms.CharField(
        label=_("节日"), max_length=20, required=False, widget=forms.TextInput(attrs={"class": _SMALL})
    )
    start = forms.DateField(label=_("开始日期"), required=False, widget=_date_input())
    end = forms.DateField(label=_("结束日期"), required=False, widget=_date_input())

    def clean(self):
        """A row without dates is left out; one date alone is a single day (as the notice writes it)."""
        data = super().clean()
        if data.get("end") and not data.get("start"):
            self.add_error("start", _("请填写开始日期。"))
        elif data.get("start") and not data.get("end"):
            data["end"] = data["start"]
        return data


class BaseRangeFormSet(forms.BaseFormSet):
    """The notice's rows; empty rows are ignored."""

    def ranges(self) -> list[dict]:
        """The filled-in rows as `events.calendar.notice_validate` takes them."""
        keys = ("kind", "name", "start", "end")
        return [{k: f.cleaned_data[k] for k in keys} for f in self.forms if f.cleaned_data.get("start")]


RangeFormSet = forms.formset_factory(RangeForm, formset=BaseRangeFormSet, extra=0, max_num=60, absolute_max=60)


def notice_digest(year: int, ranges: list[dict]) -> str:
    """A short fingerprint of a previewed notice: confirming checks it is what was previewed."""
    text = json.dumps([year, [[r["kind"], r["name"], str(r["start"]), str(r["end"])] for r in ranges]])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class DayForm(forms.Form):
    """A correction of one day (单日调整), e.g. a typhoon day off or an extra working day."""

    day = forms.DateField(label=_("日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label=_("调整为"),
        choices=[("0", _("休息日")), ("1", _("工作日"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("原因"), max_length=100)
