"""Serializers of the evaluation API (read-only)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ningbo_grid import fields as strict
from ningbo_grid.fields import ModelSerializer

from ..models import Period, Score
from ..services import score_key


class PeriodSerializer(ModelSerializer):
    scheme = strict.CharField(source="scheme.name", read_only=True)
    subject_kind = strict.CharField(source="scheme.subject_kind", read_only=True)
    authority = strict.CharField(source="scheme.authority.name", read_only=True)

    class Meta:
        model = Period
        fields = ["id", "scheme", "subject_kind", "authority", "start", "end", "state", "computed_at", "frozen_at"]
        read_only_fields = fields


class ScoreSerializer(ModelSerializer):
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
        return score_key(score)


class FiguresSerializer(serializers.Serializer):
    reported = strict.IntegerField()
    rejected = strict.IntegerField()
    self_handled = strict.IntegerField()
    late_reported = strict.IntegerField()
    closed = strict.IntegerField()
    due = strict.IntegerField()
    on_time = strict.IntegerField()
    overdue = strict.IntegerField()
    satisfaction_sum = strict.IntegerField()
    satisfaction_count = strict.IntegerField()
    closure_rate = serializers.FloatField(allow_null=True, help_text="%")
    on_time_rate = serializers.FloatField(allow_null=True, help_text="%")
    self_handled_rate = serializers.FloatField(allow_null=True, help_text="%")
    satisfaction_avg = serializers.FloatField(allow_null=True, help_text="1–5")


class BreakdownRowSerializer(serializers.Serializer):
    key = strict.CharField()
    label = strict.CharField()
    reported = strict.IntegerField()
    closed = strict.IntegerField()
    overdue = strict.IntegerField()


class DayRowSerializer(serializers.Serializer):
    date = serializers.DateField()
    reported = strict.IntegerField()
    closed = strict.IntegerField()
    overdue = strict.IntegerField()


class GridRowSerializer(serializers.Serializer):
    code = strict.CharField(source="area__code")
    name = strict.CharField(source="area__name")
    reported = strict.IntegerField()
    closed = strict.IntegerField()
    overdue = strict.IntegerField()
    closure_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)


class StatisticsSerializer(serializers.Serializer):
    area = strict.CharField(source="area.code")
    area_name = strict.CharField(source="area.name")
    start = serializers.DateField()
    end = serializers.DateField()
    refreshed_at = strict.DateTimeField(allow_null=True, help_text="when the rollups were last refreshed")
    figures = FiguresSerializer()
    daily = DayRowSerializer(many=True)
    by_category = BreakdownRowSerializer(many=True)
    by_grade = BreakdownRowSerializer(many=True)
    by_item = BreakdownRowSerializer(many=True)
    grids = GridRowSerializer(many=True)


class StatisticsQuerySerializer(serializers.Serializer):
    """`?start=&end=` (local dates, YYYY-MM-DD), both optional; anything else is a 400 with field messages.

    A date that does not exist (2026-13-45, 2026-02-30), a blank value, a year outside
    2000–2099, a start after the end, a range over two years, or a parameter other than
    these two (e.g. `from`/`to`) is an error on that field, never a silent default.
    """

    ALLOWED = ("start", "end", "format")
    FIRST, LAST = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)
    MAX_DAYS = 731

    start = serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        error_messages={"invalid": _("不是有效日期；请按 YYYY-MM-DD 填写，例如 2026-05-31。")},
        help_text="first local date, YYYY-MM-DD (default: 29 days before end)",
    )
    end = serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        error_messages={"invalid": _("不是有效日期；请按 YYYY-MM-DD 填写，例如 2026-05-31。")},
        help_text="last local date, YYYY-MM-DD (default: today)",
    )

    def to_internal_value(self, data):
        errors = {}
        for key in data:
            if key not in self.ALLOWED:
                errors[key] = [_("未知参数；请使用 start 和 end（YYYY-MM-DD）。")]
            elif key in ("start", "end") and not str(data.get(key)).strip():
                errors[key] = [_("请填写日期（YYYY-MM-DD），或不传此参数。")]
            elif key in ("start", "end") and len(data.getlist(key) if hasattr(data, "getlist") else [data[key]]) > 1:
                errors[key] = [_("此参数只能出现一次。")]
        values = {}
        try:
            values = super().to_internal_value({k: data[k] for k in ("start", "end") if k in data and k not in errors})
        except serializers.ValidationError as exc:
            errors.update(exc.detail)
        for key, day in values.items():
            if not (self.FIRST <= day <= self.LAST):
                errors.setdefault(key, []).append(_("日期须在2000年至2099年之间。"))
        if errors:
            raise serializers.ValidationError(errors)
        return values

    def validate(self, attrs):
        end = attrs.get("end") or timezone.localdate()
        start = attrs.get("start") or end - datetime.timedelta(days=29)
        if start > end:
            raise serializers.ValidationError({"start": [_("开始日期不能晚于结束日期。")]})
        if (end - start).days > self.MAX_DAYS:
            raise serializers.ValidationError({"start": [_("时间范围不能超过两年。")]})
        return {"start": start, "end": end}
