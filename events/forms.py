"""Forms of the event pages: the report form, one small form per workflow step, patrols,
and the public demand / tracking forms (Art. 10, 15, 17, 19).

Forms only shape input; every change goes through `events.services`, whose
ValidationError is put back next to the fields with `apply_errors`.
"""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.choices import AttributeType, Category, Grade, TimeUnit
from catalog.models import ServiceItem
from catalog.selectors import items_in_force
from grids.choices import GRID_LEVELS
from grids.locate import chain_at
from ningbo_grid.forms import ModelMultipleChoiceField
from personnel import roles
from personnel.models import Organisation, TeamMember
from personnel.scope import restrict_areas
from personnel.teams import invitable_members

from .choices import Datum, InvitationRole, RejectReason, RequestKind
from .selectors import handling_units, suggested_lead_unit, units_by_level


def apply_errors(form: forms.Form, exc: ValidationError, aliases: dict | None = None) -> None:
    """Put a service's ValidationError next to the matching fields (others on top).

    `aliases` maps service field names to form field names (e.g. "attachments" → "photos").
    """
    aliases = aliases or {}
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, messages in exc.message_dict.items():
        target = aliases.get(key, key)
        target = target if target in form.fields else None
        for message in messages:
            form.add_error(target, message)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once; on phones the camera opens (`capture="environment"`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("照片"))
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment", "multiple": True})
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(PhotosField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class VoiceField(forms.FileField):
    """A short voice note (issue #19): a recording from the phone's recorder (the page's
    script records it, static/mobile/form.js) or an audio file; checked by content as
    photos are (`events.attachments.clean_audio`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("语音说明"))
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": "audio/*", "data-ng-voice": ""}))
        super().__init__(**kwargs)


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


# Report ----------------------------------------------------------------------------------

ATTR_PREFIX = "attr_"


def report_areas(user, perm=roles.REPORT):
    """Active grids and micro-grids where `user` holds `perm` (default `report_event`)."""
    return restrict_areas(user, perm).filter(level__in=GRID_LEVELS, status="active").order_by("code")


class ReportForm(forms.Form):
    """The grid staff's report form (上报, Art. 17, 19). The item list follows the chosen
    grid (items in force there), narrowed by category and search text; the item's report
    fields are added as `attr_<code>` fields."""

    area = forms.ModelChoiceField(queryset=None, label=_("网格"))
    category = forms.TypedChoiceField(
        label=_("事项类别"), choices=[("", _("全部类别")), *list(Category.choices)], coerce=int, required=False
    )
    q = forms.CharField(label=_("搜索事项"), required=False, max_length=40)
    item = forms.ModelChoiceField(queryset=ServiceItem.objects.none(), label=_("清单事项"))
    grade = forms.ChoiceField(label=_("等级"), choices=Grade.choices, initial=Grade.GENERAL)
    title = forms.CharField(label=_("标题"), max_length=120)
    description = forms.CharField(label=_("事件描述"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    discovered_at = forms.DateTimeField(label=_("发现时间"), widget=LocalDateTimeInput())
    address = forms.CharField(label=_("地点"), max_length=200, required=False)
    latitude = forms.DecimalField(label=_("纬度"), required=False, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("经度"), required=False, max_digits=9, decimal_places=6)
    datum = forms.ChoiceField(label=_("坐标系"), choices=[("", "—"), *list(Datum.choices)], required=False)
    photos = PhotosField()
    voice = VoiceField()
    # One-time key of this filled-in form: a second POST of it files nothing new
    # (idempotency.services, through events.views._file_once).
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    #: the area permission the grid list needs
    perm = roles.REPORT

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        areas = report_areas(user, self.perm)
        self.fields["area"].queryset = areas
        self.fields["area"].label_from_instance = lambda a: f"{a.name}（{a.code}）"
        if not self.is_bound:
            self.initial.setdefault("discovered_at", timezone.localtime().replace(second=0, microsecond=0))
            self.initial.setdefault("submission_key", uuid.uuid4())
            first = areas.first()
            if first is not None and "area" not in self.initial:
                self.initial["area"] = first.pk
        if self.is_bound and not self._raw("area"):
            self._preselect_area(areas)
        self.area = self._pick_area(areas)
        self.versions = {}
        if self.area is not None:
            versions = items_in_force(self.area)
            category = self._raw("category")
            if category and str(category).isdigit():
                versions = versions.filter(category=int(category))
            text = (self._raw("q") or "").strip()
            if text:
                versions = versions.filter(Q(name__icontains=text) | Q(item__code__icontains=text))
            self.versions = {v.item_id: v for v in self.narrow(versions)}
        self.fields["item"].queryset = ServiceItem.objects.filter(pk__in=list(self.versions)).order_by("code")
        self.fields["item"].error_messages["invalid_choice"] = _(
            "该事项不在本网格现行的事项清单中（可能已退出清单），请重新选择。"
        )
        self.fields["item"].label_from_instance = lambda i: f"{i.code} {self.versions[i.pk].display_name}"
        self.version = self.versions.get(_int(self._raw("item")))
        self.attribute_fields = []
        for attr in (self.version.attributes or []) if self.version else []:
            name = ATTR_PREFIX + attr["code"]
            self.fields[name] = _attribute_field(attr)
            self.attribute_fields.append(name)

    def narrow(self, versions):
        """The item versions offered (a subclass may narrow them)."""
        return versions

    def _raw(self, name):
        if self.is_bound:
            return self.data.get(self.add_prefix(name))
        return self.initial.get(name)

    def _position(self):
        """(lat, lon, datum) as posted, or None when incomplete or not numbers."""
        lat, lon, datum = self._raw("latitude"), self._raw("longitude"), self._raw("datum") or ""
        try:
            return float(lat), float(lon), datum
        except (TypeError, ValueError):
            return None

    def _located(self):
        """The chain of areas holding the posted position (grids.locate), [] if none or unplaceable."""
        position = self._position()
        if position is None or not position[2]:
            return []
        try:
            return chain_at(lat=position[0], lon=position[1], datum=position[2])
        except ValueError:
            return []

    def _preselect_area(self, areas):
        """No grid chosen but a position given: choose the offered grid or micro-grid holding it."""
        codes = [a.code for a in self._located() if a.level in GRID_LEVELS]
        offered = {area.code: area for area in areas.filter(code__in=codes)} if codes else {}
        found = next((offered[code] for code in reversed(codes) if code in offered), None)  # deepest first
        if found is not None:
            self.data = self.data.copy()
            self.data[self.add_prefix("area")] = str(found.pk)

    def _pick_area(self, areas):
        pk = _int(self._raw("area"))
        return areas.filter(pk=pk).first() if pk else None

    def clean_discovered_at(self):
        value = self.cleaned_data["discovered_at"]
        if value and value > timezone.now():
            raise ValidationError(_("发现时间不能晚于上报时间。"))
        return value

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("latitude", _("经纬度须同时填写。"))
        if data.get("latitude") is not None and not data.get("datum"):
            self.add_error("datum", _("请注明坐标系（WGS-84、GCJ-02、BD-09 或 CGCS2000）。"))
        self._check_position(data.get("area"))
        return data

    def _check_position(self, area) -> None:
        """The position, where a drawn grid holds it, must lie in the chosen grid (Art. 17)."""
        chain = self._located()
        grids = [a for a in chain if a.level in GRID_LEVELS]
        if area is None or not grids or area.code in {a.code for a in chain}:
            return
        if area.parent_id == grids[-1].pk and not area.boundary:
            return  # an undrawn micro-grid of the grid holding the point
        holder = grids[-1]
        self.add_error(
            "area",
            _("所填位置不在所选网格内，位于 %(name)s（%(code)s）。请核对网格或位置。")
            % {"name": holder.name, "code": holder.code},
        )

    def attributes(self) -> dict:
        return {
            name[len(ATTR_PREFIX) :]: self.cleaned_data.get(name)
            for name in self.attribute_fields
            if self.cleaned_data.get(name) not in (None, "", [])
        }

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "area": d["area"],
            "item": d["item"],
            "grade": d["grade"],
            "title": d["title"],
            "description": d["description"],
            "discovered_at": d["discovered_at"],
            "address": d["address"],
            "latitude": d["latitude"],
            "longitude": d["longitude"],
            "datum": d["datum"] if d["latitude"] is not None else "",
            "attributes": self.attributes(),
            "attachments": [*d["photos"], *([d["voice"]] if d.get("voice") else [])],
        }


class SelfHandleForm(ReportForm):
    """On-the-spot handling (就地处置, Art. 17 ¶2): the report form of a grid leader or
    full-time worker (`self_handle_event`), offering only the items whose version allows
    it, plus what was done on the spot and its photos. The event is closed at once."""

    result_text = forms.CharField(
        label=_("处置结果"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("现场是如何处置的、处置后的情况。"),
    )
    photos = PhotosField(label=_("处置照片"))

    perm = roles.SELF_HANDLE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].error_messages["invalid_choice"] = _(
            "该事项不允许就地处置，请选择可就地处置的事项，或按一般事件上报。"
        )

    def narrow(self, versions):
        return [v for v in versions if v.self_handle]

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "result_text": self.cleaned_data["result_text"]}


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _attribute_field(attr: dict) -> forms.Field:
    """A form field for one report field of the item (catalog.attributes)."""
    kind, label, required = attr["type"], attr["label"], bool(attr.get("required"))
    choices = [(c["key"], c["label"]) for c in attr.get("choices", [])]
    if kind == AttributeType.NUMBER:
        return forms.DecimalField(label=label, required=required)
    if kind == AttributeType.DATE:
        return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))
    if kind == AttributeType.SINGLE_CHOICE:
        return forms.ChoiceField(label=label, required=required, choices=[("", "—"), *choices])
    if kind == AttributeType.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            label=label, required=required, choices=choices, widget=forms.CheckboxSelectMultiple
        )
    return forms.CharField(label=label, required=required, max_length=500)


# Steps -------------------------------------------------------------------------------------


class StepForm(forms.Form):
    """Base of the step forms: `version` is the event version the user saw (Conflict check)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    aliases: dict = {}

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event

    def service_kwargs(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


def _text(label, required=False, rows=2):
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}))


