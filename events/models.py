"""Grid events (网格事件, Art. 17, 18, 19, 29, 30) and what runs around them.

An `Event` refers to a published catalogue item version and a grid or micro-grid. Only
the transition services in `events.services` assign `status`; each writes an `Action`
row, which is both the audit trail and the timeline. Nothing is deleted or edited after
it is reported: corrections are appended as actions.

Deadlines are data: each open event carries its clocks (`accept_due_at`,
`complete_due_at`, their warning times) and `next_alert_at`, the earliest pending alert,
indexed, which the minute sweep reads. `Alert` rows are unique per event, stage and
cycle, so each alert fires exactly once. All datetimes are aware (UTC in the database).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from catalog.choices import Category, Grade
from catalog.models import ServiceItem, ServiceItemVersion
from grids.models import Area
from personnel.models import Organisation

from .choices import (
    OPEN_STATUSES,
    ActionKind,
    AlertLevel,
    AlertStage,
    CalendarSource,
    Datum,
    DispatchRole,
    EventStatus,
    HandlingLevel,
    InvitationRole,
    RejectReason,
    RequestKind,
    RequestState,
    Source,
)


def new_tracking_code() -> str:
    """A 12-character public tracking code (Art. 19 demands): unguessable, no 0/O/1/I."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


#: The `caller_reach` fact "the user was ever invited onto an event" (`EventInvitation`, never
#: deleted): registered by `EventsConfig.ready` with `INVITED_SQL` (one probe of the index
#: `invitation_user`), read by `EventQuerySet.restrict`.
INVITED = "events.invited"
INVITED_SQL = "EXISTS (SELECT 1 FROM events_eventinvitation WHERE user_id = %(user)s)"


class PatrolQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "PatrolQuerySet":
        """Patrols `user` may see: their own, and those in grids within their `view_area`
        reach (personnel.scope.covering_q). `action` other than "view" is not a read: none."""
        from personnel.scope import covering_q

        if action != "view" or not user or not user.is_authenticated:
            return self.none()
        return self.filter(Q(user=user) | covering_q(user, "view_area", "area"))


