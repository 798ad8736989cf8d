"""Phone forms (390 px) changing a person or an address: transfer, departure, care tags,
rename, merge. Each carries a one-time submission key (`events.submit.OnceForm`: a double
tap files nothing twice) and the `version` of the person or address as read (a form
left open while someone else changed the record is refused, never applied over it)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.submit import OnceForm

from .choices import PersonStatus, Relation
from .models import Address


class VersionedForm(OnceForm):
    """A OnceForm naming the version of the record it changes (hidden, from the page)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = record.version


class AddressPickField(forms.ModelChoiceField):
    """An address among `queryset` (the ones the worker keeps), by id; the page lists the
    matches of its search box as radio buttons (`ledgers/_address_pick.html`)."""

    widget = forms.HiddenInput
    default_error_messages = {
        "invalid_choice": _("请从搜索结果中选择一个地址。"),
        "required": _("请先搜索并选择一个地址。"),
    }


def _local_date(label) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))


def _not_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("日期不能晚于今天。"))
    return value


class MoveFields(forms.Form):
    """Where a resident moves (a room among `rooms`, the ones the worker keeps), whether they
    join the household there (and as what), why: the fields of a transfer and a transfer-in."""

    residence = AddressPickField(label=_("新居住地址"), queryset=Address.objects.none())
    join = forms.BooleanField(label=_("加入该地址的家庭"), required=False)
    relation = forms.ChoiceField(
        label=_("与户主关系"), choices=[("", _("不填")), *Relation.choices], required=False, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("迁移原因"), max_length=200)

    def __init__(self, *args, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["residence"].queryset = rooms


class TransferForm(VersionedForm, MoveFields):
    """Move a resident the worker keeps to another room of the worker's grids (迁移)."""


class TransferInForm(OnceForm, MoveFields):
    """Take in a resident from another jurisdiction (迁入) by their exact document number
    (POSTed, never in a URL; the look-up is logged with its purpose)."""

    id_number = forms.CharField(
        label=_("证件号码"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    purpose = forms.CharField(label=_("查询事由"), max_length=200, min_length=2, initial=_("办理迁入"))

    field_order = ["id_number", "purpose"]


class LeaveForm(VersionedForm):
    """A resident moved out of the city or died (迁出本市/死亡): when and why."""

    status = forms.ChoiceField(
        label=_("注销原因"),
        choices=[(PersonStatus.MOVED_OUT, PersonStatus.MOVED_OUT.label), (PersonStatus.DECEASED, _("死亡"))],
        widget=forms.RadioSelect,
    )
    on = _local_date(_("迁出/死亡日期"))
    reason = forms.CharField(label=_("说明"), max_length=200)

    def clean_on(self):
        return _not_future(self.cleaned_data["on"])


class TagsForm(VersionedForm):
    """A resident's care tags among those the worker may see (`tags`), dated."""

    tags = forms.ModelMultipleChoiceField(
        label=_("关爱标签"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    on = _local_date(_("变更日期"))

    def __init__(self, *args, tags, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].queryset = tags
        if not self.is_bound:
            self.initial |= {"tags": list(current), "on": timezone.localdate()}

    def clean_on(self):
        return _not_future(self.cleaned_data["on"])


class RenameForm(VersionedForm):
    """A new name for one address segment (the full text below it follows)."""

    name = forms.CharField(
        label=_("新名称"), max_length=60, help_text=_("只填本级名称，如：解放南路、8号、3幢、301室。")
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, record=record, **kwargs)
        if not self.is_bound:
            self.initial["name"] = record.name


class MergeForm(VersionedForm):
    """The address a duplicate is merged into (same kind, in the worker's grids)."""

    into = AddressPickField(label=_("合并到"), queryset=Address.objects.none())

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = targets
