"""Browser forms of the tasks pages: issuing a task, and one form per step of the table
(`tasks.workflow.STEPS[...].form`); each step form carries the version it acts on."""

import uuid

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from catalog.models import ServiceItem, TemporaryMatter
from grids.choices import Level
from grids.models import Area
from ledgers.models import Household
from personnel import roles
from personnel.scope import covering_q, unit_ids

from .choices import Outcome, ResultKind
from .services import MAX_WORKING_DAYS, grid_households

#: Levels one may choose in the tree (a micro-grid is reached through its grid).
_CHOOSABLE = (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GRID)


class AreaChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return "　" * max(_CHOOSABLE.index(obj.level) - 1, 0) + obj.name if obj.level in _CHOOSABLE else obj.name


def _matters(user):
    """Approved temporary matters `user` may issue under: requested by their organisation,
    or covering an area in their dispatch reach (Art. 19)."""
    return TemporaryMatter.objects.filter(
        Q(requesting_organisation_id__in=unit_ids(user, "handler")) | covering_q(user, roles.DISPATCH)
    )


def issuable_areas(user) -> QuerySet[Area]:
    """The nodes `user` may send a task to (levels `_CHOOSABLE`), in tree order: their
    dispatch reach, plus the subtrees of the temporary matters open to them (Art. 19).
    A chosen township or village stands for every grid within it (`tasks.services.task_issue`)."""
    matter_areas = Area.objects.filter(pk__in=_matters(user).values("area_id"))
    within = Q()
    for node in matter_areas:
        within |= Q(tree_id=node.tree_id, lft__gte=node.lft, rght__lte=node.rght)
    reach = covering_q(user, roles.DISPATCH, "") | (within if matter_areas else Q(pk__in=[]))
    return Area.objects.filter(reach, level__in=_CHOOSABLE).order_by("tree_id", "lft")


class TaskForm(forms.Form):
    """Issue a task (`tasks.services.task_issue`); once per filled-in form (`submission_key`)."""

    title = forms.CharField(label=_("任务名称"), max_length=100)
    instructions = forms.CharField(label=_("工作要求"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    areas = AreaChoice(
        label=_("下派范围"),
        queryset=Area.objects.none(),
        widget=forms.SelectMultiple(
            attrs={
                "size": 10,
                "data-ng-area-picker": reverse_lazy("tasks:areas"),
                "data-placeholder": _("输入名称或编码查找，如：澄浪"),
                "data-none": _("没有找到。"),
                "data-more": _("只列出前50个，请输入更多字。"),
                "data-remove": _("移除"),
            }
        ),
        help_text=_("可选多个；选中街道（乡镇）或村（社区）即下派到其下每个网格。"),
    )
    item = forms.ModelChoiceField(label=_("清单事项"), queryset=ServiceItem.objects.none(), required=False)
    temporary_matter = forms.ModelChoiceField(
        label=_("或：经网格化主管单位同意的临时事项"), queryset=TemporaryMatter.objects.none(), required=False
    )
    working_days = forms.IntegerField(label=_("办理时限（工作日）"), min_value=1, max_value=MAX_WORKING_DAYS, initial=3)
    result_kind = forms.ChoiceField(label=_("反馈方式"), choices=ResultKind.choices, widget=forms.RadioSelect)
    attachment = forms.FileField(label=_("附件"), required=False)
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())
            self.initial.setdefault("result_kind", ResultKind.GRID)
        self.fields["areas"].queryset = issuable_areas(user)
        self.fields["item"].queryset = ServiceItem.objects.filter(current_version__isnull=False).select_related(
            "current_version"
        )
        self.fields["temporary_matter"].queryset = _matters(user).order_by("-start")


class StepForm(forms.Form):
    """A step with no input but the version the actor read."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CompleteForm(StepForm):
    result = forms.CharField(
        label=_("办理结果"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text=_("每户一条结果的任务：尚有住户未登记的，请在此说明原因。"),
    )
    photo = forms.ImageField(label=_("照片"), required=False)


class ReturnForm(StepForm):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class RecordForm(StepForm):
    household = forms.ModelChoiceField(label=_("住户"), queryset=Household.objects.none())
    outcome = forms.ChoiceField(label=_("结果"), choices=Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("说明"), max_length=5000, required=False)
    photo = forms.ImageField(label=_("照片"), required=False)

    def __init__(self, *args, assignment=None, **kwargs):
        super().__init__(*args, **kwargs)
        if assignment is not None:
            self.fields["household"].queryset = (
                grid_households(assignment.area)
                .exclude(pk__in=assignment.results.values("household_id"))
                .select_related("address")
            )