class TextStepForm(StepForm):
    text = _text(_("说明"))


class RequiredTextStepForm(StepForm):
    text = _text(_("说明"), required=True)


class RejectForm(StepForm):
    reason = forms.ChoiceField(label=_("不予受理原因"), choices=RejectReason.choices)
    original = forms.CharField(
        label=_("原事件编号"), required=False, max_length=20, help_text=_("重复事件时填写要合并到的事件编号。")
    )
    text = _text(_("说明"))

    def service_kwargs(self):
        from .models import Event

        kwargs = super().service_kwargs()
        number = (kwargs.pop("original") or "").strip()
        kwargs["original"] = (
            Event.objects.filter(number=number).values_list("pk", flat=True).first() if number else None
        )
        return kwargs


class DispatchForm(StepForm):
    """Dispatch (派遣): the unit pickers are grouped by level (optgroups, searchable in the
    browser by static/js/unit-search.js) and the lead unit starts at the suggestion of
    `events.selectors.suggested_lead_unit` (Art. 17)."""

    lead_unit = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("主办单位"))
    co_units = ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        label=_("协办单位"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    text = _text(_("派遣意见"))

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, event=event, **kwargs)
        if event is not None:
            units = handling_units(event)
            grouped = units_by_level(units)
            suggested = suggested_lead_unit(event, units)
            for name in ("lead_unit", "co_units"):
                field = self.fields[name]
                field.queryset = units
                field.widget.attrs["data-ng-unit-search"] = _("输入名称筛选单位")
            self.fields["lead_unit"].choices = [("", "---------"), *grouped]
            self.fields["co_units"].choices = grouped
            if event.about_staff_id:  # a complaint about a grid worker: the staff office alone
                self.fields["co_units"].widget = forms.MultipleHiddenInput()
            if suggested is not None:
                self.initial.setdefault("lead_unit", suggested.pk)
                self.fields["lead_unit"].help_text = _("建议：%(unit)s（按事项责任部门和事件层级）") % {
                    "unit": suggested.name
                }


