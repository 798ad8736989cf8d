"""Admin of the area tree: browse and search; changes go through the services (grid pages)."""

from django.contrib import admin
from mptt.admin import MPTTModelAdmin

from .models import Area, AreaChange


class ReadOnlyMixin:
    """History and tree structure are never edited or deleted in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AreaChangeInline(ReadOnlyMixin, admin.TabularInline):
    model = AreaChange
    fk_name = "area"
    fields = ["at", "effective_date", "kind", "actor", "before", "after", "related", "note"]
    readonly_fields = fields
    extra = 0
    ordering = ["-at"]


@admin.register(Area)
class AreaAdmin(ReadOnlyMixin, MPTTModelAdmin):
    """The tree, indented; adjust grids on their page under /grids/ (history is written there)."""

    list_display = ["name", "code", "level", "grid_type", "village_kind", "households", "status"]
    list_filter = ["level", "grid_type", "status", "village_kind"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    readonly_fields = [f.name for f in Area._meta.fields]
    inlines = [AreaChangeInline]
    show_full_result_count = False
    list_per_page = 100


@admin.register(AreaChange)
class AreaChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "effective_date", "kind", "area", "actor"]
    list_filter = ["kind"]
    search_fields = ["area__code", "area__name", "note"]
    list_select_related = ["area", "actor"]
    readonly_fields = ["area", "kind", "actor", "at", "effective_date", "before", "after", "related", "note"]
    date_hierarchy = "at"
