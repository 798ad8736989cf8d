"""A visit recorded in airplane mode (issues #15 and #19), in Chromium at 390 px: the visit
record form keeps an offline draft like the report form, the outbox sends it once the
signal returns — exactly one visit, even when sent again — and a visit the server refuses
stays in the outbox with the reason."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import login
from .test_ledger_journey import ledger  # noqa: F401  (fixture: a household with an elder to visit)
from .test_offline_drafts import _offline, _with_csp

pytestmark = pytest.mark.e2e


def test_a_visit_recorded_offline_is_sent_once_and_a_refused_one_keeps_its_reason(page_at, shot, ledger):  # noqa: F811
    from django.utils import timezone

    from ledgers.models import Household, Visit

    household = Household.objects.get()
    page = page_at("phone")
    violations = _with_csp(page.context)
    page.context.clock.install(time=timezone.now())
    login(page, "gridworker")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    form_url = f"/ledgers/visit/household/{household.pk}/"

    # A visit dated in the future (a slip of the thumb), then a good one, both with no signal.
    page.goto(form_url)
    _offline(page, True)
    page.fill("#id_visited_at", "2099-01-01T10:00")
    page.fill("#id_findings", "日期填错的一次走访")
    page.click("#visit-submit")
    page.wait_for_url(re.compile(r"/mobile/outbox/\?saved="))
    _offline(page, False)
    page.goto(form_url)
    _offline(page, True)
    page.fill("#id_findings", "老人身体尚好，楼道堆放纸箱")
    page.click("#visit-submit")
    page.wait_for_url(re.compile(r"/mobile/outbox/\?saved="))
    drafts = page.locator(".ng-draft")
    expect(drafts).to_have_count(2)
    expect(drafts.nth(1).locator(".ng-draft-status")).to_have_text("待发送")
    expect(drafts.nth(1)).to_contain_text("走访记录")
    expect(drafts.nth(1).locator(".ng-draft-title")).to_have_text(str(household))
    shot(page, "visit-waiting")
    assert not Visit.objects.exists()

    _offline(page, False)
    page.click("#ng-outbox-send")
    expect(drafts.nth(1).locator(".ng-draft-status")).to_have_text("已发送")
    refused = drafts.nth(0)
    expect(refused.locator(".ng-draft-status")).to_have_text("被退回")
    expect(refused.locator(".ng-draft-reasons")).to_contain_text("走访时间不能晚于现在")
    visit = Visit.objects.get()
    assert visit.findings == "老人身体尚好，楼道堆放纸箱" and visit.household_id == household.pk
    expect(drafts.nth(1)).to_contain_text(f"已发送，走访记录 {visit.pk}")
    shot(page, "visit-sent")

    # Sending again (another tap, a reload that flushes) files nothing new.
    page.click("#ng-outbox-send")
    page.reload()
    expect(drafts.nth(1).locator(".ng-draft-status")).to_have_text("已发送")
    assert Visit.objects.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert violations == [], violations
    drafts.nth(1).get_by_role("link", name="查看走访记录").click()
    expect(page).to_have_url(re.compile(rf"/ledgers/visits/{visit.pk}/$"))
