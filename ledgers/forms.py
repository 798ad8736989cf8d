"""Forms of the ledgers' pages: phone-sized (one column, large targets), Chinese messages."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.forms import LocalDateTimeInput
from events.submit import OnceForm
from personnel.choices import PersonalField

from .choices import AddressKind, DocType, Registration, Relation, SafetyClass, UnitKind
from .validators import normalise_uscc, validate_uscc


class VisitForm(OnceForm):
    """Record a visit (走访): when, what was found, what follows, one photo (camera on phones)."""

    visited_at = forms.DateTimeField(label=_("走访时间"), widget=LocalDateTimeInput())
    findings = forms.CharField(
        label=_("发现情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False
    )
    follow_up = forms.CharField(
        label=_("跟进事项"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000, required=False
    )
    photo = forms.ImageField(
        label=_("照片"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("visited_at", timezone.localtime().replace(second=0, microsecond=0))


class RevealForm(forms.Form):
    """Ask for a resident's clear ID number or mobile: the purpose is logged."""

    field = forms.ChoiceField(label=_("查看内容"), choices=PersonalField.choices)
    purpose = forms.CharField(label=_("查看事由"), max_length=200, min_length=2)


class IdSearchForm(forms.Form):
    """Exact look-up by document number (POSTed: never in a URL), with a logged purpose."""

    id_number = forms.CharField(
        label=_("证件号码"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    purpose = forms.CharField(label=_("查询事由"), max_length=200, min_length=2)


class ImportForm(forms.Form):
    """An XLSX workbook of one ledger (see `ledgers.importing.COLUMNS` for the headers)."""

    kind = forms.ChoiceField(label=_("台账"), choices=[("persons", _("实有人口")), ("units", _("实有单位"))])
    file = forms.FileField(label=_("XLSX 文件"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


class UnitFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("单位类型"), choices=[("", _("全部")), *UnitKind.choices], required=False)
    safety_class = forms.ChoiceField(
        label=_("消防安全类别"), choices=[("", _("全部")), *SafetyClass.choices], required=False
    )


class PersonForm(OnceForm):
    """Register a resident in a household (phone-sized): the ID gives sex and birth date."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    doc_type = forms.ChoiceField(label=_("证件类型"), choices=DocType.choices, initial=DocType.RESIDENT_ID)
    id_number = forms.CharField(
        label=_("证件号码"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    registration = forms.ChoiceField(label=_("户籍类别"), choices=Registration.choices, widget=forms.RadioSelect)
    relation = forms.ChoiceField(label=_("与户主关系"), choices=Relation.choices, widget=forms.RadioSelect)
    mobile = forms.CharField(
        label=_("手机号码"), max_length=11, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("关爱标签"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].queryset = tags


def _degrees(label, limit: int) -> forms.DecimalField:
    """An optional WGS 84 coordinate in decimal degrees within ±`limit` (6 decimals, a phone's keypad)."""
    return forms.DecimalField(
        label=label,
        max_digits=9,
        decimal_places=6,
        min_value=-limit,
        max_value=limit,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )


class AddressForm(OnceForm):
    """A standard address segment below a micro-grid (街路巷, 门楼牌号, 楼栋, 单元, 户室 …).

    `area` (a micro-grid the worker keeps) is asked only for a top segment; below an
    existing address the kinds offered are those allowed under it. Position optional
    (WGS 84 decimal degrees, as a phone's GPS gives it); the code is assigned on saving.
    """

    area = forms.ModelChoiceField(label=_("微网格"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("地址类型"), widget=forms.RadioSelect)
    name = forms.CharField(
        label=_("名称"), max_length=60, help_text=_("如：中山东路、12号、3幢、2单元、301室（不含上级地址）。")
    )
    latitude = _degrees(_("纬度"), 90)
    longitude = _degrees(_("经度"), 180)

    field_order = ["area", "kind", "name", "latitude", "longitude"]

    def __init__(self, *args, micro_grids, kinds, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, label) for k, label in AddressKind.choices if k in kinds]
        if parent is not None:
            del self.fields["area"]
        else:
            self.fields["area"].queryset = micro_grids


class UnitForm(OnceForm):
    """An actual unit (实有单位) at an address of the worker's grids; the credit code is checked (GB 32100)."""

    name = forms.CharField(label=_("单位名称"), max_length=120)
    kind = forms.ChoiceField(label=_("单位类型"), choices=UnitKind.choices)
    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        min_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    safety_class = forms.ChoiceField(label=_("消防安全类别"), choices=SafetyClass.choices, initial=SafetyClass.GENERAL)
    legal_representative = forms.CharField(label=_("法定代表人/负责人"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("联系电话"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    staff_count = forms.IntegerField(label=_("从业人数"), min_value=0, required=False)

    def clean_uscc(self) -> str:
        value = normalise_uscc(self.cleaned_data.get("uscc") or "")
        if value:
            validate_uscc(value)
        return value
