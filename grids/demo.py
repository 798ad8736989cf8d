"""Demo grids drawn on the imported divisions, the way Zhejiang practice draws them (Art. 6, 7).

- Urban communities: residential grids of about 300–500 households, named
  `<社区>第N网格`, each cut into micro-grids of 30–80 households (`…第N网格M号微网格`,
  a building block or stairwell group each).
- Rural villages: one grid per natural village (自然村), micro-grids by villager group
  (村民小组).
- A few dedicated grids (专属网格) for parks, office towers, markets and industrial parks.
- One supervision hotline (监督电话) per township, printed on each of its grids.

`--scale demo` fills 海曙区 (330203000000); `--scale ningbo` the whole city (about
15,000 grids and 100,000 micro-grids). Everything is drawn from `rng`, in code order,
so the same seed gives the same codes, names and numbers. A village that already has
grids is skipped (its draws still consumed), so a second run creates nothing. Seeded
nodes get no `AreaChange` rows: they are the starting state, not an adjustment.
"""

import datetime
import time

from django.core.management.base import CommandError

from . import demo_boundaries
from .choices import GridType, Level, VillageKind
from .models import Area
from .treebuild import bulk_insert

SCALE_ROOTS = {"demo": "330203000000", "ningbo": "330200000000"}
EFFECTIVE_FROM = datetime.date(2024, 1, 1)
MICRO_AVERAGE = 55  # households per micro-grid, aimed for

ROADS = [
    "中山路",
    "解放路",
    "开明街",
    "县学街",
    "苍水街",
    "柳汀街",
    "望京路",
    "环城西路",
    "丽园路",
    "气象路",
    "翠柏路",
    "长春路",
    "永丰路",
    "新典路",
    "联丰路",
    "段塘路",
    "鄞县大道",
    "机场路",
    "集士港路",
    "望春路",
]
ESTATES = [
    "锦园",
    "怡景苑",
    "丽江花园",
    "翠柏里",
    "春江花城",
    "蓝庭",
    "芝兰苑",
    "金色水岸",
    "新都花园",
    "桂花园",
    "汇豪",
    "天一家园",
    "南苑新村",
    "清风里",
    "华兴苑",
]
SURNAMES = [
    "张",
    "王",
    "李",
    "陈",
    "周",
    "徐",
    "胡",
    "林",
    "应",
    "邬",
    "虞",
    "俞",
    "蒋",
    "郑",
    "柴",
    "竺",
    "施",
    "毛",
    "孙",
    "黄",
]
PLACES = ["家", "岙", "家岙", "家桥", "家埭", "家湾", "村", "家山", "岭下", "家塘"]
DIRECTIONS = ["上", "下", "前", "后", "东", "西", "里", "外", "", ""]
DEDICATED = [
    ("公园", "占地约{n}公顷", (5, 60)),
    ("商务楼宇", "楼宇{n}幢，入驻企业约{m}家", (2, 8)),
    ("农贸市场", "摊位约{m}个", (1, 1)),
    ("工业园区", "规上企业约{m}家", (1, 1)),
]


def seed(*, scale: str, rng, stdout) -> None:
    """Create the demo grids for `scale` ("demo" or "ningbo"); see the module docstring.

    Raises CommandError if the divisions are not imported yet.
    """
    started = time.monotonic()
    root = Area.objects.filter(code=SCALE_ROOTS[scale]).first()
    if root is None:
        raise CommandError("the divisions are not imported: run `manage.py import_divisions` first")
    townships = list(Area.objects.within(root).filter(level=Level.TOWNSHIP).order_by("code"))
    hotlines = {}
    for township in townships:
        hotlines[township.pk] = f"0574-{rng.randint(8700_0000, 8899_9999)}"
        if not township.supervision_phone:
            township.supervision_phone = hotlines[township.pk]
            township.save(update_fields=["supervision_phone"])
    filled = set(Area.objects.within(root).filter(level=Level.GRID).values_list("parent_id", flat=True))
    new_nodes: list[Area] = []
    villages = Area.objects.within(root).filter(level=Level.VILLAGE).order_by("code")
    for village in villages.only("pk", "code", "name", "village_kind", "parent_id", "tree_id", "lft", "rght"):
        drawn = _draw_village(village, rng, hotlines[village.parent_id])
        if village.pk not in filled:
            new_nodes += drawn
    created = bulk_insert(new_nodes)
    demo_boundaries.draw(root=Area.objects.get(pk=root.pk), stdout=stdout)
    grids = sum(1 for node in new_nodes if node.level == Level.GRID)
    stdout.write(
        f"grids: {root.name} +{grids} grids, +{created - grids} micro-grids in {time.monotonic() - started:.1f}s"
        + ("" if created else " (already seeded)")
    )


