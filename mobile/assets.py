"""Which pages count as the staff side on the phone, and the static files it needs offline."""

from django.templatetags.static import static

from grids.templatetags.maps import MAP_FILES

#: Paths that stay plain web pages: no manifest, no offline copy, no drafts.
PLAIN_PREFIXES = ("/public/", "/admin/", "/accounts/", "/api/", "/open311/", "/i18n/")

#: Static files every staff page uses (kept by the service worker on install).
PAGE_ASSETS = (
    "vendor/bootstrap/bootstrap.min.css",
    "css/app.css",
    "css/print.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "vendor/idb-keyval/umd.js",
    "mobile/store.js",
    "mobile/app.js",
    "mobile/outbox.js",
    "mobile/icon-192.png",
)
#: Static files of the forms that keep drafts (with the position picker's map).
FORM_ASSETS = (
    "vendor/browser-image-compression/browser-image-compression.js",
    "mobile/form.js",
    *MAP_FILES,
)
#: Pages kept on install, so they open offline even before the worker visits them
#: (each is tried on its own: a page the user may not open is skipped).
OFFLINE_PAGES = ("/", "/events/tasks/", "/events/report/", "/events/self-handle/", "/mobile/outbox/")


def is_staff_page(request) -> bool:
    """Whether `request` is a signed-in user's page of the staff side (not a plain page)."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and not request.path.startswith(PLAIN_PREFIXES))


def static_urls(names) -> list[str]:
    """The served (hashed, in production) URLs of static `names`."""
    return [static(name) for name in names]
