"""The tasks API: issue (strict types, Art. 19 refusal as 400), scoped reads, the steps
generated from the table (428 without a version, 409 when stale), progress."""

import pytest

from tasks.models import Assignment

from .conftest import issue

pytestmark = pytest.mark.django_db
BASE = "/api/v1/tasks/"


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_issue_over_the_api(client, world):
    client.force_login(world.dispatcher)
    body = {"title": "消防巡查", "instructions": "查小场所。", "areas": [world.tree.township.code], "working_days": 2}
    refused = post(client, BASE, body)
    assert refused.status_code == 400 and "basis" in refused.json()["errors"]
    assert post(client, BASE, {**body, "item": world.item.code, "working_days": "2"}).status_code == 400
    created = post(client, BASE, {**body, "item": world.item.code})
    assert created.status_code == 201, created.content
    task = created.json()
    assert task["item"] == world.item.code and task["areas"] == [world.tree.township.code]
    progress = client.get(f"{BASE}{task['id']}/progress/").json()
    assert progress["percent"] == 0 and progress["townships"][0]["grids"] == 2


def test_grid_worker_steps_over_the_api(client, world):
    task = issue(world)
    client.force_login(world.worker)
    rows = client.get(f"{BASE}assignments/").json()["results"]
    assert [row["grid"] for row in rows] == [world.tree.grid.code]
    url = f"{BASE}assignments/{rows[0]['id']}/"
    required = post(client, url + "acknowledge/", {})
    assert required.status_code == 428 and "网格任务" in required.json()["detail"]
    assert "事件" not in required.json()["detail"]
    assert post(client, url + "acknowledge/", {"version": "1"}).status_code == 400
    ok = post(client, url + "acknowledge/", {"version": 1})
    assert ok.status_code == 200 and ok.json()["status"] == "acknowledged"
    stale = post(client, url + "complete/", {"version": 1, "result": "x"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert "网格任务" in stale.json()["detail"] and "事件" not in stale.json()["detail"]
    done = post(client, url + "complete/", {"version": 2, "result": "已排查"})
    assert done.json()["status"] == "done"
    assert post(client, url + "urge/", {"version": 3}).status_code in (403, 409)
    # Out of reach: another grid's assignment is 404 to this worker.
    other = Assignment.objects.get(task=task, area=world.tree.grid2)
    assert client.get(f"{BASE}assignments/{other.pk}/").status_code == 404
    client.force_login(world.other_worker)
    assert client.get(f"{BASE}{task.pk}/").status_code == 404


def test_assignments_filter_by_task_and_status(client, world):
    task = issue(world)
    issue(world, title="另一项任务")
    client.force_login(world.dispatcher)
    rows = client.get(f"{BASE}assignments/", {"task": task.pk, "status": "received"}).json()["results"]
    assert {row["task"] for row in rows} == {task.pk} and len(rows) == 2
    assert client.get(f"{BASE}assignments/", {"task": "9" * 30}).status_code == 400
