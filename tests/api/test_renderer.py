"""The API's orjson renderer writes what DRF's JSONRenderer writes (issue #20)."""

import datetime
import uuid
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework.renderers import JSONRenderer

from ningbo_grid.renderers import ORJSONRenderer


def test_same_bytes_as_drf_for_what_serializers_and_views_give():
    data = {
        "results": [{"number": "E1", "title": "楼道\u2028杂物", "n": 3, "x": 1.5, "ok": True, "none": None}],
        "at": datetime.datetime(2025, 6, 9, 1, 2, 3, 456789, tzinfo=datetime.UTC),
        "day": datetime.date(2025, 6, 9),
        "amount": Decimal("29.870000"),
        "label": _("状态"),
        "id": uuid.UUID(int=5),
        "keys": {1: "one"},
    }
    assert ORJSONRenderer().render(data) == JSONRenderer().render(data)


def test_what_orjson_cannot_write_falls_back_to_drf():
    data = {"big": 2**70}
    assert ORJSONRenderer().render(data) == JSONRenderer().render(data) == b'{"big":1180591620717411303424}'


def test_indented_output_is_drfs():
    data = {"a": [1, 2]}
    media = "application/json; indent=2"
    assert ORJSONRenderer().render(data, media) == JSONRenderer().render(data, media)
