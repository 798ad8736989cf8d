"""Browser forms of the emergency steps (named in `emergency.workflow.STEPS`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events.submit import OnceForm
from grids.models import Area
from personnel import roles
from personnel.scope import restrict_areas

from .choices import Hazard, ResponseLevel
from .services import RESPONSE_LEVELS


class StepForm(forms.Form):
    """A step's form: the version the user read, and what the service takes."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def service_kwargs(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class TextForm(StepForm):
    text = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LevelForm(TextForm):
    level = forms.ChoiceField(label=_("调整为"), choices=ResponseLevel.choices)
    field_order = ["level", "text", "version"]


class StatusForm(StepForm):
    on_duty = forms.IntegerField(label=_("在岗人数"), min_value=0, max_value=100000)
    to_transfer = forms.IntegerField(label=_("需转移人数"), min_value=0, max_value=1000000)
    hazards = forms.CharField(label=_("隐患情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ActivateForm(OnceForm):
    """Activate a response for a district or township the user supervises."""

    area = forms.ModelChoiceField(label=_("响应区域"), queryset=Area.objects.none())
    hazard = forms.ChoiceField(label=_("灾种"), choices=Hazard.choices)
    level = forms.ChoiceField(label=_("响应等级"), choices=ResponseLevel.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    instructions = forms.CharField(label=_("工作要求"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = restrict_areas(user, roles.SUPERVISE).filter(level__in=RESPONSE_LEVELS)
