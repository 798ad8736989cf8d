"""Pagination building blocks for the API.

- `StableCursorPagination` for big tables (events, timelines, deliveries): no
  `COUNT(*)`, a stable order on `(-updated_at, -id)` by default (override `ordering`
  on the view, always ending with a unique column), `?page_size=` from 1 to 200.
  Response: `{"next": url|null, "previous": url|null, "results": [...]}`.
- `BoundedLimitOffsetPagination` for small lists (organisations, catalogue items):
  `?limit=` (1–200, default 50) and `?offset=`; response adds `count`.

Use on a view: `pagination_class = StableCursorPagination` and, if needed,
`ordering = ("-created_at", "-id")`.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination, LimitOffsetPagination


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

    def decode_cursor(self, request):
        """Like DRF's, but a bad cursor is a 400 on `cursor`, not a 404."""
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise exceptions.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from exc


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """Limit/offset with a bounded `limit` (default 50, at most 200)."""

    default_limit = 50
    max_limit = 200
