"""The staff side as an installable app (issue #19): manifest and service worker served
by Django, only staff pages link them, logout tells the browser to empty the site's
storage, and voice notes are attachments checked by content."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import reverse

from events.attachments import attachment_add, audio_container
from events.models import Event

pytestmark = pytest.mark.django_db

#: The first bytes Chromium's MediaRecorder writes (EBML header, DocType "webm").
WEBM = bytes.fromhex("1a45dfa39f4286810142f7810142f2810442f381084282847765626d42878104428581021853806701ffffffffffffff")
OGG = b"OggS\x00\x02" + bytes(20) + b"\x01\x13OpusHead\x01\x01" + bytes(16)
M4A = b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom" + bytes(16)


def test_manifest_names_the_app_in_chinese_and_opens_standalone(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["short_name"] == "宁波网格通" and manifest["lang"] == "zh-CN"
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/" and manifest["scope"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes and any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_service_worker_is_served_from_the_root_uncached_and_leaves_plain_pages_alone(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    config = json.loads(body.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert "/static/mobile/app.js" in config["assets"] and "/" in config["pages"]
    assert {"/public/", "/admin/", "/accounts/", "/api/"} <= set(config["plain"])
    assert all(finders.find(url.removeprefix("/static/")) for url in config["assets"])


def test_service_worker_is_served_by_a_deployment_with_hashed_static_files(client, settings, tmp_path):
    """DEBUG off (make run, production) serves static files from collectstatic's manifest."""
    from mobile.assets import FORM_ASSETS, PAGE_ASSETS

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    paths = {name: name.replace(".", ".0123abcd.", 1) for name in PAGE_ASSETS + FORM_ASSETS}
    (tmp_path / "staticfiles.json").write_text(json.dumps({"paths": paths, "version": "1.1"}))
    response = client.get("/sw.js")
    assert response.status_code == 200
    config = json.loads(response.content.decode().split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["static"] == "/static/" and "/static/mobile/app.0123abcd.js" in config["assets"]


def test_staff_pages_link_the_app_and_public_pages_stay_plain(client, world):
    public = client.get("/").content.decode()  # the public landing page
    assert 'rel="manifest"' not in public and "mobile/app.js" not in public
    client.force_login(world.worker)
    workbench = client.get("/").content.decode()
    assert 'rel="manifest"' in workbench and "mobile/app.js" in workbench
    assert f'<meta name="ng-user" content="{world.worker.pk}">' in workbench
    assert '<meta name="ng-page-time" content="2025-06-09 09:00">' in workbench  # Beijing time of the page
    assert "<script>" not in workbench  # scripts are files (CSP: script-src 'self')
    report = client.get(reverse("events:report")).content.decode()
    assert 'data-ng-draft="events:report"' in report and "browser-image-compression" in report
    grid_card = client.get(reverse("public:grid-card", args=[world.tree.grid.code])).content.decode()
    assert 'rel="manifest"' not in grid_card  # a public page, though signed in


def test_outbox_page_is_for_signed_in_staff(client, world):
    assert client.get("/mobile/outbox/").status_code == 302
    client.force_login(world.worker)
    page = client.get("/mobile/outbox/")
    assert page.status_code == 200 and 'id="ng-outbox-list"' in page.content.decode()


def test_logout_answer_tells_the_browser_to_clear_the_site(client, world):
    client.force_login(world.worker)
    assert "Clear-Site-Data" not in client.get("/")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Clear-Site-Data"] == '"cache", "storage"'
    # A phone whose session already ended is emptied too when the worker taps 退出.
    assert client.post("/accounts/logout/")["Clear-Site-Data"] == '"cache", "storage"'


def test_recordings_are_told_by_their_bytes():
    assert audio_container(WEBM) == "webm"
    assert audio_container(OGG) == "ogg"
    assert audio_container(M4A) == "mp4"
    assert audio_container(b"\x1a\x45\xdf\xa3" + bytes(60)) is None  # EBML, but not WebM (e.g. Matroska)
    assert audio_container(b"RIFF....WAVEfmt ") is None


def test_a_voice_note_is_kept_as_recorded_and_a_lying_one_refused(world, media):
    event = world.report()
    note = attachment_add(
        actor=world.worker, event=event, file=SimpleUploadedFile("voice.webm", WEBM, content_type="audio/webm")
    )
    assert (note.content_type, note.extension, note.size, note.width) == ("audio/webm", "webm", len(WEBM), None)
    assert note.file.read() == WEBM
    for name, content, declared in [
        ("voice.jpg", WEBM, "image/jpeg"),  # a recording that says it is a photo
        ("voice.webm", OGG, "audio/webm"),  # an Ogg file that says it is WebM
        ("voice.webm", b"not audio at all", "audio/webm"),
    ]:
        with pytest.raises(ValidationError):
            attachment_add(actor=world.worker, event=event, file=SimpleUploadedFile(name, content, declared))


def test_voice_note_too_long_is_refused(world, media, settings):
    settings.VOICE_NOTE_MAX_BYTES = 32
    with pytest.raises(ValidationError, match="语音过长"):
        attachment_add(actor=world.worker, event=world.report(), file=SimpleUploadedFile("v.webm", WEBM, "audio/webm"))


def test_report_form_takes_a_voice_note_and_the_page_plays_it(client, world, media):
    client.force_login(world.worker)
    form = {
        "area": world.tree.grid.pk,
        "item": world.item.pk,
        "grade": "general",
        "title": "噪声扰民",
        "description": "夜间施工噪声。",
        "discovered_at": "2025-06-09T08:30",
        "voice": SimpleUploadedFile("voice.webm", WEBM, content_type="audio/webm"),
    }
    response = client.post(reverse("events:report"), form)
    event = Event.objects.get()
    assert response.status_code == 302
    note = event.attachments.get()
    detail = client.get(reverse("events:detail", args=[event.number])).content.decode()
    src = f"/events/{event.number}/attachments/{note.pk}/"
    assert f'<audio controls preload="none" class="ng-voice-note" src="{src}"' in detail
    served = client.get(f"/events/{event.number}/attachments/{note.pk}/")
    assert served["Content-Type"] == "audio/webm" and b"".join(served.streaming_content) == WEBM


def test_an_item_not_in_force_is_refused_with_a_reason_the_worker_can_act_on(client, world):
    client.force_login(world.worker)
    form = {"area": world.tree.grid.pk, "item": world.item.pk + 999, "grade": "general", "title": "x"}
    response = client.post(reverse("events:report"), {**form, "description": "y", "discovered_at": "2025-06-09T08:30"})
    assert "该事项不在本网格现行的事项清单中" in response.content.decode()


def test_a_draft_sent_by_the_phone_learns_its_event_without_loading_the_event_page(client, world):
    client.force_login(world.worker)
    form = {
        "area": world.tree.grid.pk,
        "item": world.item.pk,
        "grade": "general",
        "title": "路灯不亮",
        "description": "小区门口路灯不亮。",
        "discovered_at": "2025-06-09T08:30",
        "submission_key": "0b5c7a3e-8d51-4c1e-9a43-2f6b1e0c9d10",
    }
    first = client.post(reverse("events:report"), form, headers={"X-Ng-Draft": "1"})
    again = client.post(reverse("events:report"), form, headers={"X-Ng-Draft": "1"})  # the answer was lost
    event = Event.objects.get()
    where = reverse("events:detail", args=[event.number])
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"location": where} and first["X-Ng-Location"] == where
    # The success message waits for the next page the worker opens.
    assert f"事件已上报，编号 {event.number}。" in client.get(where).content.decode()
    refused = client.post(reverse("events:report"), {**form, "title": ""}, headers={"X-Ng-Draft": "1"})
    assert refused.status_code == 200 and "X-Ng-Location" not in refused
    assert 'id="id_title_error"' in refused.content.decode()


def test_a_session_ending_elsewhere_leaves_the_drafts_on_the_phone(rf, world):
    """A timeout or an administrator ending the session logs out inside another request:
    its answer must not wipe drafts that were never sent (they go when the worker signs
    in again; another user signing in clears them in the browser)."""
    from django.contrib.auth import logout
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import resolve

    from mobile.middleware import ClearSiteDataOnLogoutMiddleware

    def view(request):
        logout(request)  # as a session timeout does, in the middle of sending a draft
        return HttpResponse(status=302)

    request = rf.post(reverse("events:report"))
    request.user, request.session = world.worker, SessionStore()
    request.resolver_match = resolve(reverse("events:report"))
    assert "Clear-Site-Data" not in ClearSiteDataOnLogoutMiddleware(view)(request)
