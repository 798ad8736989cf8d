"""Validators for personal data on staff records (Art. 16; PIPL).

Used by forms, serializers and services alike, so a bad value gets the same Chinese
message wherever it is typed. Each raises `django.core.exceptions.ValidationError`.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ningbo_grid.phones import MOBILE

#: GB 11643-1999 weights of the first 17 digits, and the check character by remainder.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")


def id_check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character ('0'–'9' or 'X') for 17 digits (GB 11643)."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalise_id_number(value: str) -> str:
    """Strip blanks and upper-case a trailing 'x'."""
    return (value or "").strip().upper()


def normalise_mobile(value: str) -> str:
    """Strip blanks around a mobile number (what is encrypted and hashed)."""
    return (value or "").strip()


def validate_id_number(value: str) -> None:
    """Check a mainland resident ID number: 18 characters, a real birth date, GB 11643 check digit.

    Raises ValidationError (code `id_number`) with a Chinese message otherwise.
    """
    value = normalise_id_number(value)
    if not _ID_SHAPE.match(value):
        raise ValidationError(_("身份证号码应为18位，前17位为数字，末位为数字或X。"), code="id_number")
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="id_number") from None
    if birth.year < 1900 or birth > timezone.localdate():
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="id_number")
    if id_check_digit(value[:17]) != value[17]:
        raise ValidationError(_("身份证号码校验位不正确，请核对。"), code="id_number")


def validate_mobile(value: str) -> None:
    """Check a mainland mobile number: 11 digits starting 13–19. Raises ValidationError."""
    if not MOBILE.fullmatch((value or "").strip()):
        raise ValidationError(_("手机号码应为11位中国大陆手机号（以13–19开头）。"), code="mobile")
