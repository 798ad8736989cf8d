"""District and city ledger statistics come from the townships' rollups; a township is counted live."""

import pytest
from rest_framework.test import APIClient

from ledgers import rollups, services
from ledgers.stats import area_statistics
from ledgers.tasks import rollup_refresh

from .conftest import make_id

pytestmark = pytest.mark.django_db


def test_a_district_sums_its_townships_rollups_until_the_next_refresh(lw, client):
    w, tree = lw.world, lw.world.tree
    assert rollup_refresh() >= 2  # every township, the empty sibling included
    county = rollups.statistics_for(tree.county)
    live = area_statistics(tree.county)
    assert county["as_of"] is not None
    assert {k: county[k] for k in live} == live  # the same figures as counting the district live
    assert county["care_targets"] == 1 and county["residents_by_registration"] == {"registered": 1}
    services.person_register(
        actor=w.worker, name="孙老伯", id_number=make_id(5, "19380101"), registration="migrant", residence=lw.room
    )
    # The township is live at once; the district waits for the next refresh.
    assert rollups.statistics_for(tree.township)["residents_by_registration"] == {"registered": 1, "migrant": 1}
    assert rollups.statistics_for(tree.township)["as_of"] is None
    assert rollups.statistics_for(tree.county)["residents_by_registration"] == {"registered": 1}
    rollup_refresh()
    assert rollups.statistics_for(tree.county)["residents_by_registration"] == {"registered": 1, "migrant": 1}
    assert rollups.statistics_for(tree.county2)["care_targets"] == 0  # the other district: nothing of ours


def test_the_district_page_and_api_say_when_the_figures_were_summed(lw, client):
    rollup_refresh()
    w = lw.world
    client.force_login(w.supervisor)
    page = client.get("/ledgers/stats/", {"area": w.tree.county.code})
    assert page.status_code == 200 and 'id="as-of"' in page.content.decode()
    api = APIClient()
    api.force_authenticate(w.supervisor)
    county = api.get("/api/v1/ledgers/statistics/", {"area": w.tree.county.code}).json()
    assert county["as_of"] is not None and county["care_targets"] == 1
    township = api.get("/api/v1/ledgers/statistics/", {"area": w.tree.township.code}).json()
    assert township["as_of"] is None and township["care_targets"] == 1
