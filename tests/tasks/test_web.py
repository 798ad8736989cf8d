"""The tasks pages: issuing through the form (once per submission key), the assignment
page's step forms from the table, progress, urging and the XLSX export."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tasks.choices import AssignmentStatus
from tasks.models import Assignment, Task

from .conftest import issue

pytestmark = pytest.mark.django_db


def _issue_form(world, key) -> dict:
    """The issue form filled in for the township, with the page's one-time key."""
    return {
        "title": "独居老人排查",
        "instructions": "逐户上门。",
        "areas": [world.tree.township.pk],
        "item": world.item.pk,
        "working_days": 3,
        "result_kind": "grid",
        "submission_key": key,
    }


def test_issue_form_once_per_submission_key(client, world):
    client.force_login(world.dispatcher)
    page = client.get(reverse("tasks:new"))
    key = page.context["form"].initial["submission_key"]
    data = _issue_form(world, key)
    first = client.post(reverse("tasks:new"), data)
    again = client.post(reverse("tasks:new"), data)
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert Task.objects.count() == 1 and Assignment.objects.count() == 2


def test_the_same_form_sent_again_with_other_content_is_refused_not_a_500(client, world):
    """A filled-in form sent again with the same one-time key but another title (a second
    tab, or back and edit after the first went through) issues nothing new: the form again
    with the reason, 422, and the first task stands."""
    client.force_login(world.dispatcher)
    key = client.get(reverse("tasks:new")).context["form"].initial["submission_key"]
    data = _issue_form(world, key)
    assert client.post(reverse("tasks:new"), data).status_code == 302
    changed = client.post(reverse("tasks:new"), {**data, "title": "独居老人排查（更正）"})
    assert changed.status_code == 422 and "已经提交过" in changed.content.decode()
    assert list(Task.objects.values_list("title", flat=True)) == ["独居老人排查"]


def test_issue_form_shows_the_art19_refusal(client, world):
    client.force_login(world.dispatcher)
    data = {"title": "临时摊派", "instructions": "x", "areas": [world.tree.township.pk], "working_days": 3}
    page = client.post(reverse("tasks:new"), {**data, "result_kind": "grid"})
    assert page.status_code == 200 and "第十九条" in page.content.decode()
    assert not Task.objects.exists()


def test_worker_takes_the_steps_and_a_stale_page_is_refused(client, world):
    task = issue(world)
    assignment = Assignment.objects.get(task=task, area=world.tree.grid)
    client.force_login(world.worker)
    page = client.get(reverse("tasks:assignment", args=[assignment.pk]))
    assert b'id="step-acknowledge"' in page.content and b'id="step-urge"' not in page.content
    url = reverse("tasks:step", args=[assignment.pk, "acknowledge"])
    assert client.post(url, {"acknowledge-version": 1}).status_code == 302
    again = client.post(url, {"acknowledge-version": 1}, follow=True)
    assert "不能签收" in again.content.decode() or "刷新" in again.content.decode()
    done = client.post(reverse("tasks:step", args=[assignment.pk, "complete"]), {"complete-version": 2})
    assert done.status_code == 400  # no result: the form again, nothing changed
    client.post(
        reverse("tasks:step", args=[assignment.pk, "complete"]), {"complete-version": 2, "complete-result": "已排查"}
    )
    assert Assignment.objects.get(pk=assignment.pk).status == AssignmentStatus.DONE
    # Another district's worker cannot see it.
    client.force_login(world.other_worker)
    assert client.get(reverse("tasks:assignment", args=[assignment.pk])).status_code == 404


