"""The installable app's files and the outbox page (issue #19).

- `GET /sw.js`: the service worker, at the site's root so its scope covers the staff
  pages (`/`, `/events/…`); it leaves the plain pages (`mobile.assets.PLAIN_PREFIXES`)
  and every non-GET request to the network. Rendered from a template so its list of
  static files names the served (hashed) files; never cached by the browser's HTTP
  cache (`Cache-Control: no-cache`), so a new deployment's worker is picked up.
- `GET /manifest.webmanifest`: the web app manifest (Chinese name, standalone display).
- `GET /mobile/outbox/`: the outbox page; the drafts themselves live only in the
  browser (IndexedDB, static/mobile/store.js), so the page is a shell the script fills.
"""

import hashlib
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from .assets import FORM_ASSETS, OFFLINE_PAGES, PAGE_ASSETS, PLAIN_PREFIXES, static_urls

THEME_COLOR = "#0b4f8a"  # --ng-primary in static/css/app.css


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """GET /sw.js: the service worker script (see the module docstring)."""
    assets = static_urls(PAGE_ASSETS + FORM_ASSETS)
    version = hashlib.sha256(json.dumps([assets, OFFLINE_PAGES]).encode()).hexdigest()[:12]
    config = {
        "version": version,
        "assets": assets,
        "pages": list(OFFLINE_PAGES),
        "plain": list(PLAIN_PREFIXES),
        # the prefix, not static(""): a manifest storage (DEBUG off) has no entry for ""
        "static": settings.STATIC_URL,
    }
    body = render_to_string("mobile/sw.js", {"config": json.dumps(config)})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """GET /manifest.webmanifest: name 宁波网格通, standalone, opens the workbench."""
    body = {
        "name": "宁波市城乡网格化服务管理平台",
        "short_name": "宁波网格通",
        "description": "网格员工作台：上报事件、就地处置、待办任务，无信号时先存草稿，有网络时自动发送。",
        "lang": "zh-CN",
        "dir": "ltr",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": static("mobile/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("mobile/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("mobile/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")
    response["Cache-Control"] = "max-age=86400"
    return response


@login_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """GET /mobile/outbox/: what waits to be sent, what was sent, what was refused and why."""
    return render(request, "mobile/outbox.html")
