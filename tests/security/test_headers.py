"""Security headers on every kind of page: a strict Content-Security-Policy (no inline
script or style), HSTS and the other `check --deploy` settings in production."""

import io

import pytest
from django.core.management import call_command

PAGES = {
    "workbench": "/",
    "login": "/accounts/login/",
    "public": "/catalog/public/",
    "api": "/api/v1/events/",
    "admin": "/admin/login/",
    "not found": "/no-such-page/",
    "account": "/security/",
}


@pytest.mark.parametrize("kind", list(PAGES))
def test_every_page_type_carries_the_policy(client, plain_user, kind):
    client.force_login(plain_user)
    response = client.get(PAGES[kind])
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_production_sends_hsts_over_https(client, settings, plain_user):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_templates_have_no_inline_script_or_style():
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if path.name == "redoc.html":  # the API docs page has its own, relaxed policy
            continue
        for needle in ("<script>", "<style", ' style="', " onclick=", " onload="):
            if needle in text:
                offenders.append(f"{path.name}: {needle}")
    assert offenders == []


def test_check_deploy_is_clean_with_production_settings(settings, monkeypatch):
    # The browser tests' conftest allows the ORM under Playwright's event loop; not a deployment's.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    out = io.StringIO()
    call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=out)
    assert "no issues" in out.getvalue()


def test_the_map_tile_host_is_allowed_for_images():
    from ningbo_grid.settings import _tile_origin

    assert _tile_origin("") == []
    assert _tile_origin("https://tiles.internal/{z}/{x}/{y}.png") == ["https://tiles.internal"]
    assert _tile_origin("https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY") == ["https://*.tianditu.gov.cn"]
