"""HTML forms of the personnel app; errors are Chinese and shown next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import PersonalField, StaffSource
from .validators import validate_id_number, validate_mobile


class UnmaskForm(forms.Form):
    """Reveal one personal-data field; the purpose is logged (Art. 16)."""

    field = forms.ChoiceField(label=_("查看字段"), choices=PersonalField.choices)
    purpose = forms.CharField(label=_("查看事由"), min_length=2, max_length=200)


class StaffEditForm(forms.Form):
    """Edit a staff record. Personal fields start empty (never pre-filled in clear): empty keeps the value."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    mobile = forms.CharField(
        label=_("手机号码"), required=False, validators=[validate_mobile], help_text=_("留空则不修改。")
    )
    id_number = forms.CharField(
        label=_("身份证号码"), required=False, validators=[validate_id_number], help_text=_("留空则不修改。")
    )
    work_phone = forms.CharField(label=_("工作电话（公开）"), max_length=30, required=False)
    source = forms.ChoiceField(label=_("人员来源"), choices=[("", "—"), *StaffSource.choices], required=False)
    duties = forms.CharField(label=_("工作职责"), widget=forms.Textarea, required=False)
    # A date picker on the phone, showing the recorded day (Art. 23).
    insurance_until = forms.DateField(
        label=_("意外险到期日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def changes(self) -> dict:
        """The cleaned fields to pass to `staff_update` (empty personal fields left out)."""
        data = dict(self.cleaned_data)
        for key in ("mobile", "id_number"):
            if not data.get(key):
                data.pop(key, None)
        return data
