"""Forms of the ledgers' pages: phone-sized (one column, large targets), Chinese messages."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.forms import LocalDateTimeInput
from personnel.choices import PersonalField

from .choices import DocType, Registration, Relation, SafetyClass, UnitKind


class VisitForm(forms.Form):
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
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("visited_at", timezone.localtime().replace(second=0, microsecond=0))
            self.initial.setdefault("submission_key", uuid.uuid4())


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


class PersonForm(forms.Form):
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
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].queryset = tags
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())
