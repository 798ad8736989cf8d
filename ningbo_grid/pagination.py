"""Pagination building blocks for the API.

- `StableCursorPagination` for big tables (events, patrols, notifications, deliveries):
  no `COUNT(*)`, a stable order on `(-updated_at, -id)` by default (override `ordering`
  on the view, always ending with a unique column), `?page_size=` from 1 to 200.
  Response: `{"next": url|null, "previous": url|null, "results": [...]}`. Follow `next`;
  `?page=` is refused (400) rather than silently ignored.
- `BoundedLimitOffsetPagination` for small lists (the default: grids, organisations,
  staff, catalogue items, periods, API clients): `?limit=` (1–200, default 50) and
  `?offset=`, or `?page=` (from 1, pages of `limit` rows; a page past the end is a 404);
  response adds `count`.

Every paging parameter is checked: a value that is not a whole number in range, or a
cursor that was not issued by the platform, answers 400 with the field named (never a
silent default, never a 500).

Use on a view: `pagination_class = StableCursorPagination` and, if needed,
`ordering = ("-created_at", "-id")`.
"""

import binascii
from base64 import b64decode
from urllib import parse

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination, LimitOffsetPagination
from rest_framework.utils.urls import remove_query_param

#: The largest offset accepted (PostgreSQL's OFFSET is a bigint; nobody pages this far).
MAX_OFFSET = 10**9


def _whole_number(request, name: str, minimum: int, maximum: int) -> int | None:
    """The query parameter `name` as an int in [minimum, maximum], None if absent; else 400."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise exceptions.ValidationError(
            {name: [_("请输入 %(min)s 到 %(max)s 之间的整数。") % {"min": minimum, "max": maximum}]}
        )
    return int(raw)


class StableCursorPagination(CursorPagination):
    """Cursor pages ordered by `ordering` (a view's `ordering` attribute wins)."""

    ordering = ("-updated_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = _("翻页游标无效。")

    def get_ordering(self, request, queryset, view):
        ordering = getattr(view, "ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)

    def get_page_size(self, request):
        size = _whole_number(request, self.page_size_query_param, 1, self.max_page_size)
        return self.page_size if size is None else size

    def _invalid_cursor(self):
        return exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})

    def decode_cursor(self, request):
        """Like DRF's, but strict: only a cursor the platform issued; anything else is a 400."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            decoded = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
            tokens = parse.parse_qs(decoded, strict_parsing=True)
        except (UnicodeError, ValueError, binascii.Error) as exc:
            raise self._invalid_cursor() from exc
        if not set(tokens) <= {"o", "r", "p"} or any(len(values) != 1 for values in tokens.values()):
            raise self._invalid_cursor()
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise self._invalid_cursor() from exc

    def paginate_queryset(self, queryset, request, view=None):
        if "page" in request.query_params:
            raise exceptions.ValidationError({"page": [_("此列表按游标翻页：请使用响应中的 next / previous 链接。")]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, OverflowError) as exc:
            # A forged cursor position that does not fit the ordering column (e.g. not a date).
            if self.cursor_query_param in request.query_params:
                raise self._invalid_cursor() from exc
            raise


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """Limit/offset (or page number) with a bounded `limit` (default 50, at most 200)."""

    default_limit = 50
    max_limit = 200
    page_query_param = "page"

    def get_limit(self, request):
        limit = _whole_number(request, self.limit_query_param, 1, self.max_limit)
        return self.default_limit if limit is None else limit

    def get_offset(self, request):
        offset = _whole_number(request, self.offset_query_param, 0, MAX_OFFSET)
        return offset or 0

    def paginate_queryset(self, queryset, request, view=None):
        page = _whole_number(request, self.page_query_param, 1, MAX_OFFSET // self.max_limit)
        if page is None:
            return super().paginate_queryset(queryset, request, view)
        if self.offset_query_param in request.query_params:
            raise exceptions.ValidationError({self.page_query_param: [_("page 与 offset 只能选用其一。")]})
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = (page - 1) * self.limit
        self.count = self.get_count(queryset)
        if page > 1 and self.offset >= self.count:
            raise exceptions.NotFound(_("页码超出范围。"))
        return list(queryset[self.offset : self.offset + self.limit])

    # The links page by offset; a `page` left in them would clash with it.
    def get_next_link(self):
        link = super().get_next_link()
        return link and remove_query_param(link, self.page_query_param)

    def get_previous_link(self):
        link = super().get_previous_link()
        return link and remove_query_param(link, self.page_query_param)

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number from 1 (pages of `limit` rows), instead of `offset`.",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]
