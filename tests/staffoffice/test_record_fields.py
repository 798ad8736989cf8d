"""What the township types on a person's record is kept and shown: the source (来源, Art. 8)
and the accident insurance's last day (Art. 23), which puts a micro-grid leader on the
lapsed-insurance list the day after it runs out."""

import datetime

import pytest
from django.urls import reverse

from personnel.models import Staff
from tests.personnel.factories import valid_id_number

from .conftest import MONDAY_9

pytestmark = pytest.mark.django_db


def _post(client, url: str, data: dict) -> str:
    """POST a form that must succeed; returns the page it leads to (which shows its message)."""
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    return client.get(response["Location"]).content.decode()


def _add(client, world, **over) -> Staff:
    """Add a part-time worker of `grid` through the staff office's form; returns the record."""
    data = {
        "name": "李微格",
        "id_number": valid_id_number(23, district="330203"),
        "mobile": "13955550023",
        "work_phone": "",
        "source": "",
        "duties": "",
        "insurance_until": "",
        "area": world.tree.grid.pk,
        "role": "parttime_worker",
        "start": "2025-06-09",
        "submission_key": "8d0e7f6a-2222-4c1a-9f6e-000000000001",
        **over,
    }
    _post(client, reverse("staffoffice:staff-new", args=[world.tree.township.code]), data)
    return Staff.objects.get(name="李微格")


def _edit(client, staff: Staff, **over) -> str:
    """Change the record through its edit form (`staff_update`); returns the page shown after."""
    data = {"name": staff.name, "work_phone": "", "source": staff.source, "duties": "", "insurance_until": ""}
    return _post(client, reverse("personnel:staff-edit", args=[staff.pk]), {**data, **over})


def _lapsed(client) -> tuple[str, set[int]]:
    page = client.get(reverse("personnel:insurance-lapsed")).content.decode()
    api = {row["id"] for row in client.get("/api/v1/staff/?insurance_lapsed=true").json()["results"]}
    return page, api


def test_the_source_typed_in_the_office_is_kept_and_shown_on_the_record(client, world):
    client.force_login(world.dispatcher)
    staff = _add(client, world, source="village_cadre")
    assert staff.source == "village_cadre"
    record = client.get(reverse("staffoffice:record", args=[staff.pk])).content.decode()
    assert "村干部" in record
    _edit(client, staff, source="party_member")
    record = client.get(reverse("staffoffice:record", args=[staff.pk])).content.decode()
    assert "党员" in record and "村干部" not in record
    assert Staff.objects.get(pk=staff.pk).source == "party_member"


def test_an_insurance_end_recorded_and_changed_in_the_office_puts_the_leader_on_the_lapsed_list(client, world, clock):
    client.force_login(world.dispatcher)
    staff = _add(client, world, insurance_until="2025-12-31")
    assign = {
        "area": world.tree.micro_grid.pk,
        "role": "micro_grid_leader",
        "start": "2025-06-09",
        "submission_key": "8d0e7f6a-2222-4c1a-9f6e-000000000002",
    }
    _post(client, reverse("staffoffice:assign", args=[staff.pk]), assign)
    assert Staff.objects.get(pk=staff.pk).insurance_until == datetime.date(2025, 12, 31)
    page, api = _lapsed(client)
    assert "李微格" not in page and staff.pk not in api

    # The cover is renewed only to the end of July (the edit form, `staff_update`), which
    # opens on the recorded day in the phone's date picker.
    form = client.get(reverse("personnel:staff-edit", args=[staff.pk])).content.decode()
    assert 'type="date" name="insurance_until" value="2025-12-31"' in form
    _edit(client, staff, insurance_until="2025-07-31")
    assert Staff.objects.get(pk=staff.pk).insurance_until == datetime.date(2025, 7, 31)

    clock.move_to(datetime.datetime(2025, 7, 31, 23, 0, tzinfo=MONDAY_9.tzinfo))  # its last day, Beijing
    page, api = _lapsed(client)
    assert "李微格" not in page and staff.pk not in api
    clock.move_to(datetime.datetime(2025, 8, 1, 0, 30, tzinfo=MONDAY_9.tzinfo))  # the day after
    page, api = _lapsed(client)
    assert "李微格" in page and staff.pk in api
