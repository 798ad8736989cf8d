"""The grid worker's phone with no signal (issue #19), in Chromium at 390 px: the staff
pages open from the service worker's copies marked with their time, a report filled in
airplane mode waits in the outbox (through a reload), is filed exactly once when the
signal returns even if the first answer is lost, a refused draft stays with the
server's reason, and logging out leaves no drafts, page copies or service worker."""

import datetime
import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.e2e

#: What is left of the staff side in the browser: page copies, drafts, service workers.
LEFTOVERS = """async () => {
  const drafts = await new Promise((resolve) => {
    const request = indexedDB.open("ng-offline");
    request.onsuccess = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("drafts")) { db.close(); return resolve(0); }
      const count = db.transaction("drafts").objectStore("drafts").count();
      count.onsuccess = () => { db.close(); resolve(count.result); };
    };
  });
  return {
    caches: (await caches.keys()).length,
    drafts,
    workers: (await navigator.serviceWorker.getRegistrations()).length,
  };
}"""


#: The Content-Security-Policy the platform sends (no inline script or style; the phone's
#: voice preview plays a blob: URL, photos are shrunk through data:/blob: images).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _with_csp(context) -> list:
    """Send every page of `context` with `CSP`; returns the list the policy's violations
    (`securitypolicyviolation` events of the pages) are collected into. The route fetches
    outside the browser, so it keeps to the browser's offline switch itself (`_offline`)."""

    def add_policy(route):
        if route.request.method != "GET":
            route.fallback()  # the browser's own request (its offline switch applies)
            return
        if getattr(context, "is_offline", False):
            route.abort("internetdisconnected")
            return
        try:
            response = route.fetch(max_redirects=0)
            route.fulfill(response=response, headers={**response.headers, "content-security-policy": CSP})
        except PlaywrightError:
            pass  # the page went elsewhere meanwhile

    context.route(lambda url: "/static/" not in url, add_policy)
    violations: list = []

    def violated(what):
        # htmx's own indicator <style> is turned off by the platform's htmx-config (CSP work)
        if not what.startswith("style-src-elem inline") or "/htmx/" not in what:
            violations.append(what)

    context.expose_function("ngCspViolation", violated)
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => ngCspViolation([e.violatedDirective, e.blockedURI, e.sourceFile].join(' ')))"
    )
    return violations


@pytest.fixture
def world(transactional_db):
    from tests.scenario import make_world

    world = make_world()
    world.worker.username = "gridworker"
    world.worker.save(update_fields=["username"])
    return world


@pytest.fixture
def photo(tmp_path):
    """A 2400×1800 camera-sized JPEG (noise does not compress: about 1.5 MB)."""
    import os

    path = tmp_path / "IMG_0001.jpg"
    Image.frombytes("RGB", (2400, 1800), os.urandom(2400 * 1800 * 3)).save(path, "JPEG", quality=95)
    return path


def _offline(page, offline: bool) -> None:
    page.context.is_offline = offline
    page.context.set_offline(offline)


def _phone_online(page_at):
    """A signed-in phone whose pages are controlled by the service worker (its copies made).

    The browser's clock is set to the suite's (the form's time of discovery comes from it
    when the page is an offline copy)."""
    page = page_at("phone")
    page.violations = _with_csp(page.context)
    page.context.clock.install(time=timezone.now())
    login(page, "gridworker")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.goto("/events/report/")  # a fresh copy of the report form
    return page


def _draft_offline(page, world, photo, title):
    page.goto("/events/report/")
    expect(page.locator("#ng-stale")).to_be_visible()
    page.select_option("#id_item", str(world.item.pk))
    page.fill("#id_title", title)
    page.fill("#id_description", "地下室信号弱，先存草稿：楼道堆放大量纸箱。")
    page.set_input_files("#id_photos", str(photo))
    page.click("#report-submit")
    page.wait_for_url(re.compile(r"/mobile/outbox/\?saved="))
    expect(page.locator(".ng-draft")).to_have_count(1)


def test_offline_report_is_kept_then_sent_once(page_at, shot, world, photo):
    from events.models import Event

    page = _phone_online(page_at)
    _offline(page, True)

    # The workbench and my tasks open from the copies, marked with their time.
    page.goto("/")
    expect(page.locator("#ng-stale")).to_contain_text(re.compile(r"内容截至 2026-11-30 10:0\d"))
    expect(page.locator("#panel-event-notifications")).to_be_visible()
    shot(page, "offline-workbench")
    page.goto("/events/tasks/")
    expect(page.locator("#ng-stale")).to_be_visible()

    _draft_offline(page, world, photo, "地下室堆物")
    draft = page.locator(".ng-draft")
    expect(draft.locator(".ng-draft-status")).to_have_text("待发送")
    page.reload()  # still offline: the draft survives
    expect(draft.locator(".ng-draft-title")).to_have_text("地下室堆物")
    shot(page, "outbox-waiting")
    assert not Event.objects.exists()

    # Signal back, but the first answer is lost on the way: the server filed the report,
    # the phone never heard so. The draft waits; sending it again files nothing new.
    def lose_answer(route):
        route.fetch()
        route.abort()

    page.route("**/events/report/", lose_answer)
    _offline(page, False)
    with page.expect_event("requestfailed", lambda r: r.method == "POST"):
        page.click("#ng-outbox-send")
    page.unroute("**/events/report/")
    assert Event.objects.count() == 1
    expect(draft.locator(".ng-draft-status")).to_have_text("待发送")

    page.reload()  # the page sends what waits when it loads
    expect(draft.locator(".ng-draft-status")).to_have_text("已发送")
    event = Event.objects.get()
    expect(draft).to_contain_text(event.number)
    shot(page, "outbox-sent")
    assert event.title == "地下室堆物"
    assert event.area_id == world.tree.grid.pk
    photo_kept = event.attachments.get()
    assert photo_kept.size < 500_000 and max(photo_kept.width, photo_kept.height) <= 1600  # shrunk on the phone
    assert page.violations == [], page.violations
    page.click(".ng-draft a")
    expect(page).to_have_url(re.compile(rf"/events/{event.number}/$"))


