"""Forms of the security pages: a one-time code, and the audit trail's search."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import EventKind


class TokenForm(forms.Form):
    """A 6-digit code from the authenticator app, or (on verification) an 8-character recovery code."""

    token = forms.CharField(
        label=_("验证码"),
        min_length=6,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )

    def clean_token(self) -> str:
        return self.cleaned_data["token"].replace(" ", "").strip()


class AuditSearchForm(forms.Form):
    """Filters of the audit trail: kind, account name (exact), source address, local date range."""

    kind = forms.ChoiceField(label=_("类型"), choices=[("", _("全部")), *EventKind.choices], required=False)
    username = forms.CharField(label=_("账号"), max_length=150, required=False)
    address = forms.GenericIPAddressField(label=_("来源地址"), required=False)
    since = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("截止日期不能早于起始日期。"))
        return data

    def filter(self, queryset):
        """`queryset` narrowed by the valid filters (dates are Beijing calendar days, inclusive)."""
        data = self.cleaned_data
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("username"):
            queryset = queryset.filter(actor_username=data["username"])
        if data.get("address"):
            queryset = queryset.filter(address=data["address"])
        if data.get("since"):
            queryset = queryset.filter(at__date__gte=data["since"])
        if data.get("until"):
            queryset = queryset.filter(at__date__lte=data["until"])
        return queryset
