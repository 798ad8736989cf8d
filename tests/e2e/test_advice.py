"""An adviser invited onto an event (Art. 20) gives advice from the event page on a phone."""

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.e2e


def test_the_invited_adviser_gives_advice_on_a_phone(page_at, shot, transactional_db):
    from events.services import event_invite
    from tests.scenario import make_team_member, make_world

    world = make_world()
    member = make_team_member(world.tree.village)
    user = member.staff.user
    user.username = "adviser"
    user.save(update_fields=["username"])
    ev = event_invite(actor=world.leader, event=world.report(), member=member, role="adviser")

    page = page_at("phone")
    login(page, "adviser")
    page.goto(f"/events/{ev.number}/")
    button = page.locator("#step-advise .accordion-button")
    if "collapsed" in (button.get_attribute("class") or ""):
        button.click()
    page.fill("#id_advise-text", "建议先由社区人民调解委员会调解。")
    submit = page.locator("#step-advise button[type=submit]")
    assert submit.bounding_box()["height"] >= 44
    shot(page, "form")
    with page.expect_navigation():
        submit.click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator('#timeline [data-kind="advice"]')).to_contain_text("建议先由社区人民调解委员会调解。")
    expect(page.locator('#timeline [data-kind="advice"]')).to_contain_text("周律师")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "advised")
