"""Admin of the evaluation app: read-mostly views of schemes, periods and scores."""

from django.contrib import admin

from .models import DailyRollup, Period, RecomputeLog, Scheme, SchemeIndicator, Score


class SchemeIndicatorInline(admin.TabularInline):
    model = SchemeIndicator
    extra = 0


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "authority", "subject_kind", "period_kind", "is_active", "replaces"]
    list_filter = ["subject_kind", "period_kind", "is_active"]
    readonly_fields = ["replaces"]
    inlines = [SchemeIndicatorInline]


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["scheme", "start", "end", "state", "computed_at"]
    list_filter = ["state"]
    readonly_fields = ["state", "computed_at", "frozen_at", "frozen_by"]


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ["period", "peer_group", "rank", "label", "total"]
    list_select_related = ["period__scheme"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RecomputeLog)
class RecomputeLogAdmin(admin.ModelAdmin):
    list_display = ["period", "actor", "at", "reason"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DailyRollup)
class DailyRollupAdmin(admin.ModelAdmin):
    list_display = ["date", "area", "item", "grade", "reported", "closed", "overdue"]
    raw_id_fields = ["area", "item"]
