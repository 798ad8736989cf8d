"""Logout empties the phone: the answer to the logout page's request (URL name `logout`)
carries `Clear-Site-Data: "cache", "storage"`, so the browser drops its page copies,
offline drafts (IndexedDB) and the service worker of this site (personal data must not
stay on a shared phone; issue #19 item 5).

It hangs on Django's `user_logged_out` signal and the view's URL name, not on a path or
a form, so it holds whatever the logout page looks like. A session that ends by itself
(an idle or absolute timeout, an administrator ending it) does NOT clear the phone: the
worker's unsent drafts would be lost when the signal comes back; they stay until the
same worker signs in again and they are sent, and another user signing in on the phone
clears them (static/mobile/app.js). The page's own script also clears drafts and caches
before the logout form is sent (asking first when unsent drafts would be lost).
"""

from django.http import HttpRequest, HttpResponse, JsonResponse

HEADER_VALUE = '"cache", "storage"'


#: The URL name of the page whose logout empties the phone.
LOGOUT_URL_NAME = "logout"


def mark_logout(sender, request=None, **kwargs) -> None:
    """`user_logged_out` receiver: mark the logout page's request so its answer clears
    the site's data (a logout elsewhere, e.g. a session timeout, is left alone)."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name == LOGOUT_URL_NAME:
        request.clear_site_data = True


class ClearSiteDataOnLogoutMiddleware:
    """Adds `Clear-Site-Data` to the answer of a request marked by `mark_logout`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "clear_site_data", False):
            response["Clear-Site-Data"] = HEADER_VALUE
        return response


class DraftAnswerMiddleware:
    """A draft sent by the phone's outbox (a form POST with header `X-Ng-Draft: 1`, see
    static/mobile/store.js) is answered a redirect as `200 {"location": url}` with header
    `X-Ng-Location` instead of the 302: the phone learns the event's address without
    downloading the event page on a weak network, and the page's success message stays
    in the session for the next page the worker opens. Any other answer (the form shown
    again with its errors, a 404) passes unchanged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method == "POST" and request.headers.get("X-Ng-Draft") == "1" and response.status_code == 302:
            location = response["Location"]
            answer = JsonResponse({"location": location})
            answer["X-Ng-Location"] = location
            answer["Cache-Control"] = "no-store"
            return answer
        return response
