"""Admin: the audit trail read-only (searchable by security auditors; exported from
/security/audit/), account security flags. Lockouts are lifted in django-axes' own admin
(访问尝试: delete the attempt) — the lifting is logged (security.receivers)."""

from django.contrib import admin

from .models import AccountSecurity, SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ["at", "kind", "actor_username", "address", "target"]
    list_filter = ["kind"]
    search_fields = ["actor_username", "target", "address"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccountSecurity)
class AccountSecurityAdmin(admin.ModelAdmin):
    list_display = ["user", "must_change_password", "password_changed_at"]
    search_fields = ["user__username"]
