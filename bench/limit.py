"""The limit of a list page, served through the same gunicorn as the platform (bench only).

`GET /bench/limit/<name>/?township=…&county=…&unit=…&item=…&deep_at=…&deep_id=…` runs
`RAW_SQL[name]` (the same page the platform's list reads, written by hand) on the
request's connection and answers its rows as JSON (orjson, as the platform's renderer):
no session, no scope, no serializer. What is left is the HTTP floor plus the SQL, so
`ours / limit` compares like with like (bench/run.py). Mounted only by bench/urls.py.
"""

import orjson
from django.db import connection
from django.http import Http404, HttpResponse

OPEN = "reported,escalated,accepted,dispatched,handling,suspended,result_submitted,verified"
#: What waits for a handling unit (events.views.handler_q): to sign, to handle, suspended.
UNIT_OPEN = "dispatched,handling,suspended"

COLUMNS = (
    "e.id, e.number, e.tracking_code, e.item_id, e.category, e.grade, e.status, e.level, e.area_id,"
    " e.township_id, e.county_id, e.title, e.address, e.reported_at, e.accepted_at, e.dispatched_at,"
    " e.closed_at, e.lead_unit_id, e.accept_due_at, e.complete_due_at, e.alert_level, e.version"
)
ORDER = " ORDER BY e.reported_at DESC, e.id DESC LIMIT %(limit)s"
RAW_SQL = {
    "queue": f"SELECT {COLUMNS} FROM events_event e WHERE e.township_id = %(township)s"
    " AND e.status = ANY(%(open)s)" + ORDER,
    # Keyset, as the cursor does: the rows after the 380th of the township's history.
    "township_deep": f"SELECT {COLUMNS} FROM events_event e WHERE e.township_id = %(township)s"
    " AND (e.reported_at, e.id) < (%(deep_at)s, %(deep_id)s)" + ORDER,
    "unit": f"SELECT {COLUMNS} FROM events_event e WHERE e.lead_unit_id = %(unit)s"
    " AND e.status = ANY(%(unit_open)s)" + ORDER,
    "county_item": f"SELECT {COLUMNS} FROM events_event e WHERE e.county_id = %(county)s AND e.status = 'closed'"
    " AND e.item_id = %(item)s" + ORDER,
    "city_state": f"SELECT {COLUMNS} FROM events_event e WHERE e.status = 'handling'" + ORDER,
    "city_all": f"SELECT {COLUMNS} FROM events_event e" + ORDER,
}


def page_json(name: str, params: dict) -> bytes:
    """The rows of `RAW_SQL[name]` with `params` (subjects of bench/run.py) as JSON bytes."""
    with connection.cursor() as cur:
        cur.execute(RAW_SQL[name], {"limit": 20, "open": OPEN.split(","), "unit_open": UNIT_OPEN.split(","), **params})
        cols = [c.name for c in cur.description]
        return orjson.dumps([dict(zip(cols, row, strict=True)) for row in cur.fetchall()], default=str)


def limit_view(request, name: str):
    """The page `name` by hand (see the module docstring); 404 for an unknown name."""
    if name not in RAW_SQL:
        raise Http404(name)
    params = {
        k: v
        for k, v in request.GET.items()
        if k in {"township", "county", "unit", "item", "deep_at", "deep_id", "limit"}
    }
    return HttpResponse(page_json(name, params), content_type="application/json")
