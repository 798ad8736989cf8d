"""Request parsers for the API (kept apart from `ningbo_grid.api`: DRF imports these
while defining `APIView`, which `ningbo_grid.api` itself imports)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser as DrfJSONParser

#: How deeply a request's JSON may nest (no input of the API nests more than a few levels).
MAX_DEPTH = 32


def _check(data) -> None:
    """Refuse NUL characters anywhere and nesting deeper than MAX_DEPTH (iteratively: no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise exceptions.ParseError(_("请求内容不得包含空字符（NUL）。"))
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise exceptions.ParseError(_("JSON 嵌套层级过深（最多 %(n)d 层）。") % {"n": MAX_DEPTH})
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for key, item in items:
                stack.append((key, depth))
                stack.append((item, depth + 1))


class JSONParser(DrfJSONParser):
    """DRF's JSON parser, refusing NUL characters anywhere (PostgreSQL cannot store them)
    and absurdly deep nesting (Python's decoder raised RecursionError: a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON 嵌套层级过深（最多 %(n)d 层）。") % {"n": MAX_DEPTH}) from None
        _check(data)
        return data