def test_progress_urge_and_export(client, world):
    task = issue(world)
    client.force_login(world.dispatcher)
    page = client.get(reverse("tasks:detail", args=[task.pk]))
    assert page.context["total"] == {"grids": 2, "done": 0, "returned": 0, "overdue": 0, "unacknowledged": 2}
    assert client.get(reverse("tasks:detail", args=[task.pk])).status_code == 200
    client.force_login(world.worker)
    assert client.get(reverse("tasks:detail", args=[task.pk])).status_code == 404
    client.force_login(world.dispatcher)
    export = client.get(reverse("tasks:export", args=[task.pk]))
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 3 and sheet.cell(2, 3).value in {world.tree.grid.name, world.tree.grid2.name}
    one = Assignment.objects.get(task=task, area=world.tree.grid)
    client.post(reverse("tasks:step", args=[one.pk, "urge"]), {"urge-version": 1})
    assert Assignment.objects.get(pk=one.pk).urged == 1


def test_the_progress_page_lists_the_first_late_grids_and_counts_the_rest(client, world, monkeypatch):
    from tasks import progress

    monkeypatch.setattr(progress, "LATE_SHOWN", 1)
    task = issue(world)  # both grids not acknowledged: late
    client.force_login(world.dispatcher)
    page = client.get(reverse("tasks:detail", args=[task.pk]))
    assert len(page.context["late"]) == 1 and page.context["more"] == 1
    assert "另有 1 个网格未列出" in page.content.decode()
    monkeypatch.setattr(progress, "LATE_SHOWN", 2)
    page = client.get(reverse("tasks:detail", args=[task.pk]))
    assert len(page.context["late"]) == 2 and b'id="late-more"' not in page.content


def test_the_menu_links_tasks_for_issuers_not_grid_workers(client, world):
    client.force_login(world.dispatcher)
    assert 'href="/tasks/"' in client.get("/").content.decode()
    client.force_login(world.worker)
    assert 'href="/tasks/"' not in client.get("/").content.decode()


def test_urge_all_urges_the_grids_the_page_lists_and_says_how_many(client, world):
    """Fresh-user finding F2: the list showed the grids not acknowledged, the button urged 0."""
    from tasks import services

    task = issue(world)
    done = Assignment.objects.get(task=task, area=world.tree.grid2)
    services.assignment_acknowledge(actor=world.worker2, assignment=done, version=1)
    services.assignment_complete(actor=world.worker2, assignment=done, version=2, result="好了")
    client.force_login(world.dispatcher)
    page = client.get(reverse("tasks:detail", args=[task.pk])).content.decode()
    listed = Assignment.objects.get(task=task, area=world.tree.grid)  # received: not acknowledged, not overdue
    assert reverse("tasks:assignment", args=[listed.pk]) in page and "催办全部超期/未签收（1）" in page
    page = client.post(reverse("tasks:urge-late", args=[task.pk]), follow=True).content.decode()
    assert "已催办1个超期或未签收的网格。" in page
    assert Assignment.objects.get(pk=listed.pk).urged == 1 and Assignment.objects.get(pk=done.pk).urged == 0
    services.assignment_acknowledge(actor=world.worker, assignment=listed, version=listed.version + 1)
    page = client.post(reverse("tasks:urge-late", args=[task.pk]), follow=True).content.decode()
    assert "没有超期或未签收的网格，未催办。" in page and "催办全部超期/未签收（0）" in page


def test_a_household_task_page_counts_the_households_recorded_and_heads_each_form(client, world, household):
    """Fresh-user finding F3: "n of N households recorded", a heading above each step's form."""
    from tasks.choices import ResultKind

    task = issue(world, result_kind=ResultKind.HOUSEHOLD)
    assignment = Assignment.objects.get(task=task, area=world.tree.grid)
    client.force_login(world.worker)
    page = client.get(reverse("tasks:assignment", args=[assignment.pk])).content.decode()
    assert "已登记 0 / 1 户" in page
    assert '<h2 class="h6 mt-3">签收</h2>' in page


