"""The township's staff office (issue #18 item 1): add a person, give and end roles,
history, the printable grid list; scoped to the office's township (Art. 8, 15, 16)."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from personnel import scope, services
from personnel.models import Assignment, Staff
from tests.personnel.factories import StaffFactory, valid_id_number

pytestmark = pytest.mark.django_db

ID_NUMBER = valid_id_number(7, district="330203")


def _new(world, **over):
    data = {
        "name": "张网格",
        "id_number": ID_NUMBER,
        "mobile": "13955556666",
        "work_phone": "0574-87001111",
        "source": "",
        "duties": "巡查走访",
        "area": world.tree.grid2.pk,
        "role": "fulltime_worker",
        "start": "2025-06-09",
        "submission_key": "8d0e7f6a-1111-4c1a-9f6e-000000000001",
    }
    data.update(over)
    return data


def test_a_dispatcher_adds_a_person_stored_encrypted_and_shown_masked(client, world):
    client.force_login(world.dispatcher)
    url = reverse("staffoffice:staff-new", args=[world.tree.township.code])
    response = client.post(url, _new(world))
    assert response.status_code == 302
    staff = Staff.objects.get(name="张网格")
    assert staff.work_id.startswith("NB3302032025")
    assert Assignment.objects.get(staff=staff).area == world.tree.grid2
    with connection.cursor() as cursor:  # at rest: neither value in clear
        cursor.execute("SELECT mobile, id_number FROM personnel_staff WHERE id = %s", [staff.pk])
        raw = " ".join(cursor.fetchone())
    assert "13955556666" not in raw and ID_NUMBER not in raw
    page = client.get(response["Location"]).content.decode()
    assert "139****6666" in page and "13955556666" not in page and ID_NUMBER not in page
    # The same form sent again (a double tap) adds nobody.
    assert client.post(url, _new(world)).status_code == 302
    assert Staff.objects.filter(name="张网格").count() == 1


def test_bad_id_number_or_mobile_is_a_chinese_form_error_and_nothing_is_saved(client, world):
    client.force_login(world.dispatcher)
    url = reverse("staffoffice:staff-new", args=[world.tree.township.code])
    bad_check = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    response = client.post(url, _new(world, id_number=bad_check, mobile="1234"))
    body = response.content.decode()
    assert response.status_code == 400
    assert "校验位" in body and "手机号码应为11位" in body and "张网格" in body
    assert not Staff.objects.filter(name="张网格").exists()


def test_an_id_number_already_registered_is_refused(client, world):
    StaffFactory(id_number=ID_NUMBER)
    client.force_login(world.dispatcher)
    url = reverse("staffoffice:staff-new", args=[world.tree.township.code])
    response = client.post(url, _new(world))
    assert response.status_code == 400 and "已登记" in response.content.decode()


def test_another_township_cannot_see_or_change_this_townships_staff(client, world):
    staff = Staff.objects.get(user=world.worker)  # serves on grid (南门街道)
    client.force_login(world.dispatcher2)  # 江厦街道's dispatcher
    assert client.get(reverse("staffoffice:office", args=[world.tree.township.code])).status_code == 404
    assert client.get(reverse("staffoffice:record", args=[staff.pk])).status_code == 404
    assignment = Assignment.objects.get(staff=staff)
    assert client.post(reverse("staffoffice:assignment-end", args=[assignment.pk])).status_code == 404
    assert client.post(reverse("staffoffice:commend", args=[staff.pk]), {}).status_code == 404
    # His own office cannot place people on the other township's grids (not a choice; the
    # service refuses it too).
    url = reverse("staffoffice:staff-new", args=[world.tree.township2.code])
    response = client.post(url, _new(world))
    assert response.status_code == 400 and not Staff.objects.filter(name="张网格").exists()
    with pytest.raises(Exception, match="无权"):
        services.assignment_start(actor=world.dispatcher2, staff=staff, area=world.tree.grid, role="instructor")
    assert Assignment.objects.get(pk=assignment.pk).end is None


def test_a_grid_leader_does_not_appoint_colleagues(client, world):
    client.force_login(world.leader)
    assert client.get(reverse("staffoffice:index")).status_code == 403
    staff = Staff.objects.get(user=world.worker)
    assert client.get(reverse("staffoffice:record", args=[staff.pk])).status_code == 404


def test_one_grid_leader_at_a_time_and_replacing_ends_the_old_one(client, world):
    newcomer = StaffFactory(name="新网格长")
    services.assignment_start(actor=None, staff=newcomer, area=world.tree.grid2, role="parttime_worker")
    client.force_login(world.dispatcher)
    url = reverse("staffoffice:assign", args=[newcomer.pk])
    data = {"area": world.tree.grid.pk, "role": "grid_leader", "start": "2025-06-10"}
    response = client.post(url, {**data, "submission_key": "8d0e7f6a-1111-4c1a-9f6e-000000000002"})
    assert response.status_code == 400 and "该网格已有网格长" in response.content.decode()
    data.update(replace="on", submission_key="8d0e7f6a-1111-4c1a-9f6e-000000000003")
    assert client.post(url, data).status_code == 302
    old = Assignment.objects.get(staff__user=world.leader, role="grid_leader")
    assert old.end == datetime.date(2025, 6, 9)


def test_the_micro_grid_leader_rule_is_kept(client, world):
    person = StaffFactory()
    services.assignment_start(actor=None, staff=person, area=world.tree.grid2, role="parttime_worker")
    client.force_login(world.dispatcher)
    data = {
        "area": world.tree.micro_grid.pk,
        "role": "micro_grid_leader",
        "start": "2025-06-09",
        "submission_key": "8d0e7f6a-1111-4c1a-9f6e-000000000004",
    }
    response = client.post(reverse("staffoffice:assign", args=[person.pk]), data)
    assert response.status_code == 400 and "兼职网格员" in response.content.decode()


def test_ending_a_role_takes_effect_on_the_next_request_and_stays_in_the_history(client, world):
    staff = Staff.objects.get(user=world.worker)
    assignment = Assignment.objects.get(staff=staff)
    worker = client.__class__()
    worker.force_login(world.worker)
    grid_page = reverse("personnel:grid-staff", args=[world.tree.grid.code])
    assert worker.get(grid_page).status_code == 200
    client.force_login(world.dispatcher)
    response = client.post(reverse("staffoffice:assignment-end", args=[assignment.pk]), {"end": ""})
    assert response.status_code == 302
    assert not scope.has_area_perm(world.worker, "view_area", world.tree.grid)
    # The next request of the same session: signed out (a role ended, security.receivers);
    # signed in again, the grid is out of reach.
    assert worker.get(grid_page)["Location"].startswith("/accounts/login/")
    worker.force_login(world.worker)
    assert worker.get(grid_page).status_code == 404
    record = client.get(reverse("staffoffice:record", args=[staff.pk])).content.decode()
    assert "专职网格员 · 尹江岸第一网格 · 2020-01-01 — 2025-06-08" in record


def test_the_grid_staff_list_prints_without_personal_data(client, world):
    client.force_login(world.dispatcher)
    html = client.get(reverse("personnel:grid-staff-print", args=[world.tree.grid.code])).content.decode()
    assert "css/print.css" in html and "data-print" in html
    assert world.worker.username in html and "13800000001" not in html and "138****0001" not in html


def test_ending_a_parttime_worker_ends_their_micro_grid_leadership_on_the_next_request(client, world):
    """The micro-grid leader roles ended along with the part-time role (in bulk) stop at once
    as a single end does: grants gone, the session ended, each end in the security audit,
    and none ended before it began."""
    from security.models import SecurityEvent

    leader = world.micro_leader
    micro = Assignment.objects.get(staff__user=leader, role="micro_grid_leader")
    later = Assignment.objects.create(
        staff=micro.staff, area=micro.area, role="micro_grid_leader", start=datetime.date(2025, 7, 1)
    )
    parttime = Assignment.objects.create(
        staff=micro.staff, area=world.tree.micro_grid.parent, role="parttime_worker", start=micro.start
    )
    phone = client.__class__()
    phone.force_login(leader)
    page = reverse("personnel:grid-staff", args=[world.tree.micro_grid.code])
    assert phone.get(page).status_code == 200
    client.force_login(world.dispatcher)
    assert client.post(reverse("staffoffice:assignment-end", args=[parttime.pk]), {"end": ""}).status_code == 302
    micro.refresh_from_db()
    assert micro.end == datetime.date(2025, 6, 8)
    assert not Assignment.objects.filter(pk=later.pk).exists()  # would have ended before it began
    assert not scope.has_area_perm(leader, "keep_ledgers", world.tree.micro_grid)
    assert phone.get(page)["Location"].startswith("/accounts/login/")
    ended = SecurityEvent.objects.filter(kind="role_changed", target=f"assignment:{micro.pk}")
    assert ended.exists()
