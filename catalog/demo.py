"""Demo data of the catalogue: the 43 seed items, one district item in review, one item in exit.

Uses the personnel demo's users and organisations when they exist (`catalogadmin`,
`staffing`, 海曙区's authority); otherwise the steps are recorded without an actor.
"""

import datetime

from django.contrib.auth import get_user_model

from grids.models import Area

from . import selectors
from .choices import Category, ExitState, ItemKind, ListLevel, Step, TimeUnit, VersionState
from .importing import read_seed_csv
from .models import ItemExit, LifecycleStep, ServiceItem, ServiceItemVersion
from .services.loading import catalogue_load
from .services.rules import rules_from_general

SEED_EFFECTIVE = datetime.date(2026, 1, 1)

#: Report fields for a few items (code → attributes).
DEMO_ATTRIBUTES = {
    "04-001": [
        {"code": "parties", "label": "当事人数", "type": "number", "required": True},
        {
            "code": "dispute_type",
            "label": "纠纷类型",
            "type": "single",
            "required": True,
            "choices": [
                {"key": "family", "label": "婚姻家庭"},
                {"key": "neighbour", "label": "邻里"},
                {"key": "property", "label": "物业"},
                {"key": "other", "label": "其他"},
            ],
        },
        {"code": "first_noticed", "label": "发现日期", "type": "date", "required": False},
    ],
}


def _user(username):
    return get_user_model().objects.filter(username=username).first()


def seed(*, scale, rng, stdout) -> None:
    """Load the seed list (published from 2026-01-01) and stage two lifecycle examples."""
    versions = catalogue_load(rows=read_seed_csv(), effective_date=SEED_EFFECTIVE)
    for version in versions:
        attributes = DEMO_ATTRIBUTES.get(version.item.code)
        if attributes is None and version.category == Category.DISPUTES_AND_HAZARDS and version.kind == "event":
            attributes = [{"code": "parties", "label": "涉及人数", "type": "number", "required": False}]
        if attributes:
            version.attributes = attributes
            version.save(update_fields=["attributes"])
    admin = _user("catalogadmin")
    _district_item_in_review(admin)
    _city_item_in_exit(admin)
    in_force = selectors.items_in_force().count()
    # A second run publishes nothing new: say what is in force rather than "0 published items".
    stdout.write(
        f"catalog: {len(versions)} items published now, {in_force} in force; 1 district item in review, 1 item in exit"
    )


def _district_item_in_review(admin) -> None:
    """海曙区 proposes a district item; its authority has reviewed it; co-signing is pending."""
    district = Area.objects.filter(level="county", name="海曙区").first()
    if district is None or ServiceItem.objects.filter(level=ListLevel.DISTRICT).exists():
        return
    item = ServiceItem.objects.create(code="06-101", level=ListLevel.DISTRICT, district=district)
    version = ServiceItemVersion.objects.create(
        item=item,
        number=1,
        name="老旧小区加装电梯意愿摸排",
        name_en="Surveying residents on lift retrofits in old estates",
        category=Category.SERVICES,
        kind=ItemKind.EVENT,
        description="协助街道摸排老旧小区加装电梯的居民意愿并报送。",
        guidance="入户或线上征询，按单元记录同意户数。",
        department="housing",
        state=VersionState.REVIEWED,
        proposed_by=admin,
    )
    for rule in rules_from_general(ItemKind.EVENT, 8, 10, TimeUnit.WORKING_DAY):
        version.rules.create(**rule)
    for step, opinion in ((Step.PROPOSED, "海曙区住建局提议纳入区级清单"), (Step.REVIEWED, "同意，报区委编办会签")):
        LifecycleStep.objects.create(item=item, version=version, step=step, actor=admin, opinion=opinion)


def _city_item_in_exit(admin) -> None:
    """One duty item of category 1 has an exit proposal waiting for the staffing office's co-signature."""
    item = ServiceItem.objects.filter(code="01-004").first()
    if item is None or item.exits.exists():
        return
    item_exit = ItemExit.objects.create(
        item=item, state=ExitState.PROPOSED, reasons="应急演练组织已由应急管理部门统一承担，建议退出清单。"
    )
    LifecycleStep.objects.create(
        item=item, item_exit=item_exit, step=Step.EXIT_PROPOSED, actor=admin, opinion=item_exit.reasons
    )
