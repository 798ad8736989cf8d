"""Mainland China phone numbers: the one shape of a mobile number that the staff records
(personnel.validators), the citizens' SMS (events.notify) and the supervision hotlines
(grids.hotline) check against."""

import re

#: A mainland mobile number: 11 digits, 13–19 first. No anchors: use `fullmatch`, or embed
#: `MOBILE.pattern` in a wider pattern.
MOBILE = re.compile(r"1[3-9]\d{9}")
