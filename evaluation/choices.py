"""Choices of the evaluation app (Art. 22)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    """Who a scheme scores (Art. 22): townships, handling units, or grid staff."""

    TOWNSHIP = "township", _("乡镇（街道）")
    UNIT = "unit", _("承办单位")
    STAFF = "staff", _("网格服务管理人员")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class PeriodState(models.TextChoices):
    OPEN = "open", _("未冻结")
    FROZEN = "frozen", _("已冻结")


class AdjustmentKind(models.TextChoices):
    """Manual additions to a score: a bonus (capped by the scheme) or a concealed report found later."""

    BONUS = "bonus", _("加分")
    CONCEALED = "concealed", _("瞒报扣分")
