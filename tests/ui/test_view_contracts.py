"""Generic contract checks for every HTML view (as NetBox's `ViewTestCases`), on `make_world()`.

Each row of `PAGES` names one page (or one POST action) and, where they apply:

- anonymous: a login page redirect (`/accounts/login/?next=…`), or 200 for public pages;
- `viewer`: a user in scope gets 200 (or `viewer_status`), and a list page shows exactly
  the rows made in scope (their `text`), none of those made out of scope;
- `outsider`: a user with a role elsewhere (the other district) gets 404 on an object
  page: the object is not confirmed to exist;
- `wrong_role`: a user who may see the page's object but not act gets 403;
- query count: a list page costs the same number of queries with 3 rows as with 12.

Users are attribute names of `tests.scenario.World`. Rows are made by `rows(world, n,
in_scope)`; an object page's URL is built from one in-scope row.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.scenario import (
    make_api_clients,
    make_district_items,
    make_events,
    make_item_exits,
    make_periods,
    make_responses,
    make_staff,
    make_teams,
    make_world,
)

pytestmark = pytest.mark.django_db


# --- the table ----------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    url: Callable
    viewer: str = "supervisor"
    rows: Callable | None = None
    text: Callable | None = None
    outsider: str | None = None
    wrong_role: str | None = None
    method: str = "get"
    viewer_status: int = 200
    public: bool = False
    is_list: bool = False

    def __str__(self):
        return self.name


def _rev(name, *args):
    return lambda world, row: reverse(name, args=args and [a(world, row) for a in args])


code_of_grid2 = lambda world, row: world.tree.grid2.code  # noqa: E731
code_of_county = lambda world, row: world.tree.county.code  # noqa: E731
pk = lambda world, row: row.pk  # noqa: E731
item_code = lambda world, row: row.code  # noqa: E731
exit_item_code = lambda world, row: row.item.code  # noqa: E731
number = lambda world, row: row.number  # noqa: E731
name_text = lambda row: row.name  # noqa: E731
title_text = lambda row: row.title  # noqa: E731
scheme_text = lambda period: period.scheme.name  # noqa: E731

PAGES = [
    # grids
    Page("grids:index", _rev("grids:index"), viewer="worker"),
    Page("grids:area", _rev("grids:area", code_of_grid2), viewer="worker2", outsider="other_worker"),
    Page(
        "grids:adjust",
        _rev("grids:adjust", code_of_grid2, lambda w, r: "rename"),
        method="post",
        viewer_status=400,
        outsider="other_worker",
        wrong_role="worker2",
    ),
    # personnel
    Page("personnel:staff-list", _rev("personnel:staff-list"), rows=make_staff, text=name_text, is_list=True),
    Page("personnel:staff-detail", _rev("personnel:staff-detail", pk), rows=make_staff, outsider="other_supervisor"),
    Page(
        "personnel:staff-edit",
        _rev("personnel:staff-edit", pk),
        rows=make_staff,
        outsider="other_supervisor",
        wrong_role="worker2",
    ),
    Page("personnel:grid-staff", _rev("personnel:grid-staff", code_of_grid2), outsider="other_supervisor"),
    Page("personnel:insurance-lapsed", _rev("personnel:insurance-lapsed")),
    Page("personnel:team-list", _rev("personnel:team-list"), rows=make_teams, text=name_text, is_list=True),
    Page("personnel:team-detail", _rev("personnel:team-detail", pk), rows=make_teams, outsider="other_supervisor"),
    Page(
        "personnel:team-edit",
        _rev("personnel:team-edit", pk),
        rows=make_teams,
        outsider="other_supervisor",
        wrong_role="worker",
    ),
    # catalog
    Page("catalog:public_list", _rev("catalog:public_list"), public=True),
    Page("catalog:public_changes", _rev("catalog:public_changes"), public=True),
    Page("catalog:public_export_csv", _rev("catalog:public_export_csv"), public=True),
    Page(
        "catalog:item_list",
        _rev("catalog:item_list"),
        viewer="catalog_admin",
        rows=make_district_items,
        text=lambda item: item.code,
        is_list=True,
    ),
    Page(
        "catalog:item_detail",
        _rev("catalog:item_detail", item_code),
        "catalog_admin",
        make_district_items,
        None,
        "other_supervisor",
    ),
    Page(
        "catalog:compare",
        _rev("catalog:compare", item_code),
        "catalog_admin",
        make_district_items,
        None,
        "other_supervisor",
    ),
    Page("catalog:propose", _rev("catalog:propose"), viewer="catalog_admin"),
    Page(
        "catalog:propose_version",
        _rev("catalog:propose_version", item_code),
        "catalog_admin",
        make_district_items,
        None,
        "other_supervisor",
    ),
    Page(
        "catalog:exit_propose",
        _rev("catalog:exit_propose", item_code),
        "catalog_admin",
        make_district_items,
        None,
        "other_supervisor",
    ),
    Page(
        "catalog:version_action",
        _rev("catalog:version_action", lambda w, r: r.current_version.pk, lambda w, r: "review"),
        "catalog_admin",
        make_district_items,
        None,
        "other_supervisor",
    ),
    Page(
        "catalog:exit_action",
        _rev("catalog:exit_action", pk, lambda w, r: "approve"),
        "catalog_admin",
        make_item_exits,
        None,
        "other_supervisor",
    ),
    Page("catalog:import", _rev("catalog:import"), viewer="catalog_admin", wrong_role="worker"),
    Page("catalog:temporary_matters", _rev("catalog:temporary_matters"), viewer="catalog_admin"),
    # evaluation
    Page("evaluation:index", _rev("evaluation:index")),
    Page("evaluation:dashboard-home", _rev("evaluation:dashboard-home"), viewer_status=302),
    Page("evaluation:dashboard", _rev("evaluation:dashboard", code_of_county), outsider="other_supervisor"),
    Page(
        "evaluation:periods", _rev("evaluation:periods"), rows=make_periods, text=lambda p: p.scheme.name, is_list=True
    ),
    Page("evaluation:period", _rev("evaluation:period", pk), rows=make_periods, outsider="other_supervisor"),
    Page(
        "evaluation:period-print", _rev("evaluation:period-print", pk), rows=make_periods, outsider="other_supervisor"
    ),
    Page("evaluation:period-csv", _rev("evaluation:period-csv", pk), rows=make_periods, outsider="other_supervisor"),
    Page(
        "evaluation:period-adjust",
        _rev("evaluation:period-adjust", pk),
        rows=make_periods,
        method="post",
        viewer_status=400,
        outsider="other_supervisor",
    ),
    Page("evaluation:schemes", _rev("evaluation:schemes"), wrong_role="worker"),
    Page("evaluation:scheme-new", _rev("evaluation:scheme-new"), wrong_role="worker"),
    Page(
        "evaluation:scheme-edit",
        _rev("evaluation:scheme-edit", lambda w, r: r.scheme.pk),
        rows=make_periods,
        outsider="other_supervisor",
    ),
    Page("evaluation:accountability", _rev("evaluation:accountability")),
    # integrations
    Page(
        "integrations:client-list",
        _rev("integrations:client-list"),
        rows=make_api_clients,
        text=name_text,
        is_list=True,
        wrong_role="worker",
    ),
    Page(
        "integrations:client-revoke",
        _rev("integrations:client-revoke", pk),
        rows=make_api_clients,
        method="post",
        viewer_status=302,
        outsider="other_supervisor",
    ),
    Page("integrations:webhook-list", _rev("integrations:webhook-list"), wrong_role="worker"),
    # events
    Page("events:list", _rev("events:list"), rows=make_events, text=title_text, is_list=True),
    Page("events:detail", _rev("events:detail", number), viewer="worker", rows=make_events, outsider="other_worker"),
    Page("events:report", _rev("events:report"), viewer="worker"),
    Page("events:self-handle", _rev("events:self-handle"), viewer="worker"),
    Page("events:queue", _rev("events:queue"), viewer="dispatcher"),
    Page("events:tasks", _rev("events:tasks"), viewer="handler"),
    Page("events:overview", _rev("events:overview")),
    Page("events:notifications", _rev("events:notifications"), viewer="worker"),
    Page("events:patrols", _rev("events:patrols"), viewer="worker"),
    Page("events:calendar", _rev("events:calendar"), wrong_role="worker"),
    # emergency
    Page("emergency:index", _rev("emergency:index"), rows=make_responses, text=title_text, is_list=True),
    Page("emergency:new", _rev("emergency:new"), wrong_role="worker"),
    Page("emergency:detail", _rev("emergency:detail", pk), rows=make_responses, outsider="other_supervisor"),
    Page("emergency:board", _rev("emergency:board", pk), rows=make_responses, outsider="other_supervisor"),
    Page(
        "emergency:step",
        _rev("emergency:step", lambda w, r: "response", pk, lambda w, r: "end"),
        rows=make_responses,
        method="post",
        viewer_status=302,
        outsider="other_supervisor",
    ),
]


# --- the checks ---------------------------------------------------------------------------


@pytest.fixture
def world(db):
    return make_world()


def _one_row(page, world):
    return page.rows(world, 1, True)[0] if page.rows else None


def _fetch(client, page, url):
    return getattr(client, page.method)(url)


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_anonymous_is_sent_to_login(client, world, page):
    url = page.url(world, _one_row(page, world))
    response = _fetch(client, page, url)
    if page.public:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == reverse("login")


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_in_scope_viewer_gets_the_page_with_exactly_their_rows(client, world, page):
    row = _one_row(page, world)
    mine = page.rows(world, 2, True) if page.is_list else []
    theirs = page.rows(world, 2, False) if page.is_list else []
    client.force_login(getattr(world, page.viewer))
    response = _fetch(client, page, page.url(world, row))
    assert response.status_code == page.viewer_status
    if page.is_list:
        body = response.content.decode()
        assert all(page.text(r) in body for r in mine)
        assert not any(page.text(r) in body for r in theirs)


@pytest.mark.parametrize("page", [p for p in PAGES if p.outsider], ids=str)
def test_outsider_gets_404(client, world, page):
    client.force_login(getattr(world, page.outsider))
    assert _fetch(client, page, page.url(world, _one_row(page, world))).status_code == 404


@pytest.mark.parametrize("page", [p for p in PAGES if p.wrong_role], ids=str)
def test_wrong_role_gets_403(client, world, page):
    client.force_login(getattr(world, page.wrong_role))
    assert _fetch(client, page, page.url(world, _one_row(page, world))).status_code == 403


@pytest.mark.parametrize("page", [p for p in PAGES if p.is_list], ids=str)
def test_query_count_does_not_grow_with_the_rows(client, world, page):
    client.force_login(getattr(world, page.viewer))
    url = page.url(world, None)
    page.rows(world, 3, True)
    client.get(url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    page.rows(world, 9, True)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