class InviteForm(StepForm):
    member = forms.ModelChoiceField(queryset=TeamMember.objects.none(), label=_("团队成员"))
    role = forms.ChoiceField(label=_("参与方式"), choices=InvitationRole.choices, initial=InvitationRole.ADVISER)
    text = _text(_("邀请说明"))

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, event=event, **kwargs)
        if event is not None:
            self.fields["member"].queryset = invitable_members(event.area)
            self.fields["member"].label_from_instance = lambda m: (
                f"{m.display_name}（{m.get_specialty_display()}，{m.team.name}）"
            )


class ReturnForm(StepForm):
    reason = _text(_("退回理由"), required=True)


class RequestForm(StepForm):
    kind = forms.ChoiceField(label=_("申请类型"), choices=RequestKind.choices)
    reason = _text(_("申请理由"), required=True)
    extra_amount = forms.DecimalField(label=_("延长时长"), required=False, min_value=0, max_digits=6, decimal_places=2)
    extra_unit = forms.ChoiceField(label=_("时长单位"), choices=[("", "—"), *list(TimeUnit.choices)], required=False)


YES_NO = [("yes", _("同意")), ("no", _("不同意"))]
PASS_FAIL = [("pass", _("通过")), ("fail", _("不通过（返工）"))]


class DecideForm(StepForm):
    approve = forms.ChoiceField(label=_("审批结果"), choices=YES_NO, widget=forms.RadioSelect, initial="yes")
    reason = _text(_("审批意见"))

    def service_kwargs(self):
        kwargs = super().service_kwargs()
        kwargs["approve"] = kwargs["approve"] == "yes"
        return kwargs


