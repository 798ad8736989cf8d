"""Choices for organisations, staff and roles (Art. 4, 5, 8, 15, 20)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    AUTHORITY = "authority", _("网格化主管单位")
    TOWNSHIP_OFFICE = "township_office", _("乡镇人民政府（街道办事处）")
    VILLAGE_COMMITTEE = "village_committee", _("村（居）民委员会")
    DEPARTMENT = "department", _("职能部门")
    MASS_ORGANISATION = "mass_organisation", _("群众团体")


class Department(models.TextChoices):
    """Departments of Art. 4 (plus those the catalogue names as responsible units)."""

    CIVIL_AFFAIRS = "civil_affairs", _("民政")
    AGRICULTURE = "agriculture", _("农业农村")
    FINANCE = "finance", _("财政")
    HUMAN_RESOURCES = "human_resources", _("人力资源社会保障")
    PUBLIC_SECURITY = "public_security", _("公安")
    STAFFING = "staffing", _("机构编制")
    PETITIONS = "petitions", _("信访")
    JUSTICE = "justice", _("司法行政")
    EMERGENCY = "emergency", _("应急管理")
    FIRE = "fire", _("消防救援")
    EDUCATION = "education", _("教育")
    ECOLOGY = "ecology", _("生态环境")
    HEALTH = "health", _("卫生健康")
    LAW_ENFORCEMENT = "law_enforcement", _("综合行政执法")
    BIG_DATA = "big_data", _("大数据")
    HOUSING = "housing", _("住房城乡建设")
    NATURAL_RESOURCES = "natural_resources", _("自然资源")
    MARKET_REGULATION = "market_regulation", _("市场监管")
    TRANSPORT = "transport", _("交通运输")
    WATER = "water", _("水利")
    GRID_AUTHORITY = "grid_authority", _("网格化主管单位")
    OTHER = "other", _("其他")


class GridRole(models.TextChoices):
    """Roles held on a grid or micro-grid node (Art. 8, 15)."""

    GRID_LEADER = "grid_leader", _("网格长")
    FULLTIME_WORKER = "fulltime_worker", _("专职网格员")
    PARTTIME_WORKER = "parttime_worker", _("兼职网格员")
    MICRO_GRID_LEADER = "micro_grid_leader", _("微网格长")
    INSTRUCTOR = "instructor", _("网格指导员")


class PlatformRole(models.TextChoices):
    """Roles a user holds for an organisation on the platform."""

    DISPATCHER = "dispatcher", _("乡镇（街道）调度员")
    HANDLER = "handler", _("承办单位工作人员")
    SUPERVISOR = "supervisor", _("主管单位督办员")
    CATALOG_ADMIN = "catalog_admin", _("事项清单管理员")
    STAFFING_OFFICER = "staffing_officer", _("机构编制会签人")
    CALENDAR_ADMIN = "calendar_admin", _("工作日历管理员")


class WorkingPattern(models.TextChoices):
    """When a handling unit works, for the clocks of events dispatched to it (Art. 17).

    `calendar`: the working-day calendar and `settings.WORKING_HOURS`; `every_day`: the
    same hours on every date, weekends and holidays included; `round_the_clock`: all
    time counts (24 × 7, e.g. the 12345 hotline's duty desk or emergency services).
    """

    CALENDAR = "calendar", _("法定工作日")
    EVERY_DAY = "every_day", _("每天（含周末、节假日）")
    ROUND_THE_CLOCK = "round_the_clock", _("全天候（7×24小时）")


class StaffSource(models.TextChoices):
    """Where a grid staff member comes from (Art. 8)."""

    COMMUNITY_WORKER = "community_worker", _("社区专职工作者")
    VILLAGE_CADRE = "village_cadre", _("村干部")
    TOWNSHIP_RECRUIT = "township_recruit", _("乡镇（街道）统一招聘")
    PARTY_MEMBER = "party_member", _("党员")
    RESIDENT_REPRESENTATIVE = "resident_representative", _("村（居）民代表")
    GROUP_LEADER = "group_leader", _("小组长")
    BUILDING_HEAD = "building_head", _("楼道（栋）长")
    VOLUNTEER = "volunteer", _("志愿者")
    GOVERNMENT_CADRE = "government_cadre", _("机关干部")
    STATE_ENTERPRISE_MANAGER = "state_enterprise_manager", _("国有企事业单位管理人员")


class TrainingTier(models.TextChoices):
    """Who organised a training: the tiers of Art. 21 (分级培训)."""

    CITY = "city", _("市级")
    DISTRICT = "district", _("区（县、市）级")
    TOWNSHIP = "township", _("乡镇（街道）级")


class Specialty(models.TextChoices):
    """What a grid service team member brings (Art. 20)."""

    LAWYER = "lawyer", _("律师")
    MEDIATOR = "mediator", _("调解员")
    POLICE_OFFICER = "police_officer", _("民警")
    PSYCHOLOGIST = "psychologist", _("心理咨询师")
    JUDGE = "judge", _("法官")
    PROSECUTOR = "prosecutor", _("检察官")
    LAW_ENFORCEMENT_OFFICER = "law_enforcement_officer", _("执法队员")
    PROPERTY_MANAGER = "property_manager", _("物业服务人员")
    VOLUNTEER = "volunteer", _("志愿者")
    DEPUTY = "deputy", _("人大代表、政协委员")
    OTHER = "other", _("其他")


class PersonalField(models.TextChoices):
    """Personal-data fields of a staff record that are masked unless unmasked (Art. 16)."""

    MOBILE = "mobile", _("手机号码")
    ID_NUMBER = "id_number", _("身份证号码")


class AccessedField(models.TextChoices):
    """What an access-log row (`PersonalDataAccess.field`) says was revealed.

    A staff member's mobile or ID number (`PersonalField`, Art. 16), or the contact
    (name and phone together) of the citizen behind a demand or complaint (Art. 10, 19).
    """

    MOBILE = PersonalField.MOBILE.value, PersonalField.MOBILE.label
    ID_NUMBER = PersonalField.ID_NUMBER.value, PersonalField.ID_NUMBER.label
    CONTACT = "contact", _("诉求人姓名和电话")
    # A resident of the ledgers (ledgers.services): an exact-ID search and an export of personal data.
    ID_SEARCH = "id_search", _("按证件号码精确查询")
    EXPORT = "export", _("导出个人信息")
