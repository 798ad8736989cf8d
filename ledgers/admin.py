"""Admin for the city's configuration of the ledgers only: care tags and sharing grants.

Residents, households and visits are not in the admin: their pages and API scope them
and mask personal data, which a generic admin list would not."""

from django.contrib import admin

from .models import CareTag, LedgerGrant


@admin.register(CareTag)
class CareTagAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "visit_every_days", "sensitivity", "is_active")
    list_filter = ("sensitivity", "is_active")


@admin.register(LedgerGrant)
class LedgerGrantAdmin(admin.ModelAdmin):
    list_display = ("organisation",)
    filter_horizontal = ("tags",)
    autocomplete_fields = ("organisation",)