class ResultForm(StepForm):
    text = _text(_("办理结果"), required=True, rows=3)
    attachments = PhotosField(label=_("结果照片"))


class VerifyForm(StepForm):
    passed = forms.ChoiceField(label=_("核查结论"), choices=PASS_FAIL, widget=forms.RadioSelect, initial="pass")
    text = _text(_("核查意见"))
    attachments = PhotosField(label=_("核查照片"))

    def service_kwargs(self):
        kwargs = super().service_kwargs()
        kwargs["passed"] = kwargs["passed"] == "pass"
        return kwargs


class RateForm(StepForm):
    score = forms.TypedChoiceField(
        label=_("满意度"),
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("5 分最满意，1 分最不满意。"),
    )
    comment = _text(_("评价"))


class CorrectForm(StepForm):
    """Correct reported details (更正): the fields start with the event's values; the
    reason is required and the timeline keeps the old and new values."""

    title = forms.CharField(label=_("标题"), max_length=120)
    description = forms.CharField(label=_("事件描述"), widget=forms.Textarea(attrs={"rows": 3}))
    address = forms.CharField(label=_("地点"), max_length=200, required=False)
    text = _text(_("更正原因"), required=True)

    FIELDS = ("title", "description", "address")

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, event=event, **kwargs)
        if event is not None and not self.is_bound:
            for name in self.FIELDS:
                self.initial.setdefault(name, getattr(event, name))

    def clean(self):
        data = super().clean()
        if self.event is not None and not self.errors and not self.changes():
            raise ValidationError(_("没有改动：请修改要更正的内容。"))
        return data

    def changes(self) -> dict:
        return {
            name: self.cleaned_data[name].strip()
            for name in self.FIELDS
            if name in self.cleaned_data and self.cleaned_data[name].strip() != getattr(self.event, name)
        }

    def service_kwargs(self):
        return {"changes": self.changes(), "text": self.cleaned_data["text"]}


class PublishForm(StepForm):
    """Publish on Open311 (公开): what is published is said next to the reason."""

    text = forms.CharField(
        label=_("说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("公开后，标题、地点、坐标、办理状态和上报照片将在 Open311 接口上公布，无需登录即可查看。"),
    )
    public = True

    def service_kwargs(self):
        return {**super().service_kwargs(), "public": self.public}


class UnpublishForm(PublishForm):
    """Stop publishing on Open311 (取消公开)."""

    text = _text(_("说明"))
    public = False


# Patrols ------------------------------------------------------------------------------------


class PatrolStartForm(forms.Form):
    area = forms.ModelChoiceField(queryset=None, label=_("网格"))
    notes = forms.CharField(label=_("备注"), required=False, max_length=500)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = report_areas(user)


class PatrolEndForm(forms.Form):
    households_visited = forms.IntegerField(label=_("走访户数"), min_value=0, initial=0)
    notes = forms.CharField(label=_("巡查记录"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PatrolLogForm(PatrolStartForm):
    started_at = forms.DateTimeField(label=_("开始时间"), widget=LocalDateTimeInput())
    ended_at = forms.DateTimeField(label=_("结束时间"), widget=LocalDateTimeInput())
    households_visited = forms.IntegerField(label=_("走访户数"), min_value=0, initial=0)


# Public -------------------------------------------------------------------------------------