class Patrol(models.Model):
    """A patrol or home-visit round by grid staff (巡查走访, Art. 15(2)).

    `households_visited` counts households actually visited on this round.
    """

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("网格"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patrols")
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    households_visited = models.PositiveIntegerField(_("走访户数"), default=0)
    notes = models.TextField(_("巡查记录"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PatrolQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡查走访")
        verbose_name_plural = _("巡查走访")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["user", "-started_at"]), models.Index(fields=["area", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.area.name} {self.started_at:%Y-%m-%d}"


class EventQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "EventQuerySet":
        """Events `user` may see: the one entry point for every read (Art. 15).

        `action` "view": events in grids within the user's `view_area` reach (grid staff:
        their grids; township staff: the township; authorities: their district or the
        city), plus events ever dispatched to an organisation for which the user is a
        handler. Other actions are checked by the services themselves on top of this.
        A complaint about a grid worker (`about_staff`, Art. 27) is seen only through a
        township, district, city or province grant (the staff office and the authorities)
        or a dispatch to the user's unit: grants below the township (the grid's own staff)
        do not show it. One small query to read the user's reach and units
        (personnel.scope.caller_reach, once per request), then one filter on the
        event's own `county_id`/`township_id` (district and township grants) or its
        grid's range (grants below township), whatever the number of grants: no
        per-row walk of the tree. Service team members see the events they were invited
        onto (`EventInvitation`, Art. 20). Anonymous users see nothing.

        No branch costs more to plan or to start than a page, whatever the size of the
        user's history (issue #20): the dispatches to the user's units are a correlated
        `EXISTS` (one index probe for a row the lead unit does not already show), not an
        `IN` whose hash of every dispatch the unit ever had PostgreSQL costed into every
        page (at 5 M events past its JIT threshold); the invitations' branch is there only
        for users invited onto some event (`INVITED`, read with the reach), so for everyone
        else the area branches stay plain index conditions.
        """
        from personnel.scope import Reach, caller_reach

        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if user.is_superuser:
            return self
        reach = caller_reach(user, "view_area", "handler")
        if reach.everything:
            return self
        condition = reach.above_grids().q(area="area", township="township", county="county")
        if reach.ranges:
            condition |= Reach(ranges=reach.ranges).q(area="area") & Q(about_staff__isnull=True)
        if reach.units:
            # The lead unit first: implied by a dispatch (`lead_unit` is set only with a
            # dispatch to it, which is never deleted), so it shows nothing more, but it
            # answers most rows without the probe, and a list filtered by `lead_unit`
            # (a unit's task list) drops the whole OR as implied by its index condition.
            condition |= Q(lead_unit_id__in=reach.units)
            condition |= Exists(Dispatch.objects.filter(event_id=OuterRef("pk"), unit_id__in=reach.units))
        if INVITED in reach.facts:
            condition |= Q(pk__in=EventInvitation.objects.filter(user=user).values("event_id"))
        return self.filter(condition)

    def within(self, area) -> "EventQuerySet":
        """Events in `area`'s subtree: on the event's own `township_id`/`county_id` for a
        township or a district (one index range, no join), else on its grid's MPTT range."""
        from grids.choices import Level

        if area.level == Level.TOWNSHIP:
            return self.filter(township_id=area.pk)
        if area.level == Level.COUNTY:
            return self.filter(county_id=area.pk)
        return self.filter(
            area__tree_id=area.tree_id, area__lft__gte=area.lft, area__lft__lte=area.rght, area__rght__lte=area.rght
        )

    def published(self) -> "EventQuerySet":
        """Events that Open311 publishes to anyone, without login (`Event.public`): what the
        public reported, and what a dispatcher or supervisor marked public
        (`events.services.event_publish`). The one entry point of every Open311 read."""
        return self.filter(public=True)

    def open(self) -> "EventQuerySet":
        """Events still in the loop (not closed, not rejected)."""
        from .choices import OPEN_STATUSES

        return self.filter(status__in=OPEN_STATUSES)

    def queue_order(self) -> "EventQuerySet":
        """Work-queue order (Art. 18): emergencies first, then overdue (red), then warned
        (yellow), then the nearest running deadline (accept-by while dispatched,
        complete-by while handling; none last), then the oldest report."""
        from django.db.models import Case, F, IntegerField, Value, When

        from .choices import AlertLevel, EventStatus

        return self.annotate(
            _emergency=Case(When(grade=Grade.EMERGENCY, then=Value(0)), default=Value(1), output_field=IntegerField()),
            _alert=Case(
                When(alert_level=AlertLevel.RED, then=Value(0)),
                When(alert_level=AlertLevel.YELLOW, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            _deadline=Case(
                When(status=EventStatus.DISPATCHED, then=F("accept_due_at")),
                When(status=EventStatus.HANDLING, then=F("complete_due_at")),
                default=None,
                output_field=models.DateTimeField(),
            ),
        ).order_by("_emergency", "_alert", F("_deadline").asc(nulls_last=True), "reported_at", "id")


#: The condition of the partial indexes of open work (events.choices.OPEN_STATUSES).
_OPEN = Q(status__in=[str(s) for s in OPEN_STATUSES])


class Event(models.Model):
    """A grid event (Art. 30): a listed matter reported in a grid and handled in time.

    `township` and `county` are the grid's ancestors at those levels, copied at report
    time so queues and dashboards filter without walking the tree (a grid never moves
    between townships: its code is derived from its village). `level` says who routes
    the event now (township, or county after escalation). `lead_unit` is the current
    lead handling unit. `version` increases on every transition (ETag).
    Times: `discovered_at` (when the problem was found) ≤ `reported_at`.
    Position: `latitude`/`longitude` in `datum` as reported (kept as entered), and
    `wgs84_latitude`/`wgs84_longitude` the same place in WGS 84 degrees (floats), set when
    the event is written (`events.positions`); both pairs null when no position was given.
    """

    number = models.CharField(_("事件编号"), max_length=20, unique=True)
    tracking_code = models.CharField(_("查询码"), max_length=12, unique=True, default=new_tracking_code)
    # FKs led by a composite index below carry no single-column index of their own (fewer
    # index writes on every transition and sweep: events_event is updated all day).
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="events", verbose_name=_("事项"), db_index=False
    )
    item_version = models.ForeignKey(
        ServiceItemVersion, on_delete=models.PROTECT, related_name="events", verbose_name=_("事项版本")
    )
    category = models.PositiveSmallIntegerField(_("类别"), choices=Category.choices)
    grade = models.CharField(_("等级"), max_length=10, choices=Grade.choices, default=Grade.GENERAL)
    status = models.CharField(_("状态"), max_length=20, choices=EventStatus.choices, default=EventStatus.REPORTED)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.STAFF)
    level = models.CharField(
        _("办理层级"), max_length=10, choices=HandlingLevel.choices, default=HandlingLevel.TOWNSHIP
    )

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="events", verbose_name=_("网格"), db_index=False
    )
    township = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇（街道）"), db_index=False
    )
    county = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("区（县、市）"), db_index=False
    )

    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("事件描述"))
    attributes = models.JSONField(_("上报字段"), default=dict, blank=True)
    address = models.CharField(_("地点"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    datum = models.CharField(_("坐标系"), max_length=10, choices=Datum.choices, blank=True)
    # The position in WGS 84 (events.positions.canonical_position), computed when the event is
    # written, beside the pair as reported: what maps filter, cluster and draw (Art. 9).
    wgs84_latitude = models.FloatField(_("纬度（WGS-84）"), null=True, blank=True, editable=False)
    wgs84_longitude = models.FloatField(_("经度（WGS-84）"), null=True, blank=True, editable=False)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="reported_events"
    )
    patrol = models.ForeignKey(Patrol, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    contact_name = models.CharField(_("诉求人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("诉求人电话"), max_length=20, blank=True)
    external_ref = models.CharField(_("外部编号"), max_length=64, blank=True)
    # A complaint about a grid worker's conduct (Art. 10 ¶2, 27): routed to the township's
    # staff office only (`events.services.routing.event_dispatch`), seen by the township
    # and the authorities, never by the grid's own staff (`EventQuerySet.restrict`).
    about_staff = models.ForeignKey(
        "personnel.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conduct_complaints",
        verbose_name=_("被投诉人员"),
    )

    discovered_at = models.DateTimeField(_("发现时间"))
    reported_at = models.DateTimeField(_("上报时间"), db_index=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    result_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    lead_unit = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="lead_events", db_index=False
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_events"
    )
    reject_reason = models.CharField(_("不予受理原因"), max_length=12, choices=RejectReason.choices, blank=True)
    self_handled = models.BooleanField(_("就地处置"), default=False)
    # Published on Open311 (`/open311/v2/requests`, no login): set at report time for what the
    # public itself reported (demands, complaints, Open311 POSTs), changed only by
    # `events.services.event_publish` (a timeline row each time). Staff reports start internal.
    public = models.BooleanField(_("对外公开"), default=False, db_default=False)

    # Clocks (Art. 17 限时办结). Aware datetimes; null when the clock does not run.
    accept_due_at = models.DateTimeField(_("签收时限"), null=True, blank=True)
    accept_warn_at = models.DateTimeField(null=True, blank=True)
    complete_due_at = models.DateTimeField(_("办结时限"), null=True, blank=True)
    complete_warn_at = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    next_alert_at = models.DateTimeField(null=True, blank=True)
    cycle = models.PositiveIntegerField(default=0, help_text=_("每次派遣或返工加一，用于区分各轮预警。"))
    alert_level = models.CharField(_("预警"), max_length=8, choices=AlertLevel.choices, default=AlertLevel.NONE)

    # Counters for evaluation (Art. 22, 29).
    rework_count = models.PositiveIntegerField(_("返工次数"), default=0)
    return_count = models.PositiveIntegerField(_("退回次数"), default=0)
    extension_count = models.PositiveIntegerField(_("延期次数"), default=0)
    suspension_count = models.PositiveIntegerField(_("挂起次数"), default=0)
    urge_count = models.PositiveIntegerField(_("催办次数"), default=0)

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格事件")
        verbose_name_plural = _("网格事件")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["township", "status", "-reported_at"], name="event_township_queue"),
            models.Index(fields=["county", "status", "-reported_at"], name="event_county_queue"),
            models.Index(fields=["lead_unit", "status", "-reported_at"], name="event_unit_queue"),
            models.Index(fields=["area", "-reported_at"], name="event_area_recent"),
            models.Index(fields=["item", "-reported_at"], name="event_item_recent"),
            models.Index(fields=["next_alert_at"], name="event_next_alert", condition=Q(next_alert_at__isnull=False)),
            # Lists and queues, newest report first, one index range per page (keyset/cursor
            # pages on (reported_at, id)): open work of a township, a district, a unit and the
            # whole city (small partial indexes), and every event of a township or district
            # (histories). Queries must repeat the open states (any subset) to use the partial ones.
            models.Index(fields=["township", "-reported_at", "-id"], name="event_township_open", condition=_OPEN),
            models.Index(fields=["county", "-reported_at", "-id"], name="event_county_open", condition=_OPEN),
            models.Index(fields=["lead_unit", "-reported_at", "-id"], name="event_unit_open", condition=_OPEN),
            models.Index(fields=["-reported_at", "-id"], name="event_open_recent", condition=_OPEN),
            models.Index(fields=["township", "-reported_at", "-id"], name="event_township_recent"),
            models.Index(fields=["county", "-reported_at", "-id"], name="event_county_recent"),
            # A district's events of one item (lists filtered by `item`, as a scalar subquery).
            models.Index(fields=["county", "item", "-reported_at", "-id"], name="event_county_item_recent"),
            # Open311's public list, newest first: only the published events (a small share).
            models.Index(fields=["-reported_at", "-id"], name="event_public_recent", condition=Q(public=True)),
            # Overdue lists (dashboards): open events by completion deadline.
            models.Index(fields=["complete_due_at"], name="event_open_complete_due", condition=_OPEN),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        from .choices import OPEN_STATUSES

        return self.status in OPEN_STATUSES

    @property
    def is_emergency(self) -> bool:
        return self.grade == Grade.EMERGENCY


class Dispatch(models.Model):
    """One dispatch of an event to a handling unit (派遣, Art. 17): lead or co-handling.

    `cycle` matches `Event.cycle` at dispatch time. A dispatch ends when it is returned
    (退回), completed, or superseded by a re-dispatch (`active` false).
    """

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="dispatches")
    unit = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="dispatches", verbose_name=_("承办单位")
    )
    role = models.CharField(_("角色"), max_length=4, choices=DispatchRole.choices, default=DispatchRole.LEAD)
    cycle = models.PositiveIntegerField(default=1)
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dispatched_at = models.DateTimeField(_("派遣时间"))
    accept_due_at = models.DateTimeField(_("签收时限"), null=True, blank=True)
    complete_due_at = models.DateTimeField(_("办结时限"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("派遣")
        verbose_name_plural = _("派遣")
        ordering = ["event", "-dispatched_at", "-id"]
        indexes = [models.Index(fields=["unit", "active", "-dispatched_at"], name="dispatch_unit_active")]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(active=True, role="lead"), name="one_active_lead_dispatch"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event.number} → {self.unit}"


class Action(models.Model):
    """One row of an event's timeline and audit trail (append-only).

    `actor` is null for system acts (alerts, automatic escalation) and for the public
    (satisfaction through a link); `actor_name` keeps the display name as it was.
    `data` holds the step's structured details (dispatch units, reasons, old/new due
    times, corrected fields …).
    """

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(_("操作"), max_length=20, choices=ActionKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    actor_name = models.CharField(_("操作人"), max_length=100, blank=True)
    actor_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    from_status = models.CharField(max_length=20, choices=EventStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=EventStatus.choices, blank=True)
    text = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("事件记录")
        verbose_name_plural = _("事件记录")
        ordering = ["event", "at", "id"]
        indexes = [models.Index(fields=["event", "at"], name="action_event_time")]

    def __str__(self) -> str:
        return f"{self.event.number} {self.get_kind_display()}"


class EventInvitation(models.Model):
    """A service team member invited onto an event (Art. 20) by the `invite` step, once per member.

    `user` is the member's login when invited (the invited see the event:
    `Event.objects.restrict`); `action` is the step's timeline row.
    """

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="invitations")
    member = models.ForeignKey("personnel.TeamMember", on_delete=models.PROTECT, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("参与方式"), max_length=12, choices=InvitationRole.choices)
    action = models.OneToOneField(Action, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("服务团队成员邀请")
        verbose_name_plural = _("服务团队成员邀请")
        constraints = [models.UniqueConstraint(fields=["event", "member"], name="invitation_once_per_member")]
        indexes = [models.Index(fields=["user"], name="invitation_user")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.member_id} {self.role}"


class HandlingRequest(models.Model):
    """A handling unit's request for an extension (延期) or a suspension (挂起).

    For an extension, `extra_amount` in `extra_unit` (catalog.choices.TimeUnit) is added
    to the completion deadline on approval. A suspension stops the clock from approval
    until the dispatcher resumes it. Deadlines move only on approval.
    """

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="requests")
    dispatch = models.ForeignKey(Dispatch, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(_("类型"), max_length=12, choices=RequestKind.choices)
    reason = models.TextField(_("理由"))
    extra_amount = models.DecimalField(_("延长时长"), max_digits=6, decimal_places=2, null=True, blank=True)
    extra_unit = models.CharField(_("单位"), max_length=14, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=RequestState.choices, default=RequestState.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期/挂起申请")
        verbose_name_plural = _("延期/挂起申请")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["event"], condition=Q(state="pending"), name="one_pending_request")
        ]

    def __str__(self) -> str:
        return f"{self.event.number} {self.get_kind_display()}"


class Alert(models.Model):
    """One fired alert: unique per event, stage and cycle, so it happens exactly once.

    The sweep inserts the row first (conflict = already fired), then notifies.
    """

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="alerts")
    stage = models.CharField(max_length=20, choices=AlertStage.choices)
    cycle = models.PositiveIntegerField()
    due_at = models.DateTimeField()
    fired_at = models.DateTimeField()

    class Meta:
        verbose_name = _("预警记录")
        verbose_name_plural = _("预警记录")
        constraints = [models.UniqueConstraint(fields=["event", "stage", "cycle"], name="alert_once")]

    def __str__(self) -> str:
        return f"{self.event.number} {self.stage} #{self.cycle}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"events/{instance.event_id}/{secrets.token_hex(12)}.{instance.extension}"


class Attachment(models.Model):
    """A photo attached to an event or one of its steps (JPEG, PNG, WebP; EXIF stripped).

    `content_type` is detected from the content, never from the name. Served only to
    users who may see the event.
    """

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="attachments")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=20)
    extension = models.CharField(max_length=5)
    size = models.PositiveIntegerField(help_text=_("字节"))
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class Satisfaction(models.Model):
    """Public satisfaction with a closed event (满意度, Art. 22): 1 (worst) to 5 (best)."""

    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="satisfaction")
    score = models.PositiveSmallIntegerField(_("满意度"))
    comment = models.TextField(_("评价"), blank=True)
    by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="satisfaction_1_to_5")]

    def __str__(self) -> str:
        return f"{self.event.number} {self.score}"


