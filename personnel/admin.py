"""Admin for organisations, staff, roles, teams, trainings and the personal-data access log.

Personal data is masked in lists and never pre-filled in forms; changes go through
`personnel.services` so work IDs, the one-grid-leader rule and the grants stay right.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .masking import mask_id_number, mask_mobile
from .models import (
    Assignment,
    Commendation,
    Membership,
    Organisation,
    PersonalDataAccess,
    ServiceTeam,
    Staff,
    TeamMember,
    Training,
    TrainingSession,
    WorkStation,
)
from .validators import validate_id_number, validate_mobile


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "department", "area", "working_pattern", "is_active"]
    list_filter = ["kind", "department", "working_pattern", "is_active"]
    search_fields = ["name", "area__code", "area__name"]
    raw_id_fields = ["area"]
    list_select_related = ["area"]


class StaffAdminForm(forms.ModelForm):
    """Mobile and ID number start empty (never shown in clear); empty keeps the stored value."""

    new_mobile = forms.CharField(label=_("手机号码"), required=False, validators=[validate_mobile])
    new_id_number = forms.CharField(label=_("身份证号码"), required=False, validators=[validate_id_number])

    class Meta:
        model = Staff
        fields = [f"new_{f}" if f in ("mobile", "id_number") else f for f in services.STAFF_FIELDS]


class TrainingInline(admin.TabularInline):
    model = Training
    extra = 0
    raw_id_fields = ["session"]


class CommendationInline(admin.TabularInline):
    model = Commendation
    extra = 0


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    form = StaffAdminForm
    list_display = ["name", "work_id", "masked_mobile", "masked_id_number", "organisation", "is_active"]
    list_filter = ["source", "is_active"]
    search_fields = ["name", "work_id"]
    raw_id_fields = ["user", "organisation"]
    readonly_fields = ["work_id", "masked_mobile", "masked_id_number"]
    list_select_related = ["organisation"]
    inlines = [TrainingInline, CommendationInline]

    @admin.display(description=_("手机号码"))
    def masked_mobile(self, obj):
        return mask_mobile(obj.mobile)

    @admin.display(description=_("身份证号码"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)

    def save_model(self, request, obj, form, change):
        fields = {
            f: form.cleaned_data[f]
            for f in services.STAFF_FIELDS
            if f in form.cleaned_data and f not in ("mobile", "id_number")
        }
        for key in ("mobile", "id_number"):
            if form.cleaned_data.get(f"new_{key}"):
                fields[key] = form.cleaned_data[f"new_{key}"]
        if change:
            services.staff_update(actor=request.user, staff=obj, **fields)
        else:
            created = services.staff_create(actor=None, **fields)
            obj.pk, obj.work_id = created.pk, created.work_id
            obj.refresh_from_db()


class AssignmentAdminForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["staff", "area", "role", "start", "end"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not self.errors:
            try:
                services.validate_assignment(
                    staff=data["staff"], area=data["area"], role=data["role"], start=data["start"], end=data.get("end")
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
        return data


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    form = AssignmentAdminForm
    list_display = ["staff", "role", "area", "start", "end"]
    list_filter = ["role"]
    search_fields = ["staff__name", "staff__work_id", "area__code", "area__name"]
    raw_id_fields = ["staff", "area"]
    list_select_related = ["staff", "area"]

    def get_readonly_fields(self, request, obj=None):
        return ["staff", "area", "role", "start"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            services.assignment_end(actor=request.user, assignment=obj, end=obj.end or timezone.localdate())
        else:
            created = services.assignment_start(
                actor=request.user, staff=obj.staff, area=obj.area, role=obj.role, start=obj.start, end=obj.end
            )
            obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        return False  # history is kept (Art. 8); end the assignment instead


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organisation", "start", "end"]
    list_filter = ["role"]
    search_fields = ["user__username", "organisation__name"]
    raw_id_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "organisation", "role", "start"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            services.membership_end(actor=request.user, membership=obj, end=obj.end or timezone.localdate())
        else:
            created = services.membership_start(
                actor=request.user, user=obj.user, organisation=obj.organisation, role=obj.role, start=obj.start
            )
            obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        return False


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    raw_id_fields = ["staff"]
    extra = 1


@admin.register(ServiceTeam)
class ServiceTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "organisation", "is_active"]
    search_fields = ["name", "area__code"]
    raw_id_fields = ["area", "organisation"]
    inlines = [TeamMemberInline]


class AttendanceInline(admin.TabularInline):
    model = Training
    extra = 0
    raw_id_fields = ["staff"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "tier", "area", "date", "hours"]
    list_filter = ["tier"]
    search_fields = ["title", "area__code"]
    raw_id_fields = ["area"]
    inlines = [AttendanceInline]


@admin.register(WorkStation)
class WorkStationAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "address", "opening_hours", "phone"]
    raw_id_fields = ["area"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """The access log is append-only: no add, change or delete here."""

    list_display = ["at", "actor", "staff", "event", "resident", "field", "purpose"]
    list_filter = ["field"]
    search_fields = ["actor__username", "staff__name", "staff__work_id", "event__number", "purpose"]
    list_select_related = ["actor", "staff", "event", "resident"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
