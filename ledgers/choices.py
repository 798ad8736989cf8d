"""Choices of the ledgers (一标三实, Art. 12(2))."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AddressKind(models.TextChoices):
    """The segments of a standard address, from the road down to the room."""

    ROAD = "road", _("街路巷")
    DOOR = "door", _("门楼牌号")
    VILLAGE = "village", _("自然村")
    HOUSE = "house", _("村民房屋号")
    BUILDING = "building", _("楼栋")
    ENTRANCE = "entrance", _("单元")
    ROOM = "room", _("户室")


#: Which kinds may hang below which (None: directly on the micro-grid).
ALLOWED_PARENTS: dict[str, tuple] = {
    AddressKind.ROAD: (None,),
    AddressKind.VILLAGE: (None,),
    AddressKind.DOOR: (AddressKind.ROAD,),
    AddressKind.HOUSE: (AddressKind.VILLAGE,),
    AddressKind.BUILDING: (AddressKind.DOOR, AddressKind.HOUSE),
    AddressKind.ENTRANCE: (AddressKind.BUILDING,),
    AddressKind.ROOM: (AddressKind.ENTRANCE, AddressKind.BUILDING, AddressKind.DOOR, AddressKind.HOUSE),
}


class AddressChangeKind(models.TextChoices):
    CREATE = "create", _("新增")
    RENAME = "rename", _("更名")
    MOVE = "move", _("随网格调整迁移")
    MERGE = "merge", _("合并")
    RETIRE = "retire", _("注销")


class DwellingUse(models.TextChoices):
    OWNER = "owner", _("自住")
    RENTED = "rented", _("出租")
    VACANT = "vacant", _("空置")
    COMMERCIAL = "commercial", _("经营")
    MIXED = "mixed", _("混合")


class DocType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    PERMANENT_RESIDENCE = "permanent_residence", _("外国人永久居留身份证")
    OTHER = "other", _("其他证件")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Registration(models.TextChoices):
    REGISTERED = "registered", _("户籍人口")
    MIGRANT = "migrant", _("流动人口")
    FOREIGN = "foreign", _("境外人员")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙辈")
    OTHER = "other", _("其他")


class PersonStatus(models.TextChoices):
    PRESENT = "present", _("在册")
    MOVED_OUT = "moved_out", _("迁出本市")
    DECEASED = "deceased", _("死亡")


class Sensitivity(models.TextChoices):
    """Who may see a care tag: anyone in scope, those who may see personal data, or only
    the organisations granted the tag (public-safety work, e.g. 社区矫正)."""

    NORMAL = "normal", _("一般")
    SENSITIVE = "sensitive", _("敏感")
    RESTRICTED = "restricted", _("限定授权")


class UnitKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    SHOP = "shop", _("个体工商户/门店")
    ORGANISATION = "organisation", _("机关事业单位/社会组织")
    OTHER = "other", _("其他")


class SafetyClass(models.TextChoices):
    """Fire-safety class of a unit: the nine small venues (九小场所), key units, others."""

    GENERAL = "general", _("一般单位")
    NINE_SMALL = "nine_small", _("九小场所")
    KEY = "key", _("消防安全重点单位")


class VisitTarget(models.TextChoices):
    HOUSEHOLD = "household", _("家庭")
    PERSON = "person", _("人员")
    UNIT = "unit", _("单位")
