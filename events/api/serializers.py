"""API shapes of grid events (Art. 17, 19, 30).

Times are ISO 8601 with the zone (stored UTC, rendered in Asia/Shanghai). Areas and
catalogue items are referred to by their codes, organisations by id. Personal data
of the public (the contact name and phone of a demand or complaint) is only returned
masked, in one event's detail (`EventDetailSerializer.contact`) to those who may see
it, and in clear only by the logged `POST /events/{number}/contact/`.
"""

from django.core.validators import RegexValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from catalog.choices import AttributeType, Grade, TimeUnit
from catalog.models import ServiceItem
from grids.models import Area
from ningbo_grid import fields as strict
from ningbo_grid.fields import BlankAsNullChoiceField, ModelSerializer
from personnel.masking import mask_mobile, mask_name

from .. import selectors
from ..choices import ActionKind, Datum, InvitationRole, RejectReason, RequestKind, Source
from ..messaging import Notification
from ..models import Action, Attachment, Event, Patrol
from ..services import CONTACT_PURPOSE_MESSAGES, CORRECTABLE_FIELDS

#: The largest report-field number a JSON client can hold exactly (2^53 - 1).
MAX_ATTRIBUTE_NUMBER = 2**53 - 1
#: A phone number as people write it: digits, optionally with + - ( ) and spaces.
PHONE = RegexValidator(
    r"^\+?[0-9][0-9 ()\-]{2,19}$", _("请输入电话号码（数字，可含 + - 空格）。"), code="invalid_phone"
)


class AreaCodeField(serializers.SlugRelatedField):
    """An area by its code (form posts may carry NUL characters, which PostgreSQL refuses)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Area.objects.all(), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data or len(data) > 18:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data).replace("\x00", ""))
        return super().to_internal_value(data)


class EventSerializer(ModelSerializer):
    """An event as listed and read (`version` is also the ETag's basis)."""

    item = strict.CharField(source="item.code", read_only=True)
    item_name = strict.CharField(source="item_version.name", read_only=True)
    area = strict.CharField(source="area.code", read_only=True)
    area_name = strict.CharField(source="area.name", read_only=True)
    township = strict.CharField(source="township.code", read_only=True)
    county = strict.CharField(source="county.code", read_only=True)
    lead_unit_name = strict.CharField(source="lead_unit.name", read_only=True, default=None, allow_null=True)
    status_display = strict.CharField(source="get_status_display", read_only=True)

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
    item = strict.CharField(max_length=20)
    title = strict.CharField(max_length=120)
    description = strict.CharField(max_length=5000)
    discovered_at = strict.DateTimeField()
    grade = serializers.ChoiceField(choices=Grade.choices, default=Grade.GENERAL)
    source = serializers.ChoiceField(choices=Source.choices, default=Source.STAFF)
    address = strict.CharField(max_length=200, required=False, allow_blank=True, default="")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    datum = BlankAsNullChoiceField(
        choices=Datum.choices, required=False, allow_blank=True, default=None, help_text="null: not given"
    )
    attributes = serializers.DictField(
        required=False,
        default=dict,
        help_text="the item's report fields by code, each of its JSON type: text, date (YYYY-MM-DD) and "
        "single choice a string, number a number (|x| < 2^53), multiple choice a list of strings",
    )
    contact_name = strict.CharField(max_length=50, required=False, allow_blank=True, default="")
    contact_phone = strict.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        validators=[PHONE],
        help_text="digits, + - ( ) spaces",
    )
    external_ref = strict.CharField(max_length=64, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        """Report fields of the wrong JSON type are refused, not converted (a text field
        given `1e30`, a number given `"12"` or `10^30`); their values are the service's."""
        if not strict.from_json(self):
            return attrs
        item = ServiceItem.objects.filter(code=attrs["item"]).select_related("current_version").first()
        version = item.current_version if item is not None else None
        kinds = {a.get("code"): a.get("type") for a in (version.attributes if version else [])}
        wrong = {
            code: [_("类型不对：应为 %(type)s。") % {"type": AttributeType(kinds[code]).label}]
            for code, value in attrs["attributes"].items()
            if code in kinds and kinds[code] in AttributeType.values and not _json_type_fits(kinds[code], value)
        }
        if wrong:
            raise serializers.ValidationError({"attributes": wrong}, code="invalid")
        return attrs


def _json_type_fits(kind: str, value) -> bool:
    """Whether `value` (parsed JSON) has the JSON type report fields of `kind` take."""
    if kind == AttributeType.NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) <= MAX_ATTRIBUTE_NUMBER
    if kind == AttributeType.MULTIPLE_CHOICE:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, str)


