"""Choices of the emergency app (Art. 18)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Hazard(models.TextChoices):
    """What the response is for."""

    TYPHOON = "typhoon", _("台风")
    FLOOD = "flood", _("防汛")
    FIRE = "fire", _("火灾")
    EPIDEMIC = "epidemic", _("公共卫生")
    OTHER = "other", _("其他")


class ResponseLevel(models.TextChoices):
    """Response level, IV (lowest) to I (highest); `rank` orders them."""

    IV = "IV", _("Ⅳ级")
    III = "III", _("Ⅲ级")
    II = "II", _("Ⅱ级")
    I = "I", _("Ⅰ级")  # noqa: E741  (the level's name)


#: Rank of each level: a raise goes to a higher rank, a lowering to a lower one.
RANK = {ResponseLevel.IV: 4, ResponseLevel.III: 3, ResponseLevel.II: 2, ResponseLevel.I: 1}


class ResponseStatus(models.TextChoices):
    ACTIVE = "active", _("响应中")
    ENDED = "ended", _("已结束")


class CheckInStatus(models.TextChoices):
    """pending → acknowledged (签到) → reported (报告状态; may report again)."""

    PENDING = "pending", _("未签到")
    ACKNOWLEDGED = "acknowledged", _("已签到")
    REPORTED = "reported", _("已报告")


class RecordKind(models.TextChoices):
    """A row of the response's one timeline."""

    ACTIVATE = "activate", _("启动响应")
    RAISE = "raise", _("提升等级")
    LOWER = "lower", _("降低等级")
    END = "end", _("结束响应")
    ACKNOWLEDGE = "acknowledge", _("签到")
    REPORT = "report", _("报告状态")
    ESCALATE_TOWNSHIP = "escalate_township", _("未签到上报乡镇（街道）")
    ESCALATE_DISTRICT = "escalate_district", _("未签到上报区（县、市）")
    EVENT = "event", _("关联突发事件")


class BoardShow(models.TextChoices):
    """Which check-ins of a township the roll-call board lists (default: not checked in)."""

    PENDING = "pending", _("未签到")
    CHECKED_IN = "checked_in", _("已签到")
    ALL = "all", _("全部")
