"""Dispatching help (issue #18 item 8, Art. 17): the lead unit suggested from the item's
responsible department at the event's level; the unit picker grouped by level."""

import re

import pytest
from django.urls import reverse

from events import services
from events.forms import DispatchForm
from events.selectors import suggested_lead_unit
from personnel.choices import OrgKind
from personnel.models import Organisation
from tests.events_api.conftest import api_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureaus(world):
    """The city bureau of the item's department (综合行政执法), besides the district's (world.unit)."""
    city = Organisation.objects.create(
        name="宁波市综合行政执法局", kind=OrgKind.DEPARTMENT, department="law_enforcement", area=world.tree.city
    )
    return city


def _accepted(world):
    event = world.report()
    return services.event_accept(actor=world.dispatcher, event=event.pk)


def test_a_township_event_suggests_the_district_bureau_not_the_city_one(world, bureaus):
    event = _accepted(world)
    assert event.item_version.department == "law_enforcement"
    assert suggested_lead_unit(event) == world.unit  # 海曙区综合行政执法局, not 宁波市…


def test_the_townships_own_office_of_that_line_comes_first_but_not_once_escalated(world, bureaus):
    squad = Organisation.objects.create(
        name="南门街道综合行政执法中队",
        kind=OrgKind.DEPARTMENT,
        department="law_enforcement",
        area=world.tree.township,
    )
    Organisation.objects.create(  # another township's squad never covers this event
        name="江厦街道综合行政执法中队",
        kind=OrgKind.DEPARTMENT,
        department="law_enforcement",
        area=world.tree.township2,
    )
    event = _accepted(world)
    assert suggested_lead_unit(event) == squad
    event.level = "county"
    assert suggested_lead_unit(event) == world.unit


def test_no_unit_of_the_department_suggests_nothing(world):
    event = _accepted(world)
    Organisation.objects.filter(department="law_enforcement").update(is_active=False)
    assert suggested_lead_unit(event) is None
    assert "lead_unit" not in DispatchForm(event=event, prefix="dispatch").initial


def test_the_picker_is_grouped_by_level_searchable_and_starts_at_the_suggestion(client, world, bureaus):
    event = _accepted(world)
    client.force_login(world.dispatcher)
    html = client.get(reverse("events:detail", args=[event.number])).content.decode()
    lead = re.search(r'<select name="dispatch-lead_unit".*?</select>', html, re.S).group()
    assert "data-ng-unit-search" in lead
    groups = re.findall(r'<optgroup label="([^"]+)">', lead)
    assert groups == ["市", "区（县、市）", "乡镇（街道）"]
    county_group = lead.split('<optgroup label="区（县、市）">')[1].split("</optgroup>")[0]
    assert re.search(rf'<option value="{world.unit.pk}" selected>', county_group)
    assert f'<option value="{bureaus.pk}">' in lead  # the city bureau: offered, not chosen
    assert "建议：海曙区综合行政执法局" in html
    assert "js/unit-search" in html and "cdn" not in html.lower()


def test_the_api_gives_the_same_choices_and_suggestion_to_a_dispatcher_only(world, bureaus):
    event = _accepted(world)
    url = f"/api/v1/events/{event.number}/dispatch-units/"
    response = api_as(world.dispatcher).get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["suggested"] == world.unit.pk
    assert [g["label"] for g in body["groups"]] == ["市", "区（县、市）", "乡镇（街道）"]
    ids = {u["id"] for g in body["groups"] for u in g["units"]}
    assert {world.unit.pk, bureaus.pk, world.township_office.pk} <= ids and world.other_unit.pk not in ids
    assert api_as(world.handler).get(url).status_code in (403, 404)
