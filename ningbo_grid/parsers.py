"""Request parsers for the API (kept apart from `ningbo_grid.api`: DRF imports these
while defining `APIView`, which `ningbo_grid.api` itself imports)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser as DrfJSONParser


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(v) for v in value)
    return False


class JSONParser(DrfJSONParser):
    """DRF's JSON parser, refusing NUL characters anywhere (PostgreSQL cannot store them)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _contains_nul(data):
            raise exceptions.ParseError(_("请求内容不得包含空字符（NUL）。"))
        return data
