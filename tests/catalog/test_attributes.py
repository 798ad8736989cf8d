"""Report fields: a report must carry the item's required fields, in their types."""

import pytest
from django.core.exceptions import ValidationError

from catalog.attributes import display_report_fields, validate_attribute_schema, validate_report_fields
from catalog.models import ServiceItemVersion

ATTRS = [
    {"code": "parties", "label": "当事人数", "type": "number", "required": True},
    {
        "code": "dispute_type",
        "label": "纠纷类型",
        "type": "single",
        "required": True,
        "choices": [{"key": "family", "label": "婚姻家庭"}, {"key": "neighbour", "label": "邻里"}],
    },
    {
        "code": "needs",
        "label": "诉求",
        "type": "multiple",
        "choices": [{"key": "mediation", "label": "调解"}, {"key": "legal", "label": "法律援助"}],
    },
    {"code": "since", "label": "发生日期", "type": "date"},
    {"code": "note", "label": "备注", "type": "text"},
]


def version():
    return ServiceItemVersion(attributes=ATTRS)


def test_valid_values_are_cleaned():
    cleaned = validate_report_fields(
        version(),
        {"parties": "3", "dispute_type": "family", "needs": ["legal", "legal"], "since": "2026-11-01", "note": " x "},
    )
    assert cleaned == {"parties": 3, "dispute_type": "family", "needs": ["legal"], "since": "2026-11-01", "note": "x"}


def test_every_bad_field_gets_its_own_message():
    with pytest.raises(ValidationError) as exc:
        validate_report_fields(
            version(), {"parties": "三", "dispute_type": "war", "needs": ["x"], "since": "01/11/2026", "extra": 1}
        )
    errors = exc.value.message_dict
    assert set(errors) == {"parties", "dispute_type", "needs", "since", "extra"}
    assert "数字" in errors["parties"][0] and "family" in errors["dispute_type"][0]


def test_missing_required_fields_are_named():
    with pytest.raises(ValidationError) as exc:
        validate_report_fields(version(), {"note": "只有备注"})
    assert exc.value.message_dict == {"parties": ["“当事人数”为必填项。"], "dispute_type": ["“纠纷类型”为必填项。"]}


def test_an_item_without_fields_accepts_an_empty_report():
    assert validate_report_fields(ServiceItemVersion(attributes=[]), None) == {}


def test_schema_refuses_duplicate_codes_and_choices_without_keys():
    with pytest.raises(ValidationError):
        validate_attribute_schema([ATTRS[0], ATTRS[0]])
    with pytest.raises(ValidationError):
        validate_attribute_schema([{"code": "t", "label": "类型", "type": "single", "choices": []}])
    assert validate_attribute_schema(ATTRS)[1]["choices"][0] == {"key": "family", "label": "婚姻家庭"}


def test_report_fields_display_with_their_labels_and_the_choices_labels():
    values = {"needs": ["legal", "mediation"], "dispute_type": "family", "parties": 2, "retired": "x"}
    assert display_report_fields(version(), values) == [
        ("当事人数", "2"),
        ("纠纷类型", "婚姻家庭"),
        ("诉求", "法律援助、调解"),
        ("retired", "x"),  # a code the version does not define: shown as stored
    ]
    assert display_report_fields(version(), {}) == []
