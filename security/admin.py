"""Admin: the audit trail read-only (searchable by security auditors; exported from
/security/audit/), account security flags. Lockouts are lifted in django-axes' own admin
(访问尝试: delete the attempt) — the lifting is logged (security.receivers)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from . import passwords
from .models import AccountSecurity, SecurityEvent

User = get_user_model()


class InitialPasswordUserAdmin(UserAdmin):
    """Django's user admin, except that a password an administrator sets (a new account's,
    or a reset) is an initial one: the user must replace it at the next sign-in."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            passwords.require_change(obj)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            passwords.require_change(User.objects.get(pk=id))
        return response


admin.site.unregister(User)
admin.site.register(User, InitialPasswordUserAdmin)


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
