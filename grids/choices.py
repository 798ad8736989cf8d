"""Choices of the area tree (Art. 2, 6, 7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Depth of a node in the one tree, top to bottom.

    The root is the province (a province-wide deployment, e.g. Zhejiang's 11 cities) or,
    for a single-city deployment such as Ningbo's, the city itself.
    """

    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("区（县、市）")
    TOWNSHIP = "township", _("乡镇（街道）")
    VILLAGE = "village", _("村（社区）")
    GRID = "grid", _("网格")
    MICRO_GRID = "micro_grid", _("微网格")


#: Each level's parent level; the root is the province, or a city without one.
PARENT_LEVEL = {
    Level.CITY: Level.PROVINCE,
    Level.COUNTY: Level.CITY,
    Level.TOWNSHIP: Level.COUNTY,
    Level.VILLAGE: Level.TOWNSHIP,
    Level.GRID: Level.VILLAGE,
    Level.MICRO_GRID: Level.GRID,
}

#: Levels that are statistical divisions (12-digit NBS code) rather than drawn grids.
DIVISION_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
#: Levels whose figures come from the per-county rollups (evaluation, ledgers).
ABOVE_TOWNSHIP = (Level.PROVINCE, Level.CITY, Level.COUNTY)
#: Levels that may be the root of the tree (a node without parent).
ROOT_LEVELS = (Level.PROVINCE, Level.CITY)
#: The level whose subtrees are spaced apart in the nested-set numbers (see
#: `grids.treebuild.number_tree` and `grids.models.AreaManager`): an insert below a
#: township renumbers that township's rows only (~400 at Zhejiang's size), not the
#: whole province's 560,000.
BAND_LEVEL = Level.TOWNSHIP
#: The levels above it, whose ranges hold those gaps (wider than their subtrees).
SPACED_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY)
GRID_LEVELS = (Level.GRID, Level.MICRO_GRID)


class VillageKind(models.TextChoices):
    """Whether a village-level division is a rural village or an urban community (Art. 2, 6)."""

    RURAL = "rural", _("行政村")
    URBAN = "urban", _("社区")


class GridType(models.TextChoices):
    """The three grid types of Art. 6."""

    URBAN = "urban", _("城市社区网格")
    RURAL = "rural", _("农村网格")
    DEDICATED = "dedicated", _("专属网格")


class Status(models.TextChoices):
    ACTIVE = "active", _("在用")
    RETIRED = "retired", _("已撤销")


class ChangeKind(models.TextChoices):
    """What an adjustment did (Art. 9 动态调整)."""

    IMPORT = "import", _("导入")
    CREATE = "create", _("新建")
    RENAME = "rename", _("更名")
    REDRAW = "redraw", _("调整范围")
    SPLIT = "split", _("拆分")
    MERGE = "merge", _("合并")
    RETIRE = "retire", _("撤销")
    HOTLINE = "hotline", _("变更监督电话")
    RULE = "rule", _("修改户数规则")
