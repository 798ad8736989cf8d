"""Every form renders through the project's renderer (ningbo_grid.forms): errors right
below their field, Bootstrap classes, what was typed kept."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
#: Hand-rolled form markup that bypasses the renderer's field template.
HAND_ROLLED = re.compile(
    r"\.as_p\b|\.as_div\b|\.as_table\b|\.as_ul\b|\.label_tag\b|\.errors\s*\}\}|errors\|join|<select\b|<textarea\b"
)


def template_lines(pattern: re.Pattern) -> list[str]:
    """`path:line: text` of every template line that `pattern` matches."""
    return [
        f"{path.relative_to(TEMPLATES)}:{n}: {line.strip()}"
        for path in TEMPLATES.rglob("*.html")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]


def test_no_template_renders_fields_by_hand():
    assert template_lines(HAND_ROLLED) == []


@pytest.mark.django_db
def test_staff_form_errors_sit_under_their_fields(client):
    from tests.personnel.factories import member_user, org
    from tests.personnel.test_api import staff_on
    from tests.scenario import make_tree

    tree = make_tree()
    client.force_login(member_user(org(tree.township), "dispatcher"))
    staff = staff_on(tree.grid, "parttime_worker")
    html = client.post(f"/personnel/staff/{staff.pk}/edit/", {"name": "", "mobile": "123"}).content.decode()
    assert 'id="id_mobile_error"' in html and 'id="id_name_error"' in html
    assert 'class="form-control is-invalid"' in html
    assert "<p>" not in html.split('<form method="post"', 1)[1].split("</form>", 1)[0]


@pytest.mark.django_db
def test_public_catalogue_district_filter_renders_through_the_renderer_and_keeps_the_choice(client):
    from tests.scenario import make_tree

    tree = make_tree()
    html = client.get("/catalog/public/", {"district": tree.county.code}).content.decode()
    assert 'id="id_district_group"' in html and 'class="form-select"' in html
    assert f'<option value="{tree.county.code}" selected>' in html


@pytest.mark.parametrize("widget", ["RadioSelect", "CheckboxSelectMultiple"])
def test_choice_lists_put_the_check_class_on_each_input_not_on_the_list(widget):
    """Django's widget template gave the wrapper the inputs' class: the whole list was drawn
    inside one 16 px `form-check-input` box, labels stacked a character a line."""
    from django import forms

    field_class = forms.MultipleChoiceField if widget == "CheckboxSelectMultiple" else forms.ChoiceField

    class Form(forms.Form):
        kind = field_class(choices=[("demand", "诉求"), ("complaint", "投诉")], widget=getattr(forms, widget))

    html = str(Form(data={})["kind"].as_field_group())
    assert '<div id="id_kind" class="ng-choices">' in html
    assert html.count('class="form-check-input is-invalid"') == 2
    assert '<label class="form-check-label" for="id_kind_1">投诉</label>' in html


#: The radio groups tests/e2e/test_choice_taps.py taps, option by option.
TAPPED_RADIO_GROUPS = {
    "DemandForm.kind",
    "PublicRateForm.score",
    "RateForm.score",
    "VerifyForm.passed",
    "DecideForm.approve",
}


def test_every_radio_group_of_the_site_is_in_the_browser_tap_test():
    import importlib

    from django import forms

    apps = ("catalog", "evaluation", "events", "grids", "integrations", "personnel", "ningbo_grid")
    for app in apps:
        for module in ("forms", "public_forms", "filtersets", "views"):
            try:
                importlib.import_module(f"{app}.{module}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.{module}":
                    raise
    found, stack = set(), [forms.BaseForm]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in apps:
            found |= {
                f"{cls.__name__}.{name}"
                for name, field in getattr(cls, "base_fields", {}).items()
                if getattr(field.widget, "input_type", None) == "radio"
            }
    assert found == TAPPED_RADIO_GROUPS
