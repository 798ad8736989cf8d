"""Django admin of the catalogue: read-only history (changes go through the catalogue pages)."""

from django.contrib import admin

from .models import HandlingRule, ItemExit, LifecycleStep, ServiceItem, ServiceItemVersion, TemporaryMatter


class ReadOnlyMixin:
    """Rows are written only by `catalog.services`; the admin shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class RuleInline(ReadOnlyMixin, admin.TabularInline):
    model = HandlingRule
    extra = 0


class StepInline(ReadOnlyMixin, admin.TabularInline):
    model = LifecycleStep
    extra = 0
    fields = ["at", "step", "version", "actor", "organisation", "opinion", "effective_date"]


@admin.register(ServiceItem)
class ServiceItemAdmin(ReadOnlyAdmin):
    list_display = ["code", "current_version", "level", "district"]
    list_filter = ["level"]
    search_fields = ["code", "versions__name"]
    inlines = [StepInline]


@admin.register(ServiceItemVersion)
class ServiceItemVersionAdmin(ReadOnlyAdmin):
    list_display = ["item", "number", "name", "category", "state", "effective_from", "effective_to"]
    list_filter = ["state", "category", "kind", "department"]
    search_fields = ["item__code", "name"]
    inlines = [RuleInline]


@admin.register(ItemExit)
class ItemExitAdmin(ReadOnlyAdmin):
    list_display = ["item", "state", "effective_date", "created_at"]
    list_filter = ["state"]


@admin.register(LifecycleStep)
class LifecycleStepAdmin(ReadOnlyAdmin):
    list_display = ["at", "item", "step", "version", "actor", "organisation", "effective_date"]
    list_filter = ["step"]
    search_fields = ["item__code"]


@admin.register(TemporaryMatter)
class TemporaryMatterAdmin(ReadOnlyAdmin):
    list_display = ["title", "area", "start", "end", "approved_by"]