def test_completing_a_household_task_with_households_left_asks_for_the_reason_on_the_page(client, world, household):
    """One of the grid's two ledger households recorded and an empty result: the page again
    (400) asking why one is left, the assignment still open; with a reason it is done."""
    from ledgers import places
    from ledgers import services as ledgers
    from ledgers.choices import AddressKind
    from tasks import services
    from tasks.choices import Outcome, ResultKind

    room = places.address_create(
        actor=world.leader, parent=household.address.parent, kind=AddressKind.ROOM, name="302室"
    )
    ledgers.household_create(actor=world.worker, address=room)
    assignment = Assignment.objects.get(task=issue(world, result_kind=ResultKind.HOUSEHOLD), area=world.tree.grid)
    services.assignment_acknowledge(actor=world.worker, assignment=assignment, version=1)
    services.assignment_record(
        actor=world.worker, assignment=assignment, version=2, household=household, outcome=Outcome.CHECKED
    )
    client.force_login(world.worker)
    url = reverse("tasks:step", args=[assignment.pk, "complete"])
    refused = client.post(url, {"complete-version": 3})
    assert refused.status_code == 400 and "尚有1户未登记，请说明原因" in refused.content.decode()
    assert Assignment.objects.get(pk=assignment.pk).status == AssignmentStatus.IN_PROGRESS
    assert client.post(url, {"complete-version": 3, "complete-result": "302室长期空置。"}).status_code == 302
    assert Assignment.objects.get(pk=assignment.pk).status == AssignmentStatus.DONE


def _find(client, q) -> tuple[int, dict]:
    response = client.get(reverse("tasks:areas"), {"q": q} if q is not None else {})
    return response.status_code, response.json()


def test_area_search_lists_only_the_callers_reach_with_path_and_level(client, world):
    """The district's supervisor typing 网格 finds the grids of 海曙区 with their township and
    village, not 江北区's grid nor a micro-grid; the township's dispatcher finds only their
    own township when typing 街道."""
    client.force_login(world.supervisor)
    status, body = _find(client, "网格")
    assert status == 200 and body["more"] is False
    assert [(r["path"], r["level_label"]) for r in body["results"]] == [
        ("南门街道 › 尹江岸社区 › 尹江岸第一网格", "网格"),
        ("南门街道 › 尹江岸社区 › 尹江岸第二网格", "网格"),
    ]
    client.force_login(world.dispatcher)
    assert [r["id"] for r in _find(client, "街道")[1]["results"]] == [world.tree.township.pk]


def test_area_search_by_code_prefix(client, world):
    client.force_login(world.supervisor)
    status, body = _find(client, world.tree.village.code)
    assert status == 200
    assert [r["name"] for r in body["results"]] == ["尹江岸社区", "尹江岸第一网格", "尹江岸第二网格"]


def test_area_search_is_capped_at_50_and_says_there_are_more(client, world):
    from grids.choices import Level
    from tests.scenario import make_area

    for n in range(51):
        make_area(world.tree.village2, Level.GRID, f"排查网格{n}", suffix=n + 1)
    client.force_login(world.supervisor)
    status, body = _find(client, "排查网格")
    assert status == 200 and len(body["results"]) == 50 and body["more"] is True


@pytest.mark.parametrize(("q", "code"), [(None, "required"), ("  ", "required"), ("网" * 51, "max_length")])
def test_area_search_bad_input_is_a_400_with_the_field_code(client, world, q, code):
    client.force_login(world.supervisor)
    status, body = _find(client, q)
    assert status == 400 and body["errors"]["q"][0]["code"] == code


def test_area_search_needs_a_signed_in_user(client, world):
    assert client.get(reverse("tasks:areas"), {"q": "网格"}).status_code == 302


def test_areas_found_by_search_are_what_the_form_issues_to(client, world):
    """The ids the picker adds are the form's `areas`: one grid found by name gets the one
    assignment; the page carries the picker for the plain multi-select."""
    client.force_login(world.dispatcher)
    page = client.get(reverse("tasks:new"))
    assert 'data-ng-area-picker="/tasks/areas/"' in page.content.decode()
    found = _find(client, "尹江岸第二")[1]["results"]
    key = page.context["form"].initial["submission_key"]
    data = {**_issue_form(world, key), "areas": [r["id"] for r in found]}
    assert client.post(reverse("tasks:new"), data).status_code == 302
    assert list(Assignment.objects.values_list("area", flat=True)) == [world.tree.grid2.pk]
