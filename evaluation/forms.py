"""Forms of the evaluation pages (Chinese errors next to the field)."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AdjustmentKind, SubjectKind
from .indicators import REGISTRY, Span, span_of
from .models import Scheme
from .scoring import INDICATOR_KIND

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


# --- schemes (Art. 22) ---------------------------------------------------------------

RULE_FIELDS = (
    "late_report_hours",
    "late_report_penalty",
    "concealed_penalty",
    "bonus_max",
    "accept_hours",
    "verify_hours",
)
TOTAL_WEIGHT = Decimal(100)


class PrefillForm(forms.Form):
    """`?subject_kind=` on the new-scheme page: start from that subject's default indicators."""

    subject_kind = forms.ChoiceField(label=_("按考评对象预填默认指标"), choices=SubjectKind.choices)


class SchemeForm(forms.ModelForm):
    """A scheme's subject, period and bonus/penalty rules; its indicators come in `IndicatorFormSet`.

    `authorities`: the evaluating organisations the user may act for (authorities and
    townships, `evaluation.evaluators`). Editing keeps the organisation and the subject
    kind (the indicators depend on it).
    """

    class Meta:
        model = Scheme
        fields = ["authority", "name", "subject_kind", "period_kind", *RULE_FIELDS, "is_active"]
        labels = {"authority": _("考评单位")}
        help_texts = {
            "authority": _(
                "网格化主管单位可考评乡镇（街道）、承办单位和网格人员；乡镇（街道）只能考评本辖区网格人员。"
            ),
            "subject_kind": _(
                "排名范围：乡镇（街道）在所属区（县、市）内排名；承办单位与同一层级的单位排名；"
                "网格长、专职网格员、网格指导员在所属乡镇（街道）内排名。"
            ),
            "late_report_hours": _("发现至上报超过此小时数（自然小时）即为迟报，每件按“每件迟报扣分”扣分。"),
            "concealed_penalty": _("事后查实的每件瞒报，在考评期页面登记后按此扣分。"),
            "bonus_max": _("加分合计不超过此分值。"),
        }

    def __init__(self, *args, authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities
        self.fields["authority"].empty_label = None
        for name in RULE_FIELDS:
            self.fields[name].min_value = 0
            self.fields[name].widget.attrs["min"] = "0"
        if self.instance.pk:
            for name in ("authority", "subject_kind"):
                self.fields[name].disabled = True

    def clean(self):
        data = super().clean()
        for name in RULE_FIELDS:
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("不能为负数。"))
        name, authority = (data.get("name") or "").strip(), data.get("authority")
        if name and authority and data.get("is_active"):
            twins = Scheme.objects.filter(authority=authority, name=name, is_active=True).exclude(pk=self.instance.pk)
            if twins.exists():
                self.add_error("name", _("已有同名的启用方案。"))
        return data

    def rules(self) -> dict:
        """The cleaned fields the services take as keyword arguments."""
        return {name: self.cleaned_data[name] for name in ("name", "period_kind", *RULE_FIELDS, "is_active")}


def indicator_choices():
    return [("", "—")] + [(code, f"{ind.name}（{ind.unit}）") for code, ind in REGISTRY.items()]


class IndicatorForm(forms.Form):
    """One weighted indicator: 0 points at `floor`, the full `weight` at `target`, linear between."""

    code = forms.ChoiceField(label=_("指标"), choices=indicator_choices, required=False)
    group = forms.CharField(label=_("分组"), max_length=40, required=False)
    weight = forms.DecimalField(label=_("分值"), max_digits=6, decimal_places=2, required=False)
    floor = forms.FloatField(label=_("零分值"), required=False)
    target = forms.FloatField(label=_("满分值"), required=False)
    missing_ratio = forms.DecimalField(
        label=_("无数据得分比例"),
        max_digits=3,
        decimal_places=2,
        min_value=0,
        max_value=1,
        required=False,
        initial=Decimal("0.5"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = field.label

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) not in (None, "") for name in ("code", "weight", "floor", "target"))

    def clean(self):
        data = super().clean()
        if self.is_blank():
            return data
        if not data.get("code"):
            self.add_error("code", _("请选择指标。"))
        for name in ("weight", "floor", "target"):
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, _("请填写。"))
        weight = data.get("weight")
        if weight is not None and weight <= 0:
            self.add_error("weight", _("分值须大于零。"))
        if data.get("floor") is not None and data.get("floor") == data.get("target"):
            self.add_error("target", _("满分值不能与零分值相同。"))
        return data

    def row(self) -> dict:
        d = self.cleaned_data
        ratio = d.get("missing_ratio")
        return {
            "code": d["code"],
            "group": d.get("group") or "",
            "weight": d["weight"],
            "floor": d["floor"],
            "target": d["target"],
            "missing_ratio": Decimal("0.5") if ratio is None else ratio,
        }


class BaseIndicatorFormSet(forms.BaseFormSet):
    """The scheme's indicators: at least one, each once, all applicable to `subject_kind`, weights totalling 100."""

    subject_kind: str | None = None

    def clean(self):
        if any(self.errors):
            return
        kind = INDICATOR_KIND.get(self.subject_kind)
        seen, total, rows = set(), Decimal(0), 0
        for form in self.forms:
            if form.is_blank():
                continue
            rows += 1
            code = form.cleaned_data["code"]
            if code in seen:
                form.add_error("code", _("指标重复。"))
            seen.add(code)
            if kind and not REGISTRY[code].applies_to(kind):
                form.add_error("code", _("该指标不适用于所选考评对象。"))
            total += form.cleaned_data["weight"]
        if not rows:
            raise forms.ValidationError(_("至少需要一项指标。"))
        if total != TOTAL_WEIGHT:
            raise forms.ValidationError(
                _("各项分值合计须为 %(want)s 分（现为 %(total)s 分）；加分另计。") % {"want": 100, "total": total}
            )

    def rows(self) -> list[dict]:
        return [form.row() for form in self.forms if not form.is_blank()]


IndicatorFormSet = forms.formset_factory(
    IndicatorForm, formset=BaseIndicatorFormSet, extra=3, max_num=30, validate_max=True
)


class AdjustmentForm(forms.Form):
    """A bonus, or a concealed report found later (瞒报), for one subject of a period (`subjects`: [(key, label)])."""

    subject = forms.ChoiceField(label=_("考评对象"))
    kind = forms.ChoiceField(label=_("类型"), choices=AdjustmentKind.choices)
    points = forms.DecimalField(
        label=_("加分分值"),
        max_digits=6,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("仅加分时填写；瞒报按方案的“每件瞒报扣分”扣分。"),
    )
    event_number = forms.CharField(label=_("事件编号"), max_length=20, required=False)
    reason = forms.CharField(
        label=_("理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": _("请填写理由。")},
    )

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = subjects

    def clean(self):
        data = super().clean()
        if data.get("kind") == AdjustmentKind.BONUS and not data.get("points"):
            self.add_error("points", _("请填写加分分值。"))
        if data.get("kind") == AdjustmentKind.CONCEALED and not data.get("event_number"):
            self.add_error("event_number", _("请填写查实瞒报的事件编号。"))
        return data