def _short(village: Area) -> str:
    """The everyday name of a village-level division: 尹江岸社区居委会 → 尹江岸社区, 前王村委会 → 前王村."""
    name = village.name
    for suffix, replacement in (("社区居委会", "社区"), ("居民委员会", "社区"), ("居委会", "社区")):
        if name.endswith(suffix):
            return name[: -len(suffix)] + replacement
    for suffix in ("村民委员会", "村委会"):
        if name.endswith(suffix):
            return name[: -len(suffix)] + "村"
    return name


def _node(parent: Area, number: int, level: str, name: str, **fields) -> Area:
    return Area(
        parent=parent,
        code=f"{parent.code}{number:03d}",
        level=level,
        name=name,
        effective_from=EFFECTIVE_FROM,
        **fields,
    )


def _split_households(total: int, rng) -> list[int]:
    """`total` households in micro-grids of about 30–80 each (sums to `total`)."""
    count = max(1, round(total / MICRO_AVERAGE))
    parts = [total // count] * count
    for i in range(total % count):
        parts[i] += 1
    for i in range(count - 1):
        shift = rng.randint(-8, 8)
        parts[i] += shift
        parts[i + 1] -= shift
    return parts


def _draw_village(village: Area, rng, hotline: str) -> list[Area]:
    base = _short(village)
    nodes: list[Area] = []
    urban = village.village_kind == VillageKind.URBAN
    plans = _draw_urban(base, rng) if urban else _draw_rural(base, rng)
    if rng.random() < (0.15 if urban else 0.04):
        plans.append(_draw_dedicated(base, rng, urban))
    for number, (name, grid_type, households, scale, description, micro) in enumerate(plans, start=1):
        grid = _node(
            village,
            number,
            Level.GRID,
            name,
            grid_type=grid_type,
            households=households,
            scale=scale,
            area_description=description,
            supervision_phone=hotline,
        )
        nodes.append(grid)
        for m, (m_households, m_description) in enumerate(micro, start=1):
            nodes.append(
                _node(
                    grid,
                    m,
                    Level.MICRO_GRID,
                    f"{name}{m}号微网格",
                    grid_type=grid_type,
                    households=m_households,
                    area_description=m_description,
                    supervision_phone=hotline,
                )
            )
    return nodes


def _draw_urban(base: str, rng) -> list[tuple]:
    total = rng.randint(1800, 4200)
    plans = []
    for n in range(1, max(2, round(total / 400)) + 1):
        households = rng.randint(300, 500)
        road, estate = rng.choice(ROADS), rng.choice(ESTATES)
        first = rng.randint(1, 120)
        description = f"{road}{first}号至{first + rng.randint(20, 80)}号，{estate}"
        block = 1
        micro = []
        for part in _split_households(households, rng):
            blocks = rng.randint(1, 3)
            micro.append((part, f"{estate}{block}–{block + blocks - 1}幢" if blocks > 1 else f"{estate}{block}幢"))
            block += blocks
        plans.append((f"{base}第{n}网格", GridType.URBAN, households, "", description, micro))
    return plans


def _draw_rural(base: str, rng) -> list[tuple]:
    plans = []
    used = set()
    group = 1
    for _ in range(rng.randint(2, 6)):
        natural = rng.choice(DIRECTIONS) + rng.choice(SURNAMES) + rng.choice(PLACES)
        if natural in used:
            continue
        used.add(natural)
        households = rng.randint(180, 480)
        micro = []
        for part in _split_households(households, rng):
            micro.append((part, f"第{group}村民小组"))
            group += 1
        plans.append((f"{base}{natural}网格", GridType.RURAL, households, "", f"{natural}自然村", micro))
    return plans


def _draw_dedicated(base: str, rng, urban: bool) -> tuple:
    kind, scale, (low, high) = rng.choice(DEDICATED[:3] if urban else DEDICATED[3:])
    place = base.removesuffix("社区").removesuffix("村")
    scale = scale.format(n=rng.randint(low, high), m=rng.randint(20, 200))
    return (f"{place}{kind}专属网格", GridType.DEDICATED, None, scale, f"{place}{kind}及其管理范围", [])
