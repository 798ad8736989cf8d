"""Choices of the service item catalogue (Art. 12, 13, 14, 17)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.IntegerChoices):
    """The eight statutory categories of Art. 12; fixed by the regulation."""

    PUBLICITY = 1, _("宣传党和国家的方针政策和法律法规")
    BASIC_INFORMATION = 2, _("采集、报送网格内人口、家庭、单位等基础信息")
    PUBLIC_OPINION = 3, _("了解、记录社情民意，收集、反映群众诉求")
    DISPUTES_AND_HAZARDS = 4, _("排查、报送、化解、处置矛盾纠纷、安全风险隐患")
    EMERGENCIES = 5, _("协助开展突发事件应急处置")
    SERVICES = 6, _("协助开展便民服务、志愿服务和关爱服务")
    DEPLOYED_TASKS = 7, _("协助办理党委、政府决定部署的重要事项")
    STATUTORY_OTHER = 8, _("办理或者协助办理法律、法规规定的其他事项")


class ItemKind(models.TextChoices):
    EVENT = "event", _("事件类（有办理时限）")
    DUTY = "duty", _("日常工作类（无时限）")


class ListLevel(models.TextChoices):
    """Which list an item belongs to (Art. 13): the city's, or one district's."""

    CITY = "city", _("市级清单")
    DISTRICT = "district", _("区（县、市）级清单")


class Grade(models.TextChoices):
    """Event grades (分级, Art. 17), least to most urgent."""

    GENERAL = "general", _("一般")
    SERIOUS = "serious", _("较大")
    MAJOR = "major", _("重大")
    EMERGENCY = "emergency", _("紧急")


class TimeUnit(models.TextChoices):
    WORKING_HOUR = "working_hour", _("工作小时")
    WORKING_DAY = "working_day", _("工作日")
    NATURAL_HOUR = "natural_hour", _("自然小时")


class CloseLevel(models.TextChoices):
    """The level whose staff may close (结案) an event of the rule's grade."""

    GRID = "grid", _("网格")
    TOWNSHIP = "township", _("乡镇（街道）")
    COUNTY = "county", _("区（县、市）")


class VersionState(models.TextChoices):
    """Entry (准入) states of one version of an item (Art. 13)."""

    DRAFT = "draft", _("草稿")
    PROPOSED = "proposed", _("已提议")
    REVIEWED = "reviewed", _("主管单位已审核")
    COSIGNED = "cosigned", _("机构编制已会签")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被新版本替代")
    REJECTED = "rejected", _("已退回")
    RETIRED = "retired", _("已退出")


class AttributeType(models.TextChoices):
    """Field types a report of an item may be asked to carry (like Open311 attributes)."""

    TEXT = "text", _("文本")
    NUMBER = "number", _("数字")
    DATE = "date", _("日期")
    SINGLE_CHOICE = "single", _("单选")
    MULTIPLE_CHOICE = "multiple", _("多选")


#: Version states whose version has been published at some time (in force on its dates).
EVER_PUBLISHED = (VersionState.PUBLISHED, VersionState.SUPERSEDED, VersionState.RETIRED)
#: Version states still on the way through entry review.
PENDING = (VersionState.PROPOSED, VersionState.REVIEWED, VersionState.COSIGNED)


class ExitState(models.TextChoices):
    """Exit (退出) states of an item (Art. 13): proposed → cosigned → approved → retired, as entry."""

    PROPOSED = "proposed", _("已提议退出")
    COSIGNED = "cosigned", _("机构编制已会签退出")
    APPROVED = "approved", _("已批准退出")
    REJECTED = "rejected", _("退出申请已退回")
    RETIRED = "retired", _("已退出")


class Step(models.TextChoices):
    """Steps written to the lifecycle log, one row each (who, when, opinion)."""

    PROPOSED = "proposed", _("提议")
    REVIEWED = "reviewed", _("主管单位审核")
    COSIGNED = "cosigned", _("机构编制会签")
    PUBLISHED = "published", _("发布")
    REJECTED = "rejected", _("退回")
    EXIT_PROPOSED = "exit_proposed", _("提议退出")
    EXIT_COSIGNED = "exit_cosigned", _("机构编制会签退出")
    EXIT_APPROVED = "exit_approved", _("批准退出")
    EXIT_REJECTED = "exit_rejected", _("退回退出申请")


#: Exit states of a live exit (at most one per item): on the way, approved, or done.
LIVE_EXIT = (ExitState.PROPOSED, ExitState.COSIGNED, ExitState.APPROVED, ExitState.RETIRED)
#: Exit states still on the way (the item stays on the list and may get new versions).
PENDING_EXIT = (ExitState.PROPOSED, ExitState.COSIGNED)
