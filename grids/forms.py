"""Forms of the grid adjustment screens (Art. 9); each feeds one service in grids.services."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ningbo_grid.forms import ModelMultipleChoiceField

from .choices import GridType, Status
from .hotline import normalise_hotline
from .models import Area
from .rules import effective_date_checked
from .services import validate_boundary


def _today():
    return timezone.localdate()


class AdjustForm(forms.Form):
    """Common field: the local date the adjustment takes effect (today or earlier, Art. 7)."""

    effective_date = forms.DateField(
        label=_("生效日期"),
        initial=_today,
        help_text=_("调整保存后立即生效；可填今天或以前的日期（补录），不能填以后的日期。"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, area: Area, **kwargs):
        self.area = area
        super().__init__(*args, **kwargs)
        self.fields["effective_date"].widget.attrs["max"] = _today().isoformat()

    def clean_effective_date(self):
        try:
            return effective_date_checked(self.cleaned_data["effective_date"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["effective_date"]) from None


class RuleExceptionMixin(forms.Form):
    """The written reason for households outside the city's rule (`grids.rules`, Art. 7)."""

    exception_reason = forms.CharField(
        label=_("突破户数规则的理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=500,
        help_text=_("户数不在市网格化主管单位规定的范围内时必填，记入调整记录。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields([*(name for name in self.fields if name != "exception_reason"), "exception_reason"])


class BoundaryField(forms.CharField):
    """GeoJSON Polygon/MultiPolygon typed as text; cleans to a dict or None."""

    widget = forms.Textarea(attrs={"rows": 3})

    def clean(self, value):
        value = super().clean(value)
        return validate_boundary(value) if value else None


class CreateForm(RuleExceptionMixin, AdjustForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    grid_type = forms.ChoiceField(label=_("网格类型"), choices=[("", "—"), *GridType.choices], required=False)
    households = forms.IntegerField(label=_("户数"), min_value=0, required=False)
    scale = forms.CharField(label=_("规模"), max_length=200, required=False)
    area_description = forms.CharField(label=_("区域范围"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    boundary = BoundaryField(label=_("边界（GeoJSON）"), required=False)
    supervision_phone = forms.CharField(label=_("监督电话"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.area.level != "village":
            del self.fields["grid_type"]  # a micro-grid has its grid's type

    def clean_supervision_phone(self) -> str:
        return normalise_hotline(self.cleaned_data["supervision_phone"])


class RenameForm(AdjustForm):
    name = forms.CharField(label=_("新名称"), max_length=100)


class RedrawForm(RuleExceptionMixin, AdjustForm):
    area_description = forms.CharField(label=_("区域范围"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    boundary = BoundaryField(label=_("边界（GeoJSON）"), required=False)
    households = forms.IntegerField(label=_("户数"), min_value=0, required=False)
    scale = forms.CharField(label=_("规模"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            for field in ("area_description", "households", "scale"):
                self.initial[field] = getattr(self.area, field)
            if self.area.boundary:
                self.initial["boundary"] = json.dumps(self.area.boundary, ensure_ascii=False)


class SplitForm(RuleExceptionMixin, AdjustForm):
    parts = forms.CharField(
        label=_("拆分后的网格"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个新网格：名称,户数（户数可省略）。原网格下的微网格转入第一个新网格。"),
    )

    def clean_parts(self) -> list[dict]:
        parts = []
        for number, line in enumerate(self.cleaned_data["parts"].splitlines(), start=1):
            if not line.strip():
                continue
            name, _sep, households = line.replace("，", ",").partition(",")
            part = {"name": name.strip()}
            if households.strip():
                try:
                    part["households"] = int(households.strip())
                except ValueError as exc:
                    raise ValidationError(_("第 %(n)s 行的户数不是整数。"), params={"n": number}) from exc
            parts.append(part)
        if len(parts) < 2:
            raise ValidationError(_("拆分至少要有两个新网格。"))
        return parts


class _SiblingChoiceMixin:
    def siblings(self):
        return (
            Area.objects.filter(parent_id=self.area.parent_id, level=self.area.level, status=Status.ACTIVE)
            .exclude(pk=self.area.pk)
            .order_by("code")
        )


class MergeForm(_SiblingChoiceMixin, RuleExceptionMixin, AdjustForm):
    others = ModelMultipleChoiceField(
        label=_("并入本网格的同级网格"), queryset=Area.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    new_name = forms.CharField(
        label=_("合并为新网格（名称）"),
        max_length=100,
        required=False,
        help_text=_("留空则保留本网格，其余网格并入本网格。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["others"].queryset = self.siblings()


class RetireForm(_SiblingChoiceMixin, AdjustForm):
    successor = forms.ModelChoiceField(label=_("承接网格"), queryset=Area.objects.none(), required=False)
    note = forms.CharField(label=_("撤销原因"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = self.siblings()


class HouseholdRuleForm(forms.Form):
    """One household rule of the city (`grids.rules.rule_set`): an open side left empty."""

    min_households = forms.IntegerField(label=_("最少户数"), min_value=0, required=False)
    max_households = forms.IntegerField(label=_("最多户数"), min_value=0, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
