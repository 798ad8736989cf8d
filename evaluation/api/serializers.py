"""Serializers of the evaluation API (read-only)."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from ..models import Period, Score


class PeriodSerializer(serializers.ModelSerializer):
    scheme = serializers.CharField(source="scheme.name", read_only=True)
    subject_kind = serializers.CharField(source="scheme.subject_kind", read_only=True)
    authority = serializers.CharField(source="scheme.authority.name", read_only=True)

    class Meta:
        model = Period
        fields = ["id", "scheme", "subject_kind", "authority", "start", "end", "state", "computed_at", "frozen_at"]
        read_only_fields = fields


class ScoreSerializer(serializers.ModelSerializer):
    values = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="indicator code → measured value (null: nothing measured)",
    )
    points = serializers.DictField(child=serializers.DecimalField(max_digits=8, decimal_places=2))
    subject = serializers.SerializerMethodField()

    class Meta:
        model = Score
        fields = ["id", "subject", "label", "peer_group", "rank", "values", "points", "bonus", "penalty", "total"]
        read_only_fields = fields

    def get_subject(self, score) -> str:
        """ "area:<id>", "org:<id>" or "user:<id>"."""
        if score.area_id:
            return f"area:{score.area_id}"
        if score.organisation_id:
            return f"org:{score.organisation_id}"
        return f"user:{score.user_id}"


class FiguresSerializer(serializers.Serializer):
    reported = serializers.IntegerField()
    rejected = serializers.IntegerField()
    self_handled = serializers.IntegerField()
    late_reported = serializers.IntegerField()
    closed = serializers.IntegerField()
    due = serializers.IntegerField()
    on_time = serializers.IntegerField()
    overdue = serializers.IntegerField()
    satisfaction_sum = serializers.IntegerField()
    satisfaction_count = serializers.IntegerField()
    closure_rate = serializers.FloatField(allow_null=True, help_text="%")
    on_time_rate = serializers.FloatField(allow_null=True, help_text="%")
    self_handled_rate = serializers.FloatField(allow_null=True, help_text="%")
    satisfaction_avg = serializers.FloatField(allow_null=True, help_text="1–5")


class BreakdownRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    reported = serializers.IntegerField()
    closed = serializers.IntegerField()
    overdue = serializers.IntegerField()


class DayRowSerializer(serializers.Serializer):
    date = serializers.DateField()
    reported = serializers.IntegerField()
    closed = serializers.IntegerField()
    overdue = serializers.IntegerField()


class GridRowSerializer(serializers.Serializer):
    code = serializers.CharField(source="area__code")
    name = serializers.CharField(source="area__name")
    reported = serializers.IntegerField()
    closed = serializers.IntegerField()
    overdue = serializers.IntegerField()
    closure_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)


class StatisticsSerializer(serializers.Serializer):
    area = serializers.CharField(source="area.code")
    area_name = serializers.CharField(source="area.name")
    start = serializers.DateField()
    end = serializers.DateField()
    refreshed_at = serializers.DateTimeField(allow_null=True, help_text="when the rollups were last refreshed")
    figures = FiguresSerializer()
    daily = DayRowSerializer(many=True)
    by_category = BreakdownRowSerializer(many=True)
    by_grade = BreakdownRowSerializer(many=True)
    by_item = BreakdownRowSerializer(many=True)
    grids = GridRowSerializer(many=True)


class StatisticsQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="first local date (default: 29 days before end)")
    end = serializers.DateField(required=False, help_text="last local date (default: today)")

    def validate(self, attrs):
        import datetime

        from django.utils import timezone

        end = attrs.get("end") or timezone.localdate()
        start = attrs.get("start") or end - datetime.timedelta(days=29)
        if start > end:
            raise serializers.ValidationError({"start": _("开始日期不能晚于结束日期。")})
        if (end - start).days > 731:
            raise serializers.ValidationError({"start": _("时间范围不能超过两年。")})
        return {"start": start, "end": end}
