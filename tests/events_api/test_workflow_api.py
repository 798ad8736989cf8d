"""Behaviour of the events API a client notices: reporting, the closed loop driven through
HTTP (a department system by API key), versions (428 without, 409 stale), photos."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from events.choices import EventStatus
from events.services import event_accept, event_dispatch
from integrations.services import api_client_create
from personnel.choices import PlatformRole

from .conftest import api_as

pytestmark = pytest.mark.django_db


def _superuser():
    from tests.factories import UserFactory

    return UserFactory(is_superuser=True, is_staff=True)


def _key(world, scopes, organisation=None, role=PlatformRole.HANDLER):
    created = api_client_create(
        actor=_superuser(), organisation=organisation or world.unit, name="执法系统", scopes=scopes, role=role
    )
    return created.key


def _dispatched(world):
    ev = world.report()
    ev = event_accept(actor=world.dispatcher, event=ev)
    return event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)


def test_worker_reports_an_event_and_gets_its_number(world):
    response = api_as(world.worker).post(
        "/api/v1/events/",
        {
            "area": world.tree.grid.code,
            "item": world.item.code,
            "title": "井盖缺失",
            "description": "路口井盖缺失，存在安全隐患。",
            "discovered_at": "2025-06-09T08:30:00+08:00",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == EventStatus.REPORTED
    assert body["area"] == world.tree.grid.code
    assert response["ETag"]
    assert api_as(world.worker).get(f"/api/v1/events/{body['number']}/").status_code == 200


def test_bad_report_is_400_with_field_messages_and_creates_nothing(world):
    response = api_as(world.worker).post(
        "/api/v1/events/", {"area": "999999999999", "item": world.item.code, "title": ""}, format="json"
    )
    assert response.status_code == 400
    assert {"area", "title", "description", "discovered_at"} <= set(response.json()["errors"])
    assert not world.item.events.exists()


def test_report_outside_my_grid_is_refused(world):
    response = api_as(world.worker).post(
        "/api/v1/events/",
        {
            "area": world.tree.other_grid.code,
            "item": world.item.code,
            "title": "井盖缺失",
            "description": "路口井盖缺失。",
            "discovered_at": "2025-06-09T08:30:00+08:00",
        },
        format="json",
    )
    assert response.status_code in (403, 404)
    assert not world.item.events.exists()


def test_department_system_lists_signs_and_submits_by_api_key(world):
    mine = _dispatched(world)
    world.report(title="未派遣的事件")  # not dispatched: not visible to the unit
    key = _key(world, ["read", "handle"])
    api = api_as(key=key)
    listed = api.get("/api/v1/events/", {"status": "dispatched"})
    assert listed.status_code == 200
    assert [e["number"] for e in listed.json()["results"]] == [mine.number]

    version = api.get(f"/api/v1/events/{mine.number}/").json()["version"]
    signed = api.post(f"/api/v1/events/{mine.number}/sign/", {"text": "已签收", "version": version}, format="json")
    assert signed.status_code == 200, signed.json()
    assert signed.json()["status"] == EventStatus.HANDLING
    body = {"text": "已清理完毕", "version": signed.json()["version"]}
    done = api.post(f"/api/v1/events/{mine.number}/submit-result/", body, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == EventStatus.RESULT_SUBMITTED
    kinds = [a["kind"] for a in api.get(f"/api/v1/events/{mine.number}/timeline/").json()]
    assert kinds[-2:] == ["sign", "submit_result"]


def test_read_only_key_cannot_sign_and_other_units_see_nothing(world):
    ev = _dispatched(world)
    read_only = api_as(key=_key(world, ["read"]))
    body = {"version": ev.version}
    assert read_only.post(f"/api/v1/events/{ev.number}/sign/", body, format="json").status_code == 403
    other = api_as(key=_key(world, ["read", "handle"], organisation=world.other_unit))
    assert other.get(f"/api/v1/events/{ev.number}/").status_code == 404
    assert other.post(f"/api/v1/events/{ev.number}/sign/", body, format="json").status_code == 404
    assert other.get("/api/v1/events/").json()["results"] == []
    ev.refresh_from_db()
    assert ev.status == EventStatus.DISPATCHED


def test_stale_step_is_409_and_changes_nothing(world):
    ev = world.report()
    api = api_as(world.dispatcher)
    first = api.post(f"/api/v1/events/{ev.number}/accept/", {"version": ev.version}, format="json")
    assert first.status_code == 200
    # A second dispatcher acting on what they read before the accept:
    stale = api.post(f"/api/v1/events/{ev.number}/escalate/", {"version": ev.version, "text": "需区级"}, format="json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    again = api.post(f"/api/v1/events/{ev.number}/accept/", {"version": first.json()["version"]}, format="json")
    assert again.status_code == 409  # not allowed from "accepted"
    assert again.json()["code"] == "invalid_transition"
    ev.refresh_from_db()
    assert ev.status == EventStatus.ACCEPTED


@pytest.mark.parametrize(
    ("step", "body"),
    [
        ("accept", {}),
        ("reject", {"reason": "duplicate"}),
        ("escalate", {"text": "需区级"}),
        ("dispatch", {"lead_unit": 1}),
        ("comment", {"text": "请尽快"}),
        ("urge", {"text": "请尽快"}),
        ("correct", {"changes": {"address": "尹江路 12 号"}, "text": "地址补充"}),
    ],
)
def test_a_step_without_version_is_428_and_changes_nothing(world, step, body):
    ev = world.report()
    api = api_as(world.dispatcher)
    response = api.post(f"/api/v1/events/{ev.number}/{step}/", body, format="json")
    assert response.status_code == 428, response.content
    assert response.json()["code"] == "version_required"
    # Not even the If-Match header of the old scheme stands in for it: one way for every step.
    etag = api.get(f"/api/v1/events/{ev.number}/")["ETag"]
    assert api.post(f"/api/v1/events/{ev.number}/{step}/", body, format="json", HTTP_IF_MATCH=etag).status_code == 428
    ev.refresh_from_db()
    assert (ev.status, ev.version, ev.actions.count()) == (EventStatus.REPORTED, 1, 1)


def test_a_step_sent_twice_with_the_same_version_acts_once(world):
    ev = event_accept(actor=world.dispatcher, event=world.report())
    api = api_as(world.dispatcher)
    body = {"version": ev.version, "lead_unit": world.unit.pk}
    first = api.post(f"/api/v1/events/{ev.number}/dispatch/", body, format="json")
    assert first.status_code == 200, first.content
    again = api.post(f"/api/v1/events/{ev.number}/dispatch/", body, format="json")  # a retry
    assert again.status_code == 409
    assert again.json()["code"] == "stale_version"
    ev.refresh_from_db()
    assert ev.cycle == 1 and ev.dispatches.count() == 1


def test_step_without_the_role_is_403_and_bad_input_400(world):
    ev = world.report()
    body = {"version": ev.version}
    assert api_as(world.worker).post(f"/api/v1/events/{ev.number}/accept/", body, format="json").status_code == 403
    bad = api_as(world.dispatcher).post(
        f"/api/v1/events/{ev.number}/reject/", {"reason": "nonsense", **body}, format="json"
    )
    assert bad.status_code == 400
    assert "reason" in bad.json()["errors"]
    escalate = api_as(world.dispatcher).post(
        f"/api/v1/events/{ev.number}/escalate/", {"text": " ", "version": ev.version}, format="json"
    )
    assert escalate.status_code == 400


def test_correct_needs_the_current_version_like_every_step(world):
    ev = world.report()
    api = api_as(world.worker)
    url = f"/api/v1/events/{ev.number}/"
    read = api.get(url).json()["version"]
    body = {"changes": {"address": "尹江路 12 号"}, "text": "地址补充"}
    assert api.post(url + "correct/", body, format="json").status_code == 428
    event_accept(actor=world.dispatcher, event=ev)  # someone acts meanwhile
    stale = api.post(url + "correct/", {**body, "version": read}, format="json")
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_version")
    fresh = api.get(url).json()["version"]
    assert fresh != read
    done = api.post(url + "correct/", {**body, "version": fresh}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["address"] == "尹江路 12 号"
    assert done.json()["version"] == fresh + 1


def test_photos_are_uploaded_listed_and_served_only_in_scope(world, media):
    ev = world.report()
    png = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 120, 0)).save(png, "PNG")
    api = api_as(world.worker)
    url = f"/api/v1/events/{ev.number}/attachments/"
    up = api.post(url, {"file": SimpleUploadedFile("p.png", png.getvalue(), "image/png")}, format="multipart")
    assert up.status_code == 201, up.json()
    assert up.json()["content_type"] == "image/png"
    listed = api.get(url).json()
    assert [a["id"] for a in listed] == [up.json()["id"]]
    download = api.get(listed[0]["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert api_as(world.other_worker).get(listed[0]["url"]).status_code == 404
    bad = api.post(url, {"file": SimpleUploadedFile("x.png", b"not an image", "image/png")}, format="multipart")
    assert bad.status_code == 400


def test_list_filters_reject_bad_values(world):
    api = api_as(world.dispatcher)
    assert api.get("/api/v1/events/", {"updated_since": "yesterday"}).status_code == 400
    assert api.get("/api/v1/events/", {"status": "bogus"}).status_code == 400
    assert api.get("/api/v1/events/", {"within": "000"}).status_code == 400


def test_list_filters_narrow_the_list(world):
    ev = _dispatched(world)
    other = world.report(area=world.tree.grid2, actor=world.worker2)
    api = api_as(world.dispatcher)
    numbers = lambda params: {e["number"] for e in api.get("/api/v1/events/", params).json()["results"]}  # noqa: E731
    assert numbers({"within": world.tree.grid.code}) == {ev.number}
    assert numbers({"status": "reported"}) == {other.number}
    assert numbers({"item": world.item.code}) == {ev.number, other.number}
    assert numbers({"item": "99-999"}) == set()  # an unknown item: none, not every event
    assert numbers({"overdue": "true"}) == set()


def test_township_district_unit_filters_and_newest_report_first(world):
    ev = _dispatched(world)
    other = world.report(area=world.tree.grid2, actor=world.worker2)
    api = api_as(world.dispatcher)

    def numbers(params):
        return [e["number"] for e in api.get("/api/v1/events/", params).json()["results"]]

    assert numbers({}) == [other.number, ev.number]  # newest report first
    # Township and district use the event's own columns; the same rows as the subtree.
    assert set(numbers({"within": world.tree.township.code})) == {ev.number, other.number}
    assert set(numbers({"within": world.tree.county.code})) == {ev.number, other.number}
    # Another district's grid is outside the dispatcher's jurisdiction: refused, not an empty list.
    outside = api.get("/api/v1/events/", {"within": world.tree.other_grid.code})
    assert outside.status_code == 400 and outside.json()["error_codes"]["within"] == ["out_of_scope"]
    assert numbers({"lead_unit": world.unit.pk, "status": ["dispatched", "handling"]}) == [ev.number]
    assert numbers({"lead_unit": world.unit.pk, "status": "reported"}) == []
    assert api.get("/api/v1/events/", {"lead_unit": "x"}).status_code == 400
    # Several states: no duplicates (no DISTINCT needed on a plain column).
    assert numbers({"status": ["reported", "dispatched"]}) == [other.number, ev.number]


def test_worker_logs_a_patrol(world):
    api = api_as(world.worker)
    response = api.post(
        "/api/v1/patrols/",
        {
            "area": world.tree.grid.code,
            "started_at": "2025-06-09T07:00:00+08:00",
            "ended_at": "2025-06-09T08:00:00+08:00",
            "households_visited": 12,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["households_visited"] == 12
    bad = api.post(
        "/api/v1/patrols/",
        {
            "area": world.tree.grid.code,
            "started_at": "2025-06-09T08:00:00+08:00",
            "ended_at": "2025-06-09T07:00:00+08:00",
        },
        format="json",
    )
    assert bad.status_code == 400


@pytest.mark.parametrize("url", ["/api/v1/events/", "/api/v1/patrols/"])
def test_nul_in_a_form_post_is_400_not_500(world, url):
    response = api_as(world.worker).post(url, {"area": "3302\x00", "title": "x"}, format="multipart")
    assert response.status_code == 400
    assert "area" in response.json()["errors"]


@pytest.mark.parametrize("body", ["null", "123", '"accept"'])
def test_a_step_whose_body_is_not_an_object_is_400_and_changes_nothing(world, body):
    ev = world.report()
    api = api_as(world.dispatcher)
    response = api.post(f"/api/v1/events/{ev.number}/accept/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    ev.refresh_from_db()
    assert ev.version == 1
