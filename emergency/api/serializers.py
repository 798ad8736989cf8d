"""API serializers of the emergency app (strict fields: `ningbo_grid.fields`)."""

from rest_framework import serializers

from ningbo_grid import fields as strict

from ..choices import Hazard, ResponseLevel
from ..models import CheckIn, Record, Response


class ResponseSerializer(strict.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    county = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Response
        fields = [
            "id",
            "area",
            "county",
            "hazard",
            "level",
            "title",
            "instructions",
            "status",
            "checkin_minutes",
            "activated_at",
            "ended_at",
            "version",
        ]
        read_only_fields = fields


class CheckInSerializer(strict.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    township = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "response",
            "area",
            "township",
            "status",
            "due_at",
            "acknowledged_at",
            "reported_at",
            "on_duty",
            "to_transfer",
            "hazards",
            "escalated_township_at",
            "escalated_district_at",
            "version",
        ]
        read_only_fields = fields


class BoardTownshipSerializer(serializers.Serializer):
    """One township of the roll-call board (`emergency.selectors.TownshipRow`): counts of its
    grids and micro-grids in reach; `missed`: not checked in past the deadline."""

    township = serializers.CharField(source="code", read_only=True)
    name = serializers.CharField(read_only=True)
    total = serializers.IntegerField(read_only=True)
    checked_in = serializers.IntegerField(read_only=True)
    reported = serializers.IntegerField(read_only=True)
    missed = serializers.IntegerField(read_only=True)
    to_transfer = serializers.IntegerField(read_only=True)
    open_events = serializers.IntegerField(read_only=True)


class RecordSerializer(strict.ModelSerializer):
    area = serializers.CharField(source="checkin.area.code", read_only=True, allow_null=True, default=None)
    event = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = Record
        fields = ["id", "kind", "at", "actor", "area", "event", "text", "data"]
        read_only_fields = fields


class ActivateSerializer(serializers.Serializer):
    """Activate a response: `area` is the code of a district or township you supervise."""

    area = strict.CharField(max_length=18)
    hazard = serializers.ChoiceField(choices=Hazard.choices)
    level = serializers.ChoiceField(choices=ResponseLevel.choices)
    title = strict.CharField(max_length=200)
    instructions = strict.CharField(max_length=5000)


class EmergencyVersionSerializer(serializers.Serializer):
    """Common input of the steps: `version` of the response or check-in as you read it."""

    version = strict.IntegerField(min_value=1, max_value=2**31 - 1, help_text="the `version` you read (428 without it)")


class EmergencyNoteSerializer(EmergencyVersionSerializer):
    text = strict.CharField(max_length=5000, required=False, allow_blank=True, default="")


class LevelSerializer(EmergencyNoteSerializer):
    level = serializers.ChoiceField(choices=ResponseLevel.choices)


class StatusSerializer(EmergencyVersionSerializer):
    on_duty = strict.IntegerField(min_value=0, max_value=100000)
    to_transfer = strict.IntegerField(min_value=0, max_value=1000000)
    hazards = strict.CharField(max_length=5000, required=False, allow_blank=True, default="")
