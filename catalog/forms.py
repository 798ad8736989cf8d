"""HTML forms of the catalogue pages; every submit goes through `catalog.services`."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from grids.models import Area
from personnel.choices import Department

from .choices import Category, CloseLevel, Grade, ItemKind, ListLevel, TimeUnit
from .services.core import RULE_FIELDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the matching fields (others at the top)."""
    if hasattr(exc, "error_dict"):
        for key, messages in exc.message_dict.items():
            target = key if key in form.fields else None
            for message in messages:
                form.add_error(target, message if target or key == "__all__" else f"{key}：{message}")
    else:
        for message in exc.messages:
            form.add_error(None, message)


class ProposeForm(forms.Form):
    """An item proposal: content, report fields (JSON) and one rule row per grade."""

    code = forms.CharField(label=_("事项编码"), required=False, help_text=_("新事项可留空，按类别自动编号。"))
    level = forms.ChoiceField(label=_("清单层级"), choices=ListLevel.choices, initial=ListLevel.CITY)
    district = forms.ModelChoiceField(
        label=_("区（县、市）"), queryset=Area.objects.filter(level="county").order_by("code"), required=False
    )
    name = forms.CharField(label=_("名称"), max_length=100)
    name_en = forms.CharField(label=_("英文名称"), max_length=200, required=False)
    category = forms.TypedChoiceField(label=_("类别"), choices=Category.choices, coerce=int)
    kind = forms.ChoiceField(label=_("事项类型"), choices=ItemKind.choices)
    department = forms.ChoiceField(label=_("责任部门"), choices=Department.choices)
    supporting_units = forms.CharField(label=_("配合单位"), max_length=200, required=False)
    self_handle = forms.BooleanField(label=_("可就地处置"), required=False)
    description = forms.CharField(label=_("事项说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    guidance = forms.CharField(label=_("工作指引"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    attributes = forms.CharField(
        label=_("上报字段（JSON）"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_(
            '列表，每项如 {"code": "parties", "label": "当事人数", "type": "number", "required": true}；'
            "类型 text/number/date/single/multiple，选择题加 choices: [{key, label}]。"
        ),
    )
    opinion = forms.CharField(label=_("提议说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, new_item: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not new_item:
            for name in ("code", "level", "district"):
                del self.fields[name]
        for grade, label in Grade.choices:
            self.fields[f"{grade}_accept_limit"] = forms.DecimalField(
                label=_("%(g)s·受理时限") % {"g": label}, required=False, min_value=0, decimal_places=2
            )
            self.fields[f"{grade}_accept_unit"] = forms.ChoiceField(
                label=_("%(g)s·受理单位") % {"g": label}, choices=TimeUnit.choices, initial=TimeUnit.WORKING_HOUR
            )
            self.fields[f"{grade}_complete_limit"] = forms.DecimalField(
                label=_("%(g)s·办结时限") % {"g": label}, required=False, min_value=0, decimal_places=2
            )
            self.fields[f"{grade}_complete_unit"] = forms.ChoiceField(
                label=_("%(g)s·办结单位") % {"g": label}, choices=TimeUnit.choices, initial=TimeUnit.WORKING_DAY
            )
            self.fields[f"{grade}_warning_ratio"] = forms.DecimalField(
                label=_("%(g)s·预警点") % {"g": label}, initial="0.75", min_value=0, max_value=1, decimal_places=2
            )
            self.fields[f"{grade}_close_level"] = forms.ChoiceField(
                label=_("%(g)s·结案层级") % {"g": label}, choices=CloseLevel.choices
            )

    def clean_attributes(self):
        text = (self.cleaned_data.get("attributes") or "").strip()
        if not text:
            return []
        try:
            return json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting (was a 500)
            raise ValidationError(_("不是有效的 JSON。")) from None

    def content(self) -> dict:
        keys = ("name", "name_en", "category", "kind", "department", "supporting_units", "self_handle")
        data = {k: self.cleaned_data.get(k) for k in keys}
        data |= {k: self.cleaned_data.get(k) or "" for k in ("description", "guidance")}
        data["attributes"] = self.cleaned_data.get("attributes") or []
        return data

    def rules(self) -> list[dict]:
        return [{"grade": g, **{f: self.cleaned_data.get(f"{g}_{f}") for f in RULE_FIELDS}} for g in Grade.values]

    def content_fields(self):
        """Bound fields other than the per-grade rule fields."""
        rule_names = {f"{g}_{f}" for g in Grade.values for f in RULE_FIELDS}
        return [self[name] for name in self.fields if name not in rule_names]

    def rule_rows(self):
        """Bound fields grouped per grade, for the template's table."""
        return [(label, [self[f"{g}_{f}"] for f in RULE_FIELDS]) for g, label in Grade.choices]

    @classmethod
    def initial_from(cls, version) -> dict:
        """Initial values copied from `version` (for proposing its next version)."""
        initial = {
            k: getattr(version, k)
            for k in (
                "name",
                "name_en",
                "category",
                "kind",
                "department",
                "supporting_units",
                "self_handle",
                "description",
                "guidance",
            )
        }
        attributes = version.attributes
        initial["attributes"] = json.dumps(attributes, ensure_ascii=False, indent=1) if attributes else ""
        for rule in version.rules.all():
            for f in RULE_FIELDS:
                initial[f"{rule.grade}_{f}"] = getattr(rule, f)
        return initial


class OpinionForm(forms.Form):
    opinion = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class PublishForm(OpinionForm):
    effective_date = forms.DateField(label=_("生效日期"), widget=DATE_WIDGET)


class ReasonsForm(forms.Form):
    reasons = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("XLSX 文件"), help_text=_("第一行为列名，与公开清单导出的列相同。"))


class TemporaryMatterForm(forms.Form):
    title = forms.CharField(label=_("事项名称"), max_length=100)
    description = forms.CharField(label=_("事项说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    area = forms.ModelChoiceField(label=_("适用范围"), queryset=Area.objects.none())
    start = forms.DateField(label=_("开始日期"), widget=DATE_WIDGET)
    end = forms.DateField(label=_("结束日期"), widget=DATE_WIDGET)

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        if areas is not None:
            self.fields["area"].queryset = areas


# Filters (GET) ------------------------------------------------------------------------------

#: What `selectors.item_status` says of an item, as the item list's state filter offers it.
ITEM_STATES = [_("在用"), _("待生效"), _("有版本审核中"), _("退出申请中"), _("已批准退出"), _("已退出")]


class ItemFilterForm(forms.Form):
    """The administrators' item list filters (all optional)."""

    q = forms.CharField(
        label=_("关键词"), required=False, max_length=40, widget=forms.TextInput(attrs={"type": "search"})
    )
    category = forms.TypedChoiceField(
        label=_("类别"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("全部")), *((value, f"{value}. {label}") for value, label in Category.choices)],
    )
    level = forms.ChoiceField(label=_("清单层级"), required=False, choices=[("", _("全部")), *ListLevel.choices])
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("全部")), *((str(s), s) for s in ITEM_STATES)]


class PublicDistrictForm(forms.Form):
    """The public list's district: city items only, or the city's plus one district's."""

    district = forms.ModelChoiceField(
        label=_("区（县、市）"),
        queryset=Area.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("仅市级清单"),
    )

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts


class CompareForm(forms.Form):
    """Two versions of one item to compare."""

    a = forms.TypedChoiceField(label=_("版本 A"), coerce=int)
    b = forms.TypedChoiceField(label=_("版本 B"), coerce=int)

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v.number, f"v{v.number} {v.get_state_display()}") for v in versions]
        self.fields["a"].choices = self.fields["b"].choices = choices
