"""The visit record form as the phone's offline draft kind "visit" (issues #15, #19): the page
declares the kind and loads the draft scripts, a draft sent twice (its answer lost) records
one visit and learns its address, and a refused one comes back with the reason."""

import pytest
from django.urls import reverse

from ledgers import services
from ledgers.models import Visit
from tests.ledgers.conftest import room_in

pytestmark = pytest.mark.django_db

KEY = "5f0d7a3e-8d51-4c1e-9a43-2f6b1e0c9d11"


@pytest.fixture
def household(world):
    return services.household_create(actor=world.worker, address=room_in(world.worker, world.tree.micro_grid))


def _url(household):
    return reverse("ledgers:visit-new", args=["household", household.pk])


def test_the_visit_form_keeps_offline_drafts(client, world, household):
    client.force_login(world.worker)
    html = client.get(_url(household)).content.decode()
    assert 'data-ng-draft="visit"' in html and 'data-ng-draft-now="visited_at"' in html
    assert f'action="{_url(household)}"' in html
    assert "mobile/form.js" in html and 'name="submission_key"' in html


def test_a_visit_draft_sent_twice_is_recorded_once(client, world, household):
    client.force_login(world.worker)
    form = {"visited_at": "2025-06-09T08:30", "findings": "老人身体尚好", "follow_up": "", "submission_key": KEY}
    first = client.post(_url(household), form, headers={"X-Ng-Draft": "1"})
    again = client.post(_url(household), form, headers={"X-Ng-Draft": "1"})  # the first answer was lost
    visit = Visit.objects.get()
    where = reverse("ledgers:visit", args=[visit.pk])
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"location": where} and again["X-Ng-Location"] == where
    assert visit.findings == "老人身体尚好" and visit.household_id == household.pk


def test_a_refused_visit_draft_comes_back_with_the_reason(client, world, household):
    client.force_login(world.worker)
    form = {"visited_at": "2099-01-01T10:00", "findings": "日期填错", "submission_key": KEY}
    refused = client.post(_url(household), form, headers={"X-Ng-Draft": "1"})
    assert "X-Ng-Location" not in refused  # the form again, with the reason (the outbox reads it)
    html = refused.content.decode()
    assert 'id="id_visited_at_error"' in html and "走访时间不能晚于现在" in html
    assert not Visit.objects.exists()
