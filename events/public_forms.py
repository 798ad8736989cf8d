"""The public's forms (Art. 10, 19): a demand or complaint on a grid's card, the tracking
code, and the citizen's satisfaction rating. Staff forms are in `events.forms`."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import Datum
from .forms import RateForm

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
OTHER = "other"


class DemandForm(forms.Form):
    """The public demand / complaint form of a grid (诉求/投诉, Art. 19). `website` is a
    honeypot (hidden; people leave it empty); `token` a signed time of display."""

    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[("demand", _("诉求")), ("complaint", _("投诉")), ("conduct", _("投诉网格工作人员"))],
        widget=forms.RadioSelect,
    )
    # Art. 10 ¶2, 27: whom a complaint about a grid worker's conduct is about (the grid's
    # current staff); it goes to the township's staff office, not to a department.
    about = forms.TypedChoiceField(
        label=_("被投诉的工作人员"), choices=(), coerce=int, required=False, empty_value=None
    )
    item = forms.ChoiceField(label=_("事项"), choices=())
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("手机号或带区号的固定电话，仅供工作人员联系您。"),
    )
    description = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    address = forms.CharField(label=_("地点"), max_length=200, required=False)
    # The pin (static/grids/maps.js fills them; WGS 84 from the phone's browser): the
    # server files the demand in the micro-grid holding it (events.services.event_public_demand).
    latitude = forms.DecimalField(widget=forms.HiddenInput, required=False, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(widget=forms.HiddenInput, required=False, max_digits=9, decimal_places=6)
    datum = forms.ChoiceField(widget=forms.HiddenInput, choices=Datum.choices, required=False)
    photo = forms.FileField(
        label=_("照片（可选，一张）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
        help_text=_("照片中的位置等信息会被去除。"),
    )
    website = forms.CharField(
        required=False,
        label=_("网址（请勿填写）"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, versions=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about"].choices = [("", "—"), *people]
        self.fields["item"].choices = [(OTHER, _("其他 / 不确定"))] + [
            (v.item.code, f"{v.item.code} {v.display_name}") for v in versions
        ]
        self.initial.setdefault("kind", "demand")
        self.initial.setdefault("item", OTHER)

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error(None, _("位置不完整，请重新选择位置。"))
        if data.get("kind") == "conduct" and not data.get("about"):
            self.add_error("about", _("请选择被投诉的工作人员。"))
        return data

    def clean_phone(self):
        phone = re.sub(r"[\s()（）]", "", self.cleaned_data["phone"])
        if not PHONE_RE.match(phone):
            raise ValidationError(_("请输入正确的手机号（11位）或固定电话（如 0574-87001234）。"))
        return phone


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_code(self):
        return re.sub(r"[\s-]", "", self.cleaned_data["code"]).upper()


class PublicRateForm(forms.Form):
    score = RateForm.base_fields["score"]
    comment = RateForm.base_fields["comment"]
