"""Emergency responses (应急响应, Art. 18): the response, its check-ins, its one timeline.

Times are aware datetimes (UTC in the database). `Response.area` is a district or a
township (the area it covers: every grid and micro-grid under it); `county` is the
district that area lies in (the level a missed check-in escalates to last).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models import Event
from grids.models import Area

from .choices import CheckInStatus, Hazard, RecordKind, ResponseLevel, ResponseStatus


class Response(models.Model):
    """One activation of an emergency response for an area, from activation to its end.

    `version` grows with every step (raise, lower, end): a step names the version it
    acts on. `checkin_minutes` is the check-in window of the level in force at
    activation (settings.EMERGENCY_CHECKIN_MINUTES, minutes).
    """

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("响应区域"))
    county = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("区（县、市）"))
    hazard = models.CharField(_("灾种"), max_length=12, choices=Hazard.choices)
    level = models.CharField(_("响应等级"), max_length=3, choices=ResponseLevel.choices)
    title = models.CharField(_("标题"), max_length=200)
    instructions = models.TextField(_("工作要求"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.ACTIVE, db_index=True
    )
    checkin_minutes = models.PositiveIntegerField(_("签到时限（分钟）"))
    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    activated_at = models.DateTimeField(_("启动时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("应急响应")
        verbose_name_plural = _("应急响应")
        ordering = ["-activated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_level_display()}）"


class CheckIn(models.Model):
    """The check-in of one grid or micro-grid for one response (unique per response and area).

    Written for every grid and micro-grid of the response's area in one INSERT … SELECT at
    activation (`services.response_activate`); `leader` is the grid's (or micro-grid's)
    leader at that moment (null: none assigned — escalated like a missed check-in).
    `due_at`: the check-in deadline; past it and not acknowledged, the sweep escalates to
    the township (`escalated_township_at`) and, one more window later, to the district
    (`escalated_district_at`), each exactly once. `on_duty`, `to_transfer`: counts of
    persons; `hazards`: free text.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="checkins")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("网格"))
    township = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇（街道）"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=12, choices=CheckInStatus.choices, default=CheckInStatus.PENDING)
    due_at = models.DateTimeField(_("签到期限"))
    acknowledged_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    reported_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    on_duty = models.PositiveIntegerField(_("在岗人数"), null=True, blank=True)
    to_transfer = models.PositiveIntegerField(_("需转移人数"), null=True, blank=True)
    hazards = models.TextField(_("隐患情况"), blank=True)
    escalated_township_at = models.DateTimeField(null=True, blank=True)
    escalated_district_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    #: Open emergency events linked to the response in this grid (set by `selectors.board`).
    open_events: int = 0

    class Meta:
        verbose_name = _("应急签到")
        verbose_name_plural = _("应急签到")
        ordering = ["township_id", "area__code"]
        constraints = [models.UniqueConstraint(fields=["response", "area"], name="one_checkin_per_area")]
        indexes = [
            models.Index(fields=["due_at"], name="checkin_open_due", condition=models.Q(status=CheckInStatus.PENDING)),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.area_id}"


class Record(models.Model):
    """A row of the response's one timeline: its steps, the check-ins, escalations and
    linked emergency events. `data` holds the step's details (levels, counts)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(_("类型"), max_length=20, choices=RecordKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, null=True, blank=True, related_name="records")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("应急响应记录")
        verbose_name_plural = _("应急响应记录")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "event"], condition=models.Q(event__isnull=False), name="one_link_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.response_id} {self.kind}"