class CalendarDay(models.Model):
    """An administrator's correction of one day of the working-day calendar.

    Wins over every other source for `date` (a local date; see `events.workcalendar`):
    `is_workday` true for an extra working day, false for a day off (e.g. a typhoon).
    Written only through `events.calendar.calendar_day_set`, which moves open clocks.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = _("工作日") if self.is_workday else _("休息日")
        return f"{self.date} {kind}"


class CalendarYear(models.Model):
    """A year of the working-day calendar and where it comes from (Art. 17).

    `source` is `confirmed` once the calendar administrator has entered and confirmed the
    State Council's notice for `year`: `ranges` holds it as written, a list of
    {"kind": "holiday" (放假调休) | "workday" (上班, a make-up working day), "start": ISO
    date, "end": ISO date (inclusive), "name": the festival}. A row with source
    `estimated` carries no notice: it exists only so the daily reminder is logged once
    (`reminded_on`, a local date). Years without a row are `official` or `estimated` as
    `events.workcalendar.year_source` says.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(
        _("来源"), max_length=10, choices=CalendarSource.choices, default=CalendarSource.ESTIMATED
    )
    ranges = models.JSONField(_("放假安排"), default=list, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("年度工作日历")
        verbose_name_plural = _("年度工作日历")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} {self.get_source_display()}"


# The messages live in their own module (import them from there); imported here only so
# that the app registers them.
from .messaging import Notification, OutboxMessage  # noqa: E402, F401