#: How each contact field is masked when an API answer shows it (personnel.masking).
CONTACT_MASKS = {"contact_name": mask_name, "contact_phone": mask_mobile}


class ActionSerializer(ModelSerializer):
    """One timeline row."""

    kind_display = strict.CharField(source="get_kind_display", read_only=True)
    organisation = strict.CharField(source="actor_organisation.name", read_only=True, default=None, allow_null=True)

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


class AttachmentSerializer(ModelSerializer):
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

    version = strict.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="the event's `version` as you read it (required: 428 without it, 409 `stale_version` if stale)",
    )


class TextSerializer(StepSerializer):
    text = strict.CharField(max_length=5000, required=False, allow_blank=True, default="")


class RequiredTextSerializer(StepSerializer):
    text = strict.CharField(max_length=5000)


class RejectSerializer(TextSerializer):
    reason = serializers.ChoiceField(choices=RejectReason.choices)
    original = strict.CharField(max_length=20, required=False, help_text="number of the original (duplicate)")


class DispatchSerializer(TextSerializer):
    lead_unit = strict.IntegerField(min_value=1)
    co_units = serializers.ListField(child=strict.IntegerField(min_value=1), required=False, default=list)


class InviteSerializer(TextSerializer):
    member = strict.IntegerField(min_value=1, help_text="a service team member's id (`/api/v1/teams/`)")
    role = serializers.ChoiceField(choices=InvitationRole.choices)


class UnitChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class UnitGroupSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="the level: 市, 区（县、市）, 乡镇（街道）, 村（社区）")
    units = UnitChoiceSerializer(many=True)


class DispatchUnitsSerializer(serializers.Serializer):
    suggested = serializers.IntegerField(
        allow_null=True, help_text="the lead unit suggested: the item's department nearest the event (or null)"
    )
    groups = UnitGroupSerializer(many=True)


class ReasonSerializer(StepSerializer):
    reason = strict.CharField(max_length=5000)


class RequestSerializer(ReasonSerializer):
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    extra_amount = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    extra_unit = serializers.ChoiceField(choices=TimeUnit.choices, required=False, allow_blank=True, default="")


class DecideSerializer(StepSerializer):
    approve = strict.BooleanField()
    reason = strict.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ResultSerializer(RequiredTextSerializer):
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class VerifySerializer(TextSerializer):
    passed = strict.BooleanField()
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


@extend_schema_serializer(component_name="EventPublish")  # catalog has a PublishSerializer too
class PublishSerializer(TextSerializer):
    """Input of `public` (event_publish): true publishes on Open311, false stops it."""

    public = strict.BooleanField(help_text="true: Open311 publishes the event; false: internal again")


class CorrectSerializer(StepSerializer):
    """Input of `correct` (needs `version`, like every step): the changed fields and the reason."""

    changes = serializers.DictField(help_text=f"any of {', '.join(CORRECTABLE_FIELDS)}")
    text = strict.CharField(max_length=5000)


class PatrolSerializer(ModelSerializer):
    area = AreaCodeField()
    user = strict.CharField(source="user.username", read_only=True)

    class Meta:
        model = Patrol
        fields = ["id", "area", "user", "started_at", "ended_at", "households_visited", "notes", "created_at"]
        read_only_fields = ["id", "user", "created_at"]
        extra_kwargs = {"ended_at": {"required": True, "allow_null": False}}


class NotificationSerializer(ModelSerializer):
    event = strict.CharField(source="event.number", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "event", "created_at", "read_at"]
        read_only_fields = fields


# The citizen's contact (Art. 10, 19; PIPL) ----------------------------------------------------


class EventContactSerializer(serializers.Serializer):
    """The contact of a demand or complaint, MASKED, and whether you may reveal it."""

    name = strict.CharField(help_text="masked: first character and two stars")
    phone = strict.CharField(help_text="masked: 138****5678")
    can_reveal = strict.BooleanField(help_text="whether POST /events/{number}/contact/ would answer you")


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

    purpose = strict.CharField(
        min_length=2,
        max_length=200,
        error_messages=CONTACT_PURPOSE_MESSAGES,
    )


class ContactSerializer(serializers.Serializer):
    """The citizen's contact in clear (answer of the logged reveal)."""

    contact_name = strict.CharField()
    contact_phone = strict.CharField()
