"""Generic checks run for every API list/detail endpoint.

To cover an endpoint, subclass `EndpointContract` in a test module and fill in:

- `list_url` (e.g. "/api/v1/integrations/clients/") and `detail_url(row)`;
- `make_rows(scenario, n, in_scope)` → list of `n` rows that `scenario.supervisor`
  may (`in_scope=True`) or may not see;
- optionally `viewer` / `no_permission` (names of `Scenario` users; default
  "supervisor" / "outsider"), and
  `no_permission_status`: 403 when a user without the permission is refused the list,
  or 200 when they get an empty list (the usual `restrict()` behaviour);
- `results_key` and `page_size_param` for the pagination in use ("results"/"limit" for
  `BoundedLimitOffsetPagination`, "results"/"page_size" for `StableCursorPagination`);
- for endpoints whose rows have no `id`: `id_field` (e.g. "code") and `row_key(row)`;
- `has_list = False` for detail-only endpoints (then `detail_url(row)` is required and
  the list checks are skipped);
- `list_params(scenario)` to narrow the list to the kind of rows made, and
  `extra_visible(scenario)`: keys of rows the scenario itself already puts in the
  viewer's list with those params.

Example (tests/api/test_grids_endpoints.py covers /api/v1/grids/ this way).

Checks: anonymous → 401 with `WWW-Authenticate: Api-Key` (no credentials or a bad key); no permission → 403
or an empty list; in scope → 200 with the exact rows; out of scope → 404 on detail and
absent from the list; the number of SQL queries does not grow with the page size (5
rows vs 50).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.scenario import make_world


class EndpointContract:
    list_url: str = ""
    viewer = "supervisor"
    no_permission = "outsider"
    id_field = "id"
    no_permission_status = 200
    results_key = "results"
    page_size_param = "limit"
    has_list = True

    def row_key(self, row):
        return row.pk

    def detail_url(self, row) -> str:
        return f"{self.list_url}{self.row_key(row)}/"

    def list_params(self, scenario) -> dict:
        return {}

    def extra_visible(self, scenario) -> set:
        return set()

    def make_rows(self, scenario, n: int, in_scope: bool) -> list:
        raise NotImplementedError

    @pytest.fixture
    def scenario(self, db):
        return make_world()

    def _client(self, scenario, who):
        from rest_framework.test import APIClient

        client = APIClient()
        if who:
            client.force_login(getattr(scenario, who))
        return client

    def _ids(self, response) -> set:
        body = response.json()
        rows = body[self.results_key] if isinstance(body, dict) else body
        return {row[self.id_field] for row in rows}

    def _need_list(self):
        if not self.has_list:
            pytest.skip("detail-only endpoint")

    def test_anonymous_is_refused_with_401(self, scenario):
        (row,) = self.make_rows(scenario, 1, in_scope=True)
        client = self._client(scenario, None)
        for url in ([self.list_url] if self.has_list else []) + [self.detail_url(row)]:
            response = client.get(url)
            assert response.status_code == 401, url
            assert response["WWW-Authenticate"] == 'Api-Key realm="api"', url
            assert set(response.json()) >= {"detail", "errors", "request_id"}

    def test_user_without_permission_gets_nothing(self, scenario):
        (row,) = self.make_rows(scenario, 1, in_scope=True)
        client = self._client(scenario, self.no_permission)
        if self.has_list:
            response = client.get(self.list_url, self.list_params(scenario))
            assert response.status_code == self.no_permission_status
            if response.status_code == 200:
                assert self._ids(response) == set()
        assert client.get(self.detail_url(row)).status_code in (403, 404)

    def test_in_scope_rows_are_listed_exactly(self, scenario):
        self._need_list()
        mine = self.make_rows(scenario, 3, in_scope=True)
        self.make_rows(scenario, 2, in_scope=False)
        response = self._client(scenario, self.viewer).get(self.list_url, self.list_params(scenario))
        assert response.status_code == 200
        assert self._ids(response) == {self.row_key(row) for row in mine} | self.extra_visible(scenario)

    def test_in_scope_detail_answers_200(self, scenario):
        (row,) = self.make_rows(scenario, 1, in_scope=True)
        response = self._client(scenario, self.viewer).get(self.detail_url(row))
        assert response.status_code == 200
        assert response.json()[self.id_field] == self.row_key(row)

    def test_out_of_scope_detail_is_404(self, scenario):
        (row,) = self.make_rows(scenario, 1, in_scope=False)
        response = self._client(scenario, self.viewer).get(self.detail_url(row))
        assert response.status_code == 404
        assert set(response.json()) >= {"detail", "errors", "request_id"}

    def test_query_count_does_not_grow_with_page_size(self, scenario):
        self._need_list()
        client = self._client(scenario, self.viewer)
        self.make_rows(scenario, 5, in_scope=True)
        params = {**self.list_params(scenario), self.page_size_param: 100}
        client.get(self.list_url, params)  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as small:
            assert client.get(self.list_url, params).status_code == 200
        self.make_rows(scenario, 45, in_scope=True)
        with CaptureQueriesContext(connection) as large:
            response = client.get(self.list_url, params)
        assert len(self._ids(response)) == 50 + len(self.extra_visible(scenario))
        assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
