"""Every radio group on the site, tapped option by option as a thumb would, at phone and
desktop sizes, in Chinese and English (issue 12, item 1).

A tap lands at the centre of the option's visible label text (found by position, not by
selector), so a label drawn over another field or squeezed one character a line is
caught: the option under the thumb must be the one that gets checked and submitted.
Each group is tapped through all its options in an order that ends on a different option
for each size and language; the form is then submitted and the stored value checked.
"""

from functools import partial

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = [pytest.mark.e2e]

COMBOS = [("phone", "zh-hans"), ("phone", "en"), ("desktop", "zh-hans"), ("desktop", "en")]

#: The centre of an element's text as drawn (first line box), in viewport pixels.
_TEXT_CENTRE = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const r = range.getClientRects()[0];
  return r ? {x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height} : null;
}"""
#: What the form would submit for `name` now (FormData, as on submit).
_SUBMITTED = "(form, name) => new FormData(form).getAll(name)"


def tap_each_option(page, form, name: str, last: int) -> str:
    """Tap every option of radio group `name` in `form` (a locator), ending on option
    index `last`; after each tap the checked (submitted) value must be that option's.
    Returns the value last tapped."""
    inputs = form.locator(f'input[type=radio][name="{name}"]')
    count = inputs.count()
    assert count >= 2, f"{name}: {count} options"
    order = [(last + 1 + i) % count for i in range(count)]  # ends on `last`
    value = ""
    for index in order:
        option = inputs.nth(index)
        value = option.get_attribute("value")
        label = form.locator(f'label[for="{option.get_attribute("id")}"]')
        label.scroll_into_view_if_needed()
        box = label.evaluate(_TEXT_CENTRE)
        assert box and box["w"] > 0, f"{name}={value}: label text not drawn"
        # One line of text, as wide as its words: not stacked a character a line.
        assert box["h"] < 40, f"{name}={value}: label text box {box}"
        page.mouse.click(box["x"], box["y"])
        expect(option).to_be_checked()
        assert form.evaluate(_SUBMITTED, name) == [value], f"{name}={value}"
    return value


def _to_verification(world, reporter_event):
    """Drive `reporter_event` from reported to its result submitted, through the services."""
    from events import services

    event = services.event_accept(actor=world.dispatcher, event=reporter_event)
    event = services.event_dispatch(actor=world.dispatcher, event=event, lead_unit=world.unit)
    event = services.event_sign(actor=world.handler, event=event)
    event = services.event_submit_result(actor=world.handler, event=event, text="已处理完毕。")
    return event


@pytest.fixture
def world(transactional_db, monkeypatch):
    from events import public_demand
    from tests.scenario import make_world

    monkeypatch.setattr(public_demand, "MIN_SECONDS", 0)  # no waiting in the test
    world = make_world()
    for user, name in [(world.worker, "gridworker"), (world.dispatcher, "dispatcher")]:
        user.username = name
        user.save(update_fields=["username"])
    return world


def _events(world):
    """One event waiting at each radio group: verify, request decision, staff and public rating."""
    from events import services
    from events.choices import RequestKind

    to_verify = _to_verification(world, world.report(title="待核查事件"))
    rated_by_staff = services.event_verify(
        actor=world.worker, event=_to_verification(world, world.report(title="待评价事件")), passed=True
    )
    public = services.event_public_demand(
        area=world.tree.grid,
        item=world.item,
        description="路灯不亮。",
        contact_name="王先生",
        contact_phone="13912345678",
    )
    rated_by_public = services.event_verify(actor=world.worker, event=_to_verification(world, public), passed=True)
    handling = services.event_sign(
        actor=world.handler,
        event=services.event_dispatch(
            actor=world.dispatcher,
            event=services.event_accept(actor=world.dispatcher, event=world.report(title="待审批事件")),
            lead_unit=world.unit,
        ),
    )
    to_decide = services.event_request(
        actor=world.handler, event=handling, kind=RequestKind.SUSPENSION, reason="等待业主回国。"
    )
    return to_verify, rated_by_staff, rated_by_public, to_decide


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_radio_option_is_chosen_by_a_tap_on_its_label(page_at, shot, live_server, world, size):
    """One page per person for both languages (the language cookie switches between them)."""
    public, worker, dispatcher = page_at(size), page_at(size), page_at(size)
    login(worker, "gridworker")
    login(dispatcher, "dispatcher")
    for language in ("zh-hans", "en"):
        for page in (public, worker, dispatcher):
            page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        # A different final option per size and language.
        last = COMBOS.index((size, language))
        _tap_every_group(world, shot, public, worker, dispatcher, language, last)


def _submit(page, form) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def _tap_every_group(world, shot, public, worker, dispatcher, language, last):
    from events.models import Event, HandlingRequest, Satisfaction

    to_verify, rated_by_staff, rated_by_public, to_decide = _events(world)

    # The public: demand or complaint (类型), then the satisfaction form by tracking code.
    public.goto(f"/public/grids/{world.tree.grid.code}/demand/")
    expect(public.locator("html")).to_have_attribute("lang", language)
    form = public.locator("main form")
    kind = tap_each_option(public, form, "kind", last)
    shot(public, f"{language}-demand")
    if kind == "conduct":  # a complaint about a grid worker names one of the grid's staff
        public.select_option("#id_about", index=1)
    public.fill("#id_description", "小区路灯不亮已经一周。")
    public.fill("#id_name", "王先生")
    public.fill("#id_phone", "13912345678")
    public.click("#demand-submit")
    expect(public.locator("#tracking-code")).to_be_visible()
    filed = Event.objects.get(tracking_code=public.locator("#tracking-code").inner_text())
    assert filed.source == {"demand": "public_demand", "complaint": "complaint", "conduct": "complaint"}[kind]
    assert (filed.about_staff_id is not None) == (kind == "conduct")

    public.goto(f"/public/track/{rated_by_public.tracking_code}/")
    form = public.locator("#rate-form form")
    score = tap_each_option(public, form, "score", last)
    shot(public, f"{language}-public-rate")
    _submit(public, form)
    expect(public.locator("#rated")).to_be_visible()
    assert Satisfaction.objects.get(event=rated_by_public).score == int(score)

    # The grid worker: verify a result (核查结论) and rate what they reported (满意度).
    snap = partial(shot, worker, f"{language}-verify")
    passed = _step(worker, to_verify, "verify", "passed", last, note="text", snap=snap)
    to_verify.refresh_from_db()
    assert to_verify.status == {"pass": "closed", "fail": "handling"}[passed]
    score = _step(worker, rated_by_staff, "rate", "score", last + 1)
    assert Satisfaction.objects.get(event=rated_by_staff).score == int(score)

    # The dispatcher: decide a suspension request (审批结果).
    snap = partial(shot, dispatcher, f"{language}-decide")
    approve = _step(dispatcher, to_decide, "request_decide", "approve", last, note="reason", snap=snap)
    request = HandlingRequest.objects.get(event=to_decide)
    assert request.state == {"yes": "approved", "no": "refused"}[approve]


def _step(page, event, step: str, name: str, last: int, note: str = "", snap=None) -> str:
    """On the event's page, tap through radio group `name` of step `step` (ending on
    option `last`), fill its text field `note` if given, call `snap` (a screenshot),
    submit; returns the value submitted."""
    page.goto(f"/events/{event.number}/")
    form = page.locator(f"#step-{step} form")
    value = tap_each_option(page, form, f"{step}-{name}", last)
    if note:
        page.fill(f"#id_{step}-{note}", "现场复核，情况属实。")
    if snap:
        snap()
    _submit(page, form)
    expect(page.locator(".alert-success")).to_be_visible()
    return value
