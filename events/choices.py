"""Choices of grid events (Art. 17, 18, 19, 29, 30)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventStatus(models.TextChoices):
    """Where an event stands in the closed loop (Art. 17). See `events.workflow`."""

    REPORTED = "reported", _("已上报待受理")
    ESCALATED = "escalated", _("已提级待区级派遣")
    ACCEPTED = "accepted", _("已受理待派遣")
    DISPATCHED = "dispatched", _("已派遣待签收")
    HANDLING = "handling", _("办理中")
    SUSPENDED = "suspended", _("已挂起")
    RESULT_SUBMITTED = "result_submitted", _("已反馈待核查")
    VERIFIED = "verified", _("已核查待结案")
    CLOSED = "closed", _("已结案")
    REJECTED = "rejected", _("不予受理")


#: States in which the event is still open (its clocks may run).
OPEN_STATUSES = (
    EventStatus.REPORTED,
    EventStatus.ESCALATED,
    EventStatus.ACCEPTED,
    EventStatus.DISPATCHED,
    EventStatus.HANDLING,
    EventStatus.SUSPENDED,
    EventStatus.RESULT_SUBMITTED,
    EventStatus.VERIFIED,
)


class Source(models.TextChoices):
    """Who or what brought the event in (Art. 17, 19)."""

    STAFF = "staff", _("网格员上报")
    PATROL = "patrol", _("巡查发现")
    PUBLIC_DEMAND = "public_demand", _("群众诉求")
    COMPLAINT = "complaint", _("投诉举报")
    EXTERNAL = "external", _("外部系统")


class Datum(models.TextChoices):
    """Geodetic datum of a latitude/longitude pair (Chinese maps use GCJ-02 or BD-09)."""

    WGS84 = "wgs84", "WGS-84"
    GCJ02 = "gcj02", "GCJ-02"
    BD09 = "bd09", "BD-09"
    CGCS2000 = "cgcs2000", "CGCS2000"


class RejectReason(models.TextChoices):
    DUPLICATE = "duplicate", _("重复事件（合并）")
    NOT_LISTED = "not_listed", _("非清单事项")
    INVALID = "invalid", _("无效事件")


class DispatchRole(models.TextChoices):
    LEAD = "lead", _("主办")
    CO = "co", _("协办")


class HandlingLevel(models.TextChoices):
    """Which level is currently routing the event: the township, or the district (after escalation)."""

    TOWNSHIP = "township", _("乡镇（街道）")
    COUNTY = "county", _("区（县、市）")


class ActionKind(models.TextChoices):
    """Every kind of timeline row. Workflow steps and system acts alike (append-only)."""

    REPORT = "report", _("上报")
    SELF_HANDLE = "self_handle", _("就地处置")
    ACCEPT = "accept", _("受理")
    REJECT = "reject", _("不予受理")
    MERGE = "merge", _("合并")
    ESCALATE = "escalate", _("提级")
    DISPATCH = "dispatch", _("派遣")
    SIGN = "sign", _("签收")
    RETURN = "return", _("退回")
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    REQUEST_SUSPENSION = "request_suspension", _("申请挂起")
    APPROVE_REQUEST = "approve_request", _("同意申请")
    REFUSE_REQUEST = "refuse_request", _("不同意申请")
    RESUME = "resume", _("恢复办理")
    SUBMIT_RESULT = "submit_result", _("办结反馈")
    VERIFY_PASS = "verify_pass", _("核查通过")
    VERIFY_FAIL = "verify_fail", _("核查不通过（返工）")
    CLOSE = "close", _("结案")
    SATISFACTION = "satisfaction", _("满意度评价")
    URGE = "urge", _("催办")
    COMMENT = "comment", _("批注")
    CORRECTION = "correction", _("更正")
    PUBLISH = "publish", _("公开")
    UNPUBLISH = "unpublish", _("取消公开")
    WARNING = "warning", _("预警（黄牌）")
    OVERDUE = "overdue", _("超期（红牌）")
    AUTO_ESCALATE = "auto_escalate", _("超期自动提级")
    RECLOCK = "reclock", _("工作日历调整，时限重算")
    INVITE = "invite", _("邀请服务团队成员")
    ADVICE = "advice", _("顾问意见")


class InvitationRole(models.TextChoices):
    """As what a service team member is invited onto an event (Art. 20)."""

    CO_HANDLER = "co_handler", _("协同处置")
    ADVISER = "adviser", _("咨询顾问")


class RequestKind(models.TextChoices):
    EXTENSION = "extension", _("延期")
    SUSPENSION = "suspension", _("挂起")


class RequestState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("不同意")


class AlertStage(models.TextChoices):
    """Alert stages of the two clocks (Art. 17 限时办结): yellow warning, red overdue."""

    ACCEPT_WARNING = "accept_warning", _("签收预警")
    ACCEPT_OVERDUE = "accept_overdue", _("签收超期")
    COMPLETE_WARNING = "complete_warning", _("办结预警")
    COMPLETE_OVERDUE = "complete_overdue", _("办结超期")


class CalendarSource(models.TextChoices):
    """Where a year's working-day calendar comes from (see `events.workcalendar`)."""

    OFFICIAL = "official", _("官方数据")
    ESTIMATED = "estimated", _("推算（未确认）")
    CONFIRMED = "confirmed", _("管理员已确认")


class AlertLevel(models.TextChoices):
    NONE = "none", _("正常")
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class MessageChannel(models.TextChoices):
    """How an outbox message (`OutboxMessage`) leaves the platform."""

    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败")
