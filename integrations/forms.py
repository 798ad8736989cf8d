"""Forms of the integrations pages (Chinese labels; the services validate again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ClientRole, Scope, SignatureAlgorithm, WebhookEventType
from .selectors import manageable_organisations


class _OrganisationForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("所属单位"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = manageable_organisations(user)


class ApiClientForm(_OrganisationForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple, initial=[Scope.READ]
    )
    role = forms.ChoiceField(
        label=_("角色"),
        choices=ClientRole.choices,
        initial=ClientRole.HANDLER,
        required=False,
        help_text=_("承办单位系统选承办单位工作人员；录入群众诉求（如 Open311）的系统选调度员。"),
    )
    expires_at = forms.DateTimeField(
        label=_("到期时间"),
        required=False,
        help_text=_("留空表示长期有效，例如 2027-12-31 23:59。"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    field_order = ["name", "organisation", "scopes", "role", "expires_at"]

    def clean_role(self):
        return self.cleaned_data["role"] or ClientRole.HANDLER


class WebhookSubscriptionForm(_OrganisationForm):
    url = forms.URLField(label=_("接收地址"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=_("事件类型"), choices=WebhookEventType.choices, widget=forms.CheckboxSelectMultiple
    )
    signature_algorithm = forms.ChoiceField(
        label=_("签名算法"), choices=SignatureAlgorithm.choices, initial=SignatureAlgorithm.HMAC_SHA256
    )
