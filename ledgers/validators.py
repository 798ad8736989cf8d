"""Validators of the ledgers: the unified social credit code (GB 32100) and what a resident ID gives.

Resident ID numbers are checked by `personnel.validators.validate_id_number` (GB 11643).
Each validator raises `django.core.exceptions.ValidationError` with a Chinese message.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import Sex

#: GB 32100-2015: the 31 characters used (no I, O, Z, S, V) and the weights of the first 17.
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = re.compile(rf"^[{USCC_CHARS}]{{18}}$")


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character of 17 code characters."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def normalise_uscc(value: str) -> str:
    return (value or "").strip().upper()


def validate_uscc(value: str) -> None:
    """An 18-character unified social credit code with a correct check character (code `uscc`)."""
    value = normalise_uscc(value)
    if not _USCC_SHAPE.match(value):
        raise ValidationError(_("统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）。"), code="uscc")
    if uscc_check_char(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对。"), code="uscc")


def id_facts(id_number: str) -> tuple[str, datetime.date]:
    """Sex ('M'/'F') and birth date a valid 18-digit resident ID gives (17th digit odd: male)."""
    birth = datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    return (Sex.MALE if int(id_number[16]) % 2 else Sex.FEMALE), birth
