"""Choices of assigned tasks (任务下派, Art. 19)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentStatus(models.TextChoices):
    """Where one grid's assignment stands (`tasks.workflow.STEPS` moves it)."""

    RECEIVED = "received", _("待签收")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    DONE = "done", _("已完成")
    RETURNED = "returned", _("已退回")


#: Statuses in which the assignment still owes work (the sweep and urging look at these).
OPEN_STATUSES = (AssignmentStatus.RECEIVED, AssignmentStatus.ACKNOWLEDGED, AssignmentStatus.IN_PROGRESS)


class ResultKind(models.TextChoices):
    """What each grid returns: one result for the grid, or one per ledger household."""

    GRID = "grid", _("每个网格一条结果")
    HOUSEHOLD = "household", _("每户一条结果（台账走访）")


class Outcome(models.TextChoices):
    """A per-household result (the visit's outcome)."""

    CHECKED = "checked", _("已排查")
    NOT_HOME = "not_home", _("不在家")
    NEEDS_HELP = "needs_help", _("需要帮助")


class LogKind(models.TextChoices):
    """A row of an assignment's timeline."""

    ISSUE = "issue", _("下派")
    ACKNOWLEDGE = "acknowledge", _("签收")
    START = "start", _("开始办理")
    RECORD = "record", _("登记走访结果")
    COMPLETE = "complete", _("完成")
    RETURN = "return", _("退回")
    REOPEN = "reopen", _("重新下派")
    URGE = "urge", _("催办")
    WARNING = "warning", _("预警（黄牌）")
    OVERDUE = "overdue", _("超期（红牌）")
