"""GeoReport v2 bodies: JSON or XML by the URL's suffix, and the spec's error shape.

Errors are `[{"code": <HTTP status>, "description": "…"}]` in JSON and
`<errors><error><code/><description/></error></errors>` in XML, whoever answers: the
views, and `ningbo_grid.middleware` for what no view answers within `/open311/` (unknown
URLs, 405, a CSRF 403, 413, a malformed request, a 500). XML is `text/xml` (UTF-8), as
the SeeClickFix open311-validator expects; JSON is `application/json`.
"""

from xml.etree import ElementTree as ET

from django.http import HttpResponse, JsonResponse

PREFIX = "/open311/"
XML_TYPE = "text/xml; charset=utf-8"
#: The element name of a list's entries in XML, by the list's own element name.
LIST_CHILD = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def is_open311(path: str) -> bool:
    return path.startswith(PREFIX)


def format_of(path: str) -> str:
    """ "xml" for a path ending in `.xml` (a trailing slash aside), else "json"."""
    return "xml" if path.rstrip("/").lower().endswith(".xml") else "json"


def _element(tag: str, value) -> ET.Element:
    node = ET.Element(tag)
    if isinstance(value, list):
        for entry in value:
            node.append(_element(LIST_CHILD.get(tag, "item"), entry))
    elif isinstance(value, dict):
        for key, entry in value.items():
            node.append(_element(key, entry))
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)
    return node


def render(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    """`data` as JSON, or as XML under `<root>` (lists' entries named by LIST_CHILD).

    The response is marked `georeport` so the error middleware leaves it as it is."""
    if fmt == "json":
        response = JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        body = ET.tostring(_element(root, data), encoding="utf-8", xml_declaration=True)
        response = HttpResponse(body, status=status, content_type=XML_TYPE)
    response.georeport = True
    return response


def error(fmt: str, status: int, *descriptions) -> HttpResponse:
    """The spec's error answer: one `error` per description, `code` = the HTTP status."""
    return render(fmt, "errors", [{"code": status, "description": str(d)} for d in descriptions], status)
