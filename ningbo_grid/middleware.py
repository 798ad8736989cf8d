"""Request-level middleware shared by every app."""

import logging
import uuid

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy
from django.utils.translation.trans_real import parse_accept_lang_header

from events.open311 import formats as georeport

from .api import error_body

log = logging.getLogger(__name__)

API_PREFIXES = ("/api/", "/open311/")


class RequestIdMiddleware:
    """Give every request an id, echoed in the `X-Request-ID` response header.

    A caller may send its own `X-Request-ID` (up to 64 printable ASCII characters) to
    trace a request across systems; otherwise a random hex id is made. API error bodies
    repeat it as `request_id` so a department's support desk can quote it (Art. 11).
    """

    header = "HTTP_X_REQUEST_ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get(self.header, "")
        if not (0 < len(given) <= 64 and given.isascii() and given.isprintable()):
            given = uuid.uuid4().hex
        request.request_id = given
        response = self.get_response(request)
        response["X-Request-ID"] = given
        return response


def chosen_language(request: HttpRequest) -> str:
    """The language of the answer.

    Pages: the language the user picked with the language switch (`set_language`'s
    cookie), else `LANGUAGE_CODE` (Chinese). The browser's Accept-Language is deliberately
    ignored there: the platform is Chinese-first, and English appears only when someone
    asks for it. API and Open311 paths (`is_api`): the first supported language of the
    request's `Accept-Language` (a system asking for `en` gets English messages), else
    the cookie, else Chinese.
    """
    if is_api(request):
        for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
            if code != "*" and (supported := _supported(code)):
                return supported
    return _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or "") or settings.LANGUAGE_CODE


def _supported(code: str) -> str | None:
    """The supported variant of language `code` (`en-US` → `en`), or None."""
    try:
        return translation.get_supported_language_variant(code) if code else None
    except LookupError:
        return None


class ChosenLanguageMiddleware:
    """Django's LocaleMiddleware, with the Accept-Language step for the API only (see
    `chosen_language`).

    The platform uses no language-prefixed URLs, so the rest of LocaleMiddleware
    (redirects to prefixed paths) has nothing to do. Responses vary on the cookie that
    chose the language (and API answers on Accept-Language), and say which language they
    are in. Unlike LocaleMiddleware,
    the request's language is undone afterwards (a later render on the same thread,
    e.g. a 500 page without a request, starts from Chinese again).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # `override`, not `activate`: the language is undone when the response is made, so
        # it never carries over to whatever this thread renders next.
        with translation.override(chosen_language(request)):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        patch_vary_headers(response, ("Cookie", "Accept-Language") if is_api(request) else ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIXES)


def api_error(request: HttpRequest, status: int, message, code: str | None = None) -> HttpResponse:
    """An error answer in the API's shape: GeoReport's (`events.open311.formats.error`,
    JSON or XML by the URL's suffix) within `/open311/`, else `ningbo_grid.api.error_body`
    with the machine `code`. A lazy `message` is rendered in the request's language
    (`chosen_language`: these answers are made outside `ChosenLanguageMiddleware`)."""
    with translation.override(chosen_language(request)):
        if georeport.is_open311(request.path_info):
            return georeport.error(georeport.format_of(request.path_info), status, message)
        return JsonResponse(error_body(request, message, code=code, status_code=status), status=status)


#: What an Open311 error without a view's own message says (GeoReport has no machine codes).
OPEN311_MESSAGES = {
    403: gettext_lazy("拒绝访问。"),
    404: gettext_lazy("没有该接口。GeoReport v2 的接口见 discovery.json。"),
    405: gettext_lazy("该接口不支持此请求方法。"),
}


#: What an API error without a view's own message says.
API_MESSAGES = {
    403: gettext_lazy("拒绝访问。"),
    404: gettext_lazy("没有该接口。"),
    405: gettext_lazy("该接口不支持此请求方法。"),
}


class MalformedRequestMiddleware:
    """Refuse what no view can handle before it reaches one (400/413, never 500).

    - A NUL character in the path or the query string (percent-encoded `%00`): 400.
      PostgreSQL refuses NUL in text, so a filter reaching the database would fail.
    - On API paths, a declared body larger than `DATA_UPLOAD_MAX_MEMORY_SIZE`: 413
      (DRF's parsers read the stream without Django's size check).
    - A multipart body Django cannot parse (e.g. no boundary): 400. Django's CSRF
      middleware reads `request.POST` and would otherwise turn the error into a 500.
    API paths answer in the JSON error shape; pages get a plain 400.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = is_api(request)
        if (
            "\x00" in request.path_info
            or "%00" in request.META.get("QUERY_STRING", "")
            or "\x00" in request.META.get("QUERY_STRING", "")
        ):
            message = gettext_lazy("请求地址不得包含空字符（NUL）。")
            if api:
                return api_error(request, 400, message, code="parse_error")
            return HttpResponseBadRequest(message)
        if api:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and length > limit:
                return api_error(request, 413, gettext_lazy("请求内容过大。"), code="payload_too_large")
        if request.method == "POST" and request.content_type.startswith("multipart/"):
            try:
                request.POST  # noqa: B018 (parse now, where the error can be answered)
            except MultiPartParserError:
                message = gettext_lazy("无法解析的表单内容。")
                if api:
                    return api_error(request, 400, message, code="parse_error")
                return HttpResponseBadRequest(message)
        return self.get_response(request)


class ApiErrorMiddleware:
    """Give API paths API errors even when no API view answered.

    Django's own 404 (unknown URL), 405 from plain views, 403 from the CSRF check, 413
    (`RequestDataTooBig`) and unexpected exceptions (logged, 500) come back in the
    `{"detail", "errors", "request_id"}` shape on `/api/`, and in GeoReport's error
    shape (JSON or XML by the suffix) on `/open311/` (see `api_error`), instead of HTML.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api(request) or response.status_code < 400:
            return response
        if georeport.is_open311(request.path_info):
            if getattr(response, "georeport", False):
                return response
            detail = OPEN311_MESSAGES.get(response.status_code, response.reason_phrase)
            return self._keep_headers(response, api_error(request, response.status_code, detail))
        content_type = response.get("Content-Type", "")
        if "json" in content_type or "xml" in content_type:
            return response
        detail = API_MESSAGES.get(response.status_code, response.reason_phrase)
        return self._keep_headers(response, api_error(request, response.status_code, detail))

    @staticmethod
    def _keep_headers(response: HttpResponse, replaced: HttpResponse) -> HttpResponse:
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                replaced[header] = response[header]
        return replaced

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api(request):
            return None
        if isinstance(exception, RequestDataTooBig):
            return api_error(request, 413, gettext_lazy("请求内容过大。"), code="payload_too_large")
        if settings.DEBUG:
            return None
        log.exception("unhandled error on %s", request.path, exc_info=exception)
        return api_error(request, 500, gettext_lazy("服务器内部错误。"), code="server_error")
