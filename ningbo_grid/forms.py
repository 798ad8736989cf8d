"""Project-wide form rendering (Bootstrap 5) and the public grid lookup form.

`FormRenderer` is the project's FORM_RENDERER: every `{{ form }}` renders through
templates/includes/form.html (non-field errors on top) and includes/field.html (label
with a required mark, the widget, its errors right below it, help text). `BoundField`
adds Bootstrap's classes to widgets and marks invalid ones, so forms need no styling of
their own. Messages come from the active language (Chinese by default).
"""

import re

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

_CHECK_INPUTS = {"checkbox", "radio"}


class BoundField(forms.BoundField):
    """A bound field whose widget carries Bootstrap's classes and `is-invalid` on errors."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        input_type = getattr(widget, "input_type", None)
        if widget.is_hidden:
            return attrs
        if input_type in _CHECK_INPUTS:
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        if self.errors:
            css += " is-invalid"
            if self.auto_id:
                described = f"{attrs.get('aria-describedby', '')} {self.auto_id}_error".split()
                attrs["aria-describedby"] = " ".join(dict.fromkeys(described))
        attrs["class"] = " ".join(dict.fromkeys(f"{attrs.get('class', '')} {css}".split()))
        return attrs


class FormRenderer(TemplatesSetting):
    """Renders forms with the project's templates (needs `django.forms` in INSTALLED_APPS)."""

    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"
    bound_field_class = BoundField


GRID_CODE_RE = re.compile(r"^\d{15}(\d{3})?$")


class GridLookupForm(forms.Form):
    """The public lookup of a grid card by its unified code (15 digits, 18 for a micro-grid)."""

    code = forms.CharField(
        label=_("网格编码"),
        max_length=18,
        help_text=_("网格公示牌上的15位编码（微网格为18位）。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_code(self) -> str:
        code = re.sub(r"\s+", "", self.cleaned_data["code"])
        if not GRID_CODE_RE.match(code):
            raise forms.ValidationError(_("请输入15位或18位数字的网格编码。"), code="format")
        return code


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, but a submitted id too large for the database's integers is an invalid
    choice: on SQLite the `__in` query raised OverflowError (a 500)."""

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except OverflowError:
            raise forms.ValidationError(
                self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": "…"}
            ) from None
