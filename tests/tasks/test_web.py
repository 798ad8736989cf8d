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
