"""The demo seed and `import_catalogue` load the 43 seed items as published city items."""

import io
import random

import pytest
from django.core.management import call_command

from catalog import demo
from catalog.choices import ExitState, Grade, ItemKind, TimeUnit, VersionState
from catalog.models import ItemExit, ServiceItem, ServiceItemVersion
from tests.factories import UserFactory
from tests.scenario import make_tree

pytestmark = pytest.mark.django_db


def test_seed_publishes_the_43_items_and_stages_review_and_exit():
    make_tree()
    demo.seed(scale="demo", rng=random.Random(1), stdout=io.StringIO())
    published = ServiceItemVersion.objects.filter(state=VersionState.PUBLISHED)
    assert published.filter(item__level="city").count() == 43
    disputes = published.get(item__code="04-001")
    general, serious, major, emergency = (disputes.rule_for(g) for g in Grade.values)
    assert (general.accept_limit, general.complete_limit, general.complete_unit) == (8, 5, TimeUnit.WORKING_DAY)
    assert serious.complete_limit == 3 and major.complete_limit == 2.5 and major.accept_limit == 4
    assert emergency.accept_unit == TimeUnit.NATURAL_HOUR and emergency.complete_limit == 24
    assert general.close_level == "township" and major.close_level == "county" and general.warning_ratio == 0.75
    assert {a["code"] for a in disputes.attributes} >= {"parties", "dispute_type"}
    duty = published.filter(kind=ItemKind.DUTY).first()
    assert all(r.accept_limit is None for r in duty.rules.all())
    district_item = ServiceItem.objects.get(level="district")
    assert district_item.versions.get().state == VersionState.REVIEWED
    assert ItemExit.objects.get().state == ExitState.PROPOSED


def test_a_second_seed_says_what_is_in_force_not_zero_published():
    make_tree()
    first, second = io.StringIO(), io.StringIO()
    demo.seed(scale="demo", rng=random.Random(1), stdout=first)
    demo.seed(scale="demo", rng=random.Random(1), stdout=second)
    assert "43 items published now" in first.getvalue()
    assert "0 items published now" in second.getvalue()
    in_force = second.getvalue().split("now, ")[1].split(" in force")[0]
    assert int(in_force) >= 43


def test_seeded_items_render_in_the_admin_pages(client):
    make_tree()
    demo.seed(scale="demo", rng=random.Random(1), stdout=io.StringIO())
    client.force_login(UserFactory(username="root", is_superuser=True))
    for url in ("/catalog/", "/catalog/items/04-001/", "/catalog/items/06-101/", "/catalog/items/01-004/"):
        assert client.get(url).status_code == 200, url
    assert "初始清单导入" in client.get("/catalog/items/04-001/").content.decode()


def test_import_catalogue_command_is_safe_to_rerun():
    out = io.StringIO()
    call_command("import_catalogue", "catalog/data/catalogue-seed.csv", stdout=out)
    call_command("import_catalogue", "catalog/data/catalogue-seed.csv", stdout=out)
    assert "43 items loaded" in out.getvalue() and "0 items loaded" in out.getvalue()
    assert ServiceItem.objects.count() == 43