def _refused_draft(page, world, photo) -> None:
    """A draft made offline whose item leaves the catalogue meanwhile: the server refuses
    it when the signal returns, and it stays in the outbox with the reason."""
    from catalog.models import ServiceItemVersion

    _offline(page, True)
    _draft_offline(page, world, photo, "违章搭建")
    ServiceItemVersion.objects.filter(item=world.item).update(
        effective_to=timezone.localdate() - datetime.timedelta(days=1)
    )
    _offline(page, False)
    page.click("#ng-outbox-send")
    draft = page.locator(".ng-draft")
    expect(draft.locator(".ng-draft-status")).to_have_text("被退回")
    expect(draft.locator(".ng-draft-reasons")).to_contain_text("清单事项")


def test_refused_draft_stays_with_its_reason_and_logout_clears_it(page_at, shot, world, photo):
    from events.models import Event

    page = _phone_online(page_at)
    _refused_draft(page, world, photo)
    shot(page, "outbox-refused")
    assert not Event.objects.exists()

    # Opened again in its form to be fixed: what was typed is there, with the reason.
    page.click(".ng-draft-edit")
    expect(page.locator("#id_title")).to_have_value("违章搭建")
    expect(page.locator("#ng-draft-reasons")).to_contain_text("清单事项")
    expect(page.locator("#ng-draft-files")).to_be_visible()
    assert page.violations == [], page.violations

    # Logging out asks (a draft is not sent) and leaves nothing behind.
    page.on("dialog", lambda dialog: dialog.accept())
    page.click(".navbar-toggler")
    page.click("form[data-ng-logout] button")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert page.evaluate(LEFTOVERS) == {"caches": 0, "drafts": 0, "workers": 0}


def test_another_user_signing_in_on_the_phone_does_not_get_the_previous_drafts(page_at, world, photo):
    page = _phone_online(page_at)
    _refused_draft(page, world, photo)
    page.context.clear_cookies()  # the session ended elsewhere (a timeout): no logout page
    world.worker2.username = "colleague"
    world.worker2.save(update_fields=["username"])
    login(page, "colleague")
    page.wait_for_function(f"async () => (await ({LEFTOVERS})()).drafts === 0")
    page.goto("/mobile/outbox/")
    expect(page.locator("#ng-outbox-empty")).to_be_visible()


@pytest.fixture
def phone_with_microphone(browser, live_server):
    """A phone (390 px) whose Chromium has a microphone: a fake one playing a tone."""
    from .conftest import CHROMIUM, CHROMIUM_ARGS, SIZES

    fake_media = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
    with_mic = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + fake_media)
    context = with_mic.new_context(
        viewport=SIZES["phone"], base_url=live_server.url, locale="zh-CN", is_mobile=True, permissions=["microphone"]
    )
    page = context.new_page()
    page.size_name = "phone"
    yield page
    context.close()
    with_mic.close()


def test_voice_note_recorded_offline_on_the_spot_form_is_sent_and_plays(phone_with_microphone, shot, world):
    from events.models import Event

    page = phone_with_microphone
    violations = _with_csp(page.context)
    page.context.clock.install(time=timezone.now())
    login(page, "gridworker")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.goto("/events/self-handle/")
    _offline(page, True)
    page.reload()
    expect(page.locator("#ng-stale")).to_be_visible()
    page.select_option("#id_item", str(world.item.pk))
    page.fill("#id_title", "井盖松动")
    page.fill("#id_description", "人行道井盖松动。")
    page.fill("#id_result_text", "已现场固定井盖。")
    page.click("#ng-voice-record")
    expect(page.locator("#ng-voice-record")).to_have_text("录音中 0:01，点击停止")  # a second recorded
    page.click("#ng-voice-record")
    expect(page.locator("#ng-voice-player")).to_be_visible()
    shot(page, "voice-recorded")
    page.click("#self-handle-submit")
    page.wait_for_url(re.compile(r"/mobile/outbox/"))

    _offline(page, False)
    page.click("#ng-outbox-send")
    expect(page.locator(".ng-draft-status")).to_have_text("已发送")
    event = Event.objects.get()
    assert event.status == "closed"
    voice = event.attachments.get()
    assert voice.content_type == "audio/webm" and voice.width is None
    assert violations == [], violations
    page.goto(f"/events/{event.number}/")
    player = page.locator("audio.ng-voice-note")
    expect(player).to_have_count(1)
    player.evaluate("audio => audio.load()")  # preload="none": it loads when asked
    page.wait_for_function("() => document.querySelector('audio.ng-voice-note').readyState >= 1")  # the recording plays
