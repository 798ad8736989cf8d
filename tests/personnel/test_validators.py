import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from personnel.masking import mask_id_number, mask_mobile
from personnel.validators import id_check_digit, validate_id_number, validate_mobile
from tests.personnel.factories import valid_id_number


@pytest.mark.parametrize("value", ["11010519491231002X", "11010519491231002x"])
def test_valid_id_numbers_pass(value):
    validate_id_number(value)


def test_generated_id_numbers_pass():
    for n in range(50):
        validate_id_number(valid_id_number(n))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("110105194912310021", "校验位"),  # wrong check digit
        ("11010519491231002", "18位"),  # 17 characters
        ("1101051949123100211", "18位"),  # 19 characters
        ("11010519491331002X", "出生日期"),  # month 13
        ("11010519490230002X", "出生日期"),  # 30 February
        ("A1010519491231002X", "18位"),
    ],
)
def test_bad_id_numbers_are_rejected_in_chinese(value, message):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value)
    assert message in exc.value.messages[0]


@pytest.mark.parametrize("value", ["13812345678", "19912345678", "15000000000"])
def test_valid_mobiles_pass(value):
    validate_mobile(value)


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "138123456789", "0574-8712345", "+8613812345678", ""])
def test_bad_mobiles_are_rejected_in_chinese(value):
    with pytest.raises(ValidationError) as exc:
        validate_mobile(value)
    assert "手机号码" in exc.value.messages[0]


def test_masks_keep_only_the_ends():
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_id_number("330203199001011234") == "330203**********1234"
    assert mask_mobile("") == ""
    assert mask_id_number("12345") == "*****"


def test_a_birth_date_is_checked_against_beijing_today_not_the_machines():
    """At 07:30 Beijing on 7 December it is still 6 December in UTC: a child born that
    morning has a valid number; one born the next day has not."""
    born = "33020320261207001"
    later = "33020320261208001"
    with time_machine.travel(datetime.datetime(2026, 12, 6, 23, 30, tzinfo=datetime.UTC), tick=False):
        validate_id_number(born + id_check_digit(born))
        with pytest.raises(ValidationError, match="出生日期"):
            validate_id_number(later + id_check_digit(later))
