"""API shapes of grid events (Art. 17, 19, 30).

Times are ISO 8601 with the zone (stored UTC, rendered in Asia/Shanghai). Areas and
catalogue items are referred to by their codes, organisations by id. Personal data
of the public (the contact name and phone of a demand or complaint) is only returned
masked, in one event's detail (`EventDetailSerializer.contact`) to those who may see
it, and in clear only by the logged `POST /events/{number}/contact/`.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from catalog.choices import Grade, TimeUnit
from grids.models import Area
from personnel.masking import mask_mobile, mask_name

from .. import selectors
from ..choices import ActionKind, Datum, RejectReason, RequestKind, Source
from ..models import Action, Attachment, Event, Notification, Patrol
from ..services import CONTACT_PURPOSE_MESSAGES, CORRECTABLE_FIELDS


class AreaCodeField(serializers.SlugRelatedField):
    """An area by its code (form posts may carry NUL characters, which PostgreSQL refuses)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Area.objects.all(), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data or len(data) > 18:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data).replace("\x00", ""))
        return super().to_internal_value(data)


class EventSerializer(serializers.ModelSerializer):
    """An event as listed and read (`version` is also the ETag's basis)."""

    item = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item_version.name", read_only=True)
    area = serializers.CharField(source="area.code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    township = serializers.CharField(source="township.code", read_only=True)
    county = serializers.CharField(source="county.code", read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True, default=None)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Event
        fields = [
            "number",
            "title",
            "description",
            "status",
            "status_display",
            "grade",
            "category",
            "source",
            "level",
            "item",
            "item_name",
            "area",
            "area_name",
            "township",
            "county",
            "address",
            "latitude",
            "longitude",
            "datum",
            "attributes",
            "lead_unit",
            "lead_unit_name",
            "discovered_at",
            "reported_at",
            "accepted_at",
            "dispatched_at",
            "signed_at",
            "result_at",
            "closed_at",
            "accept_due_at",
            "complete_due_at",
            "alert_level",
            "external_ref",
            "public",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class EventReportSerializer(serializers.Serializer):
    """Input of `POST /events/` (event_report): area and item by code."""

    area = AreaCodeField()
    item = serializers.CharField(max_length=20)
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=5000)
    discovered_at = serializers.DateTimeField()
    grade = serializers.ChoiceField(choices=Grade.choices, default=Grade.GENERAL)
    source = serializers.ChoiceField(choices=Source.choices, default=Source.STAFF)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    datum = serializers.ChoiceField(choices=Datum.choices, required=False, allow_blank=True, default="")
    attributes = serializers.DictField(required=False, default=dict)
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    external_ref = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


#: How each contact field is masked when an API answer shows it (personnel.masking).
CONTACT_MASKS = {"contact_name": mask_name, "contact_phone": mask_mobile}


class ActionSerializer(serializers.ModelSerializer):
    """One timeline row."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    organisation = serializers.CharField(source="actor_organisation.name", read_only=True, default=None)

    class Meta:
        model = Action
        fields = [
            "id",
            "kind",
            "kind_display",
            "actor_name",
            "organisation",
            "at",
            "from_status",
            "to_status",
            "text",
            "data",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        """A correction of the contact keeps the old and new values in the audit trail;
        the API shows them masked (Art. 10, 19; PIPL)."""
        data = super().to_representation(instance)
        changes = (data.get("data") or {}).get("changes") if instance.kind == ActionKind.CORRECTION else None
        if isinstance(changes, dict) and changes.keys() & CONTACT_MASKS.keys():
            changes = {
                field: {k: CONTACT_MASKS[field](v) for k, v in diff.items()}
                if field in CONTACT_MASKS and isinstance(diff, dict)
                else diff
                for field, diff in changes.items()
            }
            data["data"] = {**data["data"], "changes": changes}
        return data


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "width", "height", "sha256", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return reverse("api-event-attachment", kwargs={"number": obj.event.number, "attachment_id": obj.pk})


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class StepSerializer(serializers.Serializer):
    """Common input of workflow steps: `version` (required) is the event's `version` as you
    read it; without it the step answers 428, if the event changed since 409 `stale_version`."""

    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="the event's `version` as you read it (required: 428 without it, 409 `stale_version` if stale)",
    )


class TextSerializer(StepSerializer):
    text = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class RequiredTextSerializer(StepSerializer):
    text = serializers.CharField(max_length=5000)


class RejectSerializer(TextSerializer):
    reason = serializers.ChoiceField(choices=RejectReason.choices)
    original = serializers.CharField(max_length=20, required=False, help_text="number of the original (duplicate)")


class DispatchSerializer(TextSerializer):
    lead_unit = serializers.IntegerField(min_value=1)
    co_units = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)


class ReasonSerializer(StepSerializer):
    reason = serializers.CharField(max_length=5000)


class RequestSerializer(ReasonSerializer):
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    extra_amount = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    extra_unit = serializers.ChoiceField(choices=TimeUnit.choices, required=False, allow_blank=True, default="")


class DecideSerializer(StepSerializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ResultSerializer(RequiredTextSerializer):
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class VerifySerializer(TextSerializer):
    passed = serializers.BooleanField()
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


@extend_schema_serializer(component_name="EventPublish")  # catalog has a PublishSerializer too
class PublishSerializer(TextSerializer):
    """Input of `public` (event_publish): true publishes on Open311, false stops it."""

    public = serializers.BooleanField(help_text="true: Open311 publishes the event; false: internal again")


class CorrectSerializer(StepSerializer):
    """Input of `correct` (needs `version`, like every step): the changed fields and the reason."""

    changes = serializers.DictField(help_text=f"any of {', '.join(CORRECTABLE_FIELDS)}")
    text = serializers.CharField(max_length=5000)


class PatrolSerializer(serializers.ModelSerializer):
    area = AreaCodeField()
    user = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Patrol
        fields = ["id", "area", "user", "started_at", "ended_at", "households_visited", "notes", "created_at"]
        read_only_fields = ["id", "user", "created_at"]
        extra_kwargs = {"ended_at": {"required": True, "allow_null": False}}


class NotificationSerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="event.number", read_only=True, default=None)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "event", "created_at", "read_at"]
        read_only_fields = fields


# The citizen's contact (Art. 10, 19; PIPL) ----------------------------------------------------


class EventContactSerializer(serializers.Serializer):
    """The contact of a demand or complaint, MASKED, and whether you may reveal it."""

    name = serializers.CharField(help_text="masked: first character and two stars")
    phone = serializers.CharField(help_text="masked: 138****5678")
    can_reveal = serializers.BooleanField(help_text="whether POST /events/{number}/contact/ would answer you")


class EventDetailSerializer(EventSerializer):
    """One event as read (`GET /events/{number}/`): the listed fields plus `contact`,
    the citizen's contact masked; null for staff reports and for viewers who may not see it
    (those who act on the event, the reporter, the grid's staff and handling units may)."""

    contact = serializers.SerializerMethodField()

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "contact"]
        read_only_fields = fields

    @extend_schema_field(EventContactSerializer(allow_null=True))
    def get_contact(self, obj) -> dict | None:
        request = self.context.get("request")
        contact = selectors.event_contact(request.user, obj) if request is not None else None
        return EventContactSerializer(contact).data if contact else None


class ContactRevealSerializer(serializers.Serializer):
    """Why you need the contact: logged with the reveal (2–200 characters)."""

    purpose = serializers.CharField(
        min_length=2,
        max_length=200,
        error_messages=CONTACT_PURPOSE_MESSAGES,
    )


class ContactSerializer(serializers.Serializer):
    """The citizen's contact in clear (answer of the logged reveal)."""

    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
