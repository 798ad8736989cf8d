"""Choices of the integrations app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What an API client may do (the organisation's reach still bounds every read)."""

    READ = "read", _("读取")
    REPORT = "report", _("上报")
    HANDLE = "handle", _("办理")


class ClientRole(models.TextChoices):
    """The platform role an API key's service user holds for its organisation
    (personnel.roles): a handling unit's system handles what is dispatched to it; a
    township office's or authority's system enters public demands and routes events."""

    HANDLER = "handler", _("承办单位工作人员")
    DISPATCHER = "dispatcher", _("乡镇（街道）调度员")


class WebhookEventType(models.TextChoices):
    DISPATCHED = "event.dispatched", _("事件派遣至本单位")
    STATE_CHANGED = "event.state_changed", _("事件状态变更")
    OVERDUE = "event.overdue", _("事件预警/超期")
    EMERGENCY_CHANGED = "emergency.response_changed", _("应急响应启动/调整/结束")
    EMERGENCY_ESCALATED = "emergency.checkin_escalated", _("应急签到超时上报")
    EMERGENCY_REPORTED = "emergency.checkin_reported", _("网格报告应急状态")
    # Tasks sent down to the grids (tasks app, Art. 19): to the issuing organisation.
    TASK_ISSUED = "task.issued", _("本单位下派的任务已送达网格")
    TASK_ASSIGNMENT_CHANGED = "task.assignment_changed", _("下派任务的网格办理状态变更")
    TASK_OVERDUE = "task.overdue", _("下派任务的网格预警/超期")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SUCCEEDED = "succeeded", _("已送达")
    FAILED = "failed", _("失败")


class SignatureAlgorithm(models.TextChoices):
    """How a webhook delivery is signed (`integrations.signing`): HMAC-SHA256 by default, or
    HMAC-SM3 (GB/T 32905, the commercial cryptography standard; GB/T 39786) per subscription."""

    HMAC_SHA256 = "hmac-sha256", _("HMAC-SHA256")
    HMAC_SM3 = "hmac-sm3", _("HMAC-SM3（国密）")
