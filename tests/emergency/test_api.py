"""The API under /api/v1/emergency/: activate, steps from the table, scope, idempotency."""

import pytest

from emergency.models import CheckIn, Response

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
URL = "/api/v1/emergency/"


def test_activate_once_per_key_then_check_in_over_the_api(client, world, leader2):
    client.force_login(world.supervisor)
    body = {
        "area": world.tree.township.code,
        "hazard": "flood",
        "level": "III",
        "title": "防汛",
        "instructions": "巡查",
    }
    first = client.post(URL + "responses/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(URL + "responses/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert Response.objects.count() == 1 and first.json()["id"] == again.json()["id"]
    pk = first.json()["id"]
    checkins = client.get(f"{URL}responses/{pk}/checkins/").json()
    assert sorted(c["area"] for c in checkins) == sorted(
        [world.tree.grid.code, world.tree.grid2.code, world.tree.micro_grid.code]
    )
    checkin = CheckIn.objects.get(response_id=pk, area=world.tree.grid)
    client.force_login(world.leader)
    url = f"{URL}checkins/{checkin.pk}/"
    required = client.post(url + "acknowledge/", {}, content_type="application/json")
    assert required.status_code == 428 and "应急签到" in required.json()["detail"]
    assert "事件" not in required.json()["detail"]
    assert client.post(url + "acknowledge/", {"version": 1}, content_type="application/json").status_code == 200
    stale = client.post(url + "acknowledge/", {"version": 1}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert "应急签到" in stale.json()["detail"] and "事件" not in stale.json()["detail"]
    wrong = client.post(
        url + "report/", {"version": 2, "on_duty": "3", "to_transfer": 1}, content_type="application/json"
    )
    assert wrong.status_code == 400 and "on_duty" in wrong.json()["errors"]
    done = client.post(url + "report/", {"version": 2, "on_duty": 3, "to_transfer": 1}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "reported"
    client.force_login(world.supervisor)
    raised = client.post(f"{URL}responses/{pk}/raise/", {"version": 1, "level": "I"}, content_type="application/json")
    assert raised.status_code == 200 and raised.json()["level"] == "I"
    again = client.post(f"{URL}responses/{pk}/raise/", {"version": 1, "level": "I"}, content_type="application/json")
    assert again.status_code == 409 and "该应急响应已被他人" in again.json()["detail"]
    kinds = [r["kind"] for r in client.get(f"{URL}responses/{pk}/timeline/").json()]
    assert kinds == ["activate", "acknowledge", "report", "raise"]


def test_out_of_reach_is_404_and_a_grid_leader_may_not_activate(client, world, leader2, response):
    client.force_login(world.other_supervisor)
    assert client.get(f"{URL}responses/{response.pk}/").status_code == 404
    checkin = CheckIn.objects.filter(response=response).first()
    assert (
        client.post(
            f"{URL}checkins/{checkin.pk}/acknowledge/", {"version": 1}, content_type="application/json"
        ).status_code
        == 404
    )
    client.force_login(world.leader)
    body = {"area": world.tree.county.code, "hazard": "fire", "level": "I", "title": "x", "instructions": "y"}
    assert client.post(URL + "responses/", body, content_type="application/json").status_code == 403


def test_a_step_whose_body_is_not_an_object_is_400(client, world):
    client.force_login(world.supervisor)
    body = {
        "area": world.tree.township.code,
        "hazard": "flood",
        "level": "III",
        "title": "防汛",
        "instructions": "巡查",
    }
    pk = client.post(URL + "responses/", body, content_type="application/json").json()["id"]
    for raw in ("null", "123"):
        response = client.post(f"{URL}responses/{pk}/raise/", raw, content_type="application/json")
        assert response.status_code == 400 and response.json()["code"] == "invalid", response.content
    assert Response.objects.get(pk=pk).version == 1


def test_the_board_over_the_api_counts_per_township_and_lists_a_townships_pending_grids(client, world, response):
    from emergency import services

    checkin = CheckIn.objects.get(response=response, area=world.tree.grid)
    services.checkin_acknowledge(actor=world.leader, checkin=checkin, version=1)
    client.force_login(world.supervisor)
    board = client.get(f"{URL}responses/{response.pk}/board/").json()
    assert board == [
        {
            "township": world.tree.township.code,
            "name": "南门街道",
            "total": 3,
            "checked_in": 1,
            "reported": 0,
            "missed": 0,
            "to_transfer": 0,
            "open_events": 0,
        }
    ]
    pending = client.get(
        f"{URL}responses/{response.pk}/checkins/", {"township": world.tree.township.code, "show": "pending"}
    )
    assert sorted(c["area"] for c in pending.json()) == sorted([world.tree.grid2.code, world.tree.micro_grid.code])
    other = client.get(f"{URL}responses/{response.pk}/checkins/", {"township": world.tree.township2.code})
    assert other.json() == []
    wrong = client.get(f"{URL}responses/{response.pk}/checkins/", {"show": "late"})
    assert wrong.status_code == 400 and "show" in wrong.json()["errors"]


def test_activating_over_an_active_response_is_a_400_naming_it(client, world, leader2, response):
    client.force_login(world.supervisor)
    body = {"area": world.tree.township.code, "hazard": "typhoon", "level": "I", "title": "x", "instructions": "y"}
    refused = client.post(URL + "responses/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert refused.status_code == 400 and "台风“梅花”防御" in refused.json()["errors"]["area"][0]
    assert Response.objects.count() == 1
