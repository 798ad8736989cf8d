"""HTML forms of the service team pages (Art. 20); every submit goes through `personnel.teams`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grids.models import Area

from .choices import Specialty
from .models import Staff


class TeamForm(forms.Form):
    """A team's name and the area it serves, by the area's unified code (a township, village or grid)."""

    name = forms.CharField(label=_("团队名称"), max_length=120)
    area_code = forms.CharField(
        label=_("服务区域编码"), max_length=20, help_text=_("区（县、市）、乡镇（街道）、村（社区）或网格的统一编码。")
    )
    is_active = forms.BooleanField(label=_("有效"), required=False, initial=True)

    def clean_area_code(self) -> Area:
        code = self.cleaned_data["area_code"].strip()
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise forms.ValidationError(_("没有这个区域编码。"))
        return area

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"], "area": data["area_code"], "is_active": data["is_active"]}


class MemberForm(forms.Form):
    """A member: a platform staff record by work ID (invitable onto events), or just a name."""

    specialty = forms.ChoiceField(label=_("专业身份"), choices=Specialty.choices)
    work_id = forms.CharField(
        label=_("平台人员工作证件编号"),
        max_length=20,
        required=False,
        help_text=_("平台人员填写；可被邀请参与事件处置。"),
    )
    name = forms.CharField(label=_("姓名"), max_length=50, required=False, help_text=_("非平台人员填写姓名。"))
    duties = forms.CharField(label=_("服务职责（公开）"), max_length=200, required=False)
    work_phone = forms.CharField(label=_("工作电话（不公开）"), max_length=30, required=False)
    is_active = forms.BooleanField(label=_("在队"), required=False, initial=True)

    def __init__(self, *args, staff_in_reach, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff_in_reach = staff_in_reach

    def clean_work_id(self) -> Staff | None:
        work_id = self.cleaned_data["work_id"].strip()
        if not work_id:
            return None
        staff = self.staff_in_reach.filter(work_id=work_id).first()
        if staff is None:
            raise forms.ValidationError(_("在您的辖区内找不到该工作证件编号的人员。"))
        return staff

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["staff"] = data.pop("work_id")
        return data
