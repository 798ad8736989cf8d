"""Forms of the staff office; errors are Chinese and shown next to the field (Art. 8, 16, 21, 25).

Every form that creates something carries a one-time key (`events.submit.OnceForm`).
Choices are scoped: grids are those of the office's node, people those the user manages.
"""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.forms import DATE_WIDGET
from events.submit import OnceForm
from grids.choices import GRID_LEVELS
from grids.hotline import normalise_hotline
from grids.models import Area
from personnel.choices import GridRole, StaffSource
from personnel.models import Staff
from personnel.validators import validate_id_number, validate_mobile

_SPLIT = re.compile(r"[\s,，、;；]+")


def _grid_field(node: Area) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(
        queryset=Area.objects.within(node).filter(level__in=GRID_LEVELS, status="active").order_by("code"),
        label=_("网格或微网格"),
    )
    field.label_from_instance = lambda a: f"{a.name}（{a.code}）"
    return field


class RoleFields(forms.Form):
    """A grid role on a grid of the office (Art. 8, 15), from `start` to an optional `end`."""

    role = forms.ChoiceField(label=_("网格角色"), choices=GridRole.choices)
    start = forms.DateField(label=_("开始日期"), widget=DATE_WIDGET)
    end = forms.DateField(
        label=_("结束日期"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("留空表示长期任职。"),
    )
    replace = forms.BooleanField(
        label=_("替换现任网格长"), required=False, help_text=_("现任网格长将于开始日期前一天免职。")
    )

    def __init__(self, *args, node: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"area": _grid_field(node), **self.fields}
        if not self.is_bound:
            self.initial.setdefault("start", timezone.localdate())


class AssignForm(OnceForm, RoleFields):
    """Give a person a grid role (Art. 8)."""


class StaffCreateForm(OnceForm, RoleFields):
    """Add a person to the office's grid staff with a first grid role (Art. 8, 16).

    The ID number and mobile are validated here (GB 11643 check digit; 11-digit mainland
    mobile) and again by the service, then stored encrypted and shown masked.
    """

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=18,
        validators=[validate_id_number],
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    mobile = forms.CharField(
        label=_("手机号码"),
        max_length=11,
        validators=[validate_mobile],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    work_phone = forms.CharField(label=_("工作电话（公开）"), max_length=30, required=False)
    source = forms.ChoiceField(label=_("人员来源"), choices=[("", "—"), *StaffSource.choices], required=False)
    duties = forms.CharField(label=_("工作职责"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    insurance_until = forms.DateField(label=_("意外险到期日"), required=False, widget=DATE_WIDGET)

    field_order = ["name", "id_number", "mobile", "work_phone", "source", "duties", "insurance_until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)

    def staff_fields(self) -> dict:
        """The keyword arguments of `personnel.services.staff_create` besides actor and area."""
        data = self.cleaned_data
        keys = ("name", "id_number", "mobile", "work_phone", "source", "duties", "insurance_until")
        return {k: data[k] for k in keys}

    def role_fields(self) -> dict:
        data = self.cleaned_data
        return {k: data[k] for k in ("area", "role", "start", "end", "replace")}


class EndForm(forms.Form):
    """End a grid role: the last day served (inclusive; empty: yesterday, revoked at once)."""

    end = forms.DateField(label=_("最后任职日"), required=False, widget=DATE_WIDGET)


class CommendForm(OnceForm):
    """A commendation on a staff record (Art. 25)."""

    title = forms.CharField(label=_("荣誉名称"), max_length=200)
    awarded_by = forms.CharField(label=_("授予单位"), max_length=120)
    date = forms.DateField(label=_("授予日期"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    is_public = forms.BooleanField(label=_("在网格公示卡上公开"), required=False)


class AttendeesField(forms.CharField):
    """Work ID numbers separated by blanks, commas or new lines (a sign-in sheet pasted in)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "autocapitalize": "characters"}))
        kwargs.setdefault("help_text", _("填写参训人员的工作证件编号，用空格、逗号或换行分隔。"))
        super().__init__(**kwargs)

    def to_python(self, value):
        return [v.upper() for v in _SPLIT.split(super().to_python(value) or "") if v]


class AttendeesForm(OnceForm):
    """Add attendees to a session, by work ID, among the people the user manages."""

    attendees = AttendeesField(label=_("参训人员"))

    def __init__(self, *args, managed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.managed = managed if managed is not None else Staff.objects.none()

    def clean_attendees(self) -> list[Staff]:
        ids = self.cleaned_data["attendees"]
        found = {s.work_id: s for s in self.managed.filter(work_id__in=ids)}
        unknown = [i for i in ids if i not in found]
        if unknown:
            raise forms.ValidationError(
                _("以下工作证件编号不在您管理的人员中：%(ids)s") % {"ids": "、".join(unknown[:20])}
            )
        return list(found.values())


class SessionForm(AttendeesForm):
    """A training session held by the office (Art. 21); the tier follows the office's level."""

    title = forms.CharField(label=_("培训名称"), max_length=200)
    date = forms.DateField(label=_("培训日期"), widget=DATE_WIDGET)
    hours = forms.DecimalField(label=_("学时（小时）"), max_digits=5, decimal_places=1, min_value=0)
    field_order = ["title", "date", "hours", "attendees"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].required = False
        self.order_fields(self.field_order)


class StationForm(forms.Form):
    """A grid's work station (Art. 24), shown on the public card."""

    name = forms.CharField(label=_("名称"), max_length=120)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    opening_hours = forms.CharField(label=_("开放时间"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话（公开）"), max_length=30, required=False)


class HotlineForm(forms.Form):
    """A node's supervision hotline (Art. 10), on the public cards of the grids below it."""

    supervision_phone = forms.CharField(
        label=_("监督电话"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        help_text=_("手机号或带区号的固定电话；留空则公示卡显示上级的监督电话。"),
    )

    def clean_supervision_phone(self) -> str:
        return normalise_hotline(self.cleaned_data["supervision_phone"])


class YearForm(forms.Form):
    """The year of the untrained list (Art. 21): this year (Beijing time) or one of the four before."""

    year = forms.TypedChoiceField(label=_("年度"), coerce=int)

    def __init__(self, *args, this_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in range(this_year, this_year - 5, -1)]
        self.fields["year"].initial = this_year

    def chosen(self) -> int:
        """The valid chosen year, else the current one."""
        return self.cleaned_data["year"] if self.is_valid() else self.fields["year"].initial
