"""Hostile query values never cause a 500: every filter of every filterset, and the
API lists and Open311 parameters that parse numbers and times, answer 200 or 400.

Generic on purpose: a filterset or filter added later is covered without a new test
(`_all_filtersets` finds every FilterSet class of the project's apps).
"""

import importlib
import importlib.util

import django_filters
import pytest
from django.apps import apps
from django.conf import settings
from django.urls import get_resolver
from rest_framework.test import APIClient

from ningbo_grid.filters import FilterSet
from tests.scenario import make_world

HOSTILE = [
    "9" * 30,
    "-" + "9" * 30,
    "9223372036854775808",
    "1e400",
    "-1e400",
    "NaN",
    "Infinity",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01",
    "9999-12-31",
    "a\x00b",
    "\x00",
    "",
    "长" * 300,
]

# Installed packages live under site-packages, wherever the virtualenv is (a worktree's
# `.venv` may be a symlink to another checkout's).
PROJECT_APPS = {
    config.name
    for config in apps.get_app_configs()
    if config.path.startswith(str(settings.BASE_DIR)) and "site-packages" not in config.path
}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _all_filtersets():
    # Import every app's filtersets (and the API views that bring their own).
    for name in sorted(PROJECT_APPS):
        for module in ("filtersets", "api.filtersets"):
            if importlib.util.find_spec(name + "." + module.split(".")[0]) and importlib.util.find_spec(
                f"{name}.{module}"
            ):
                importlib.import_module(f"{name}.{module}")
    found = {
        cls
        for cls in _subclasses(django_filters.FilterSet)
        if cls.__module__.split(".")[0] in PROJECT_APPS and cls._meta.model is not None
    }
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__name__}")


FILTERS = [(fs, name) for fs in _all_filtersets() for name in fs.base_filters]


def test_the_battery_finds_the_filtersets_it_must_cover():
    names = {fs.__name__ for fs, _ in FILTERS}
    assert {"EventApiFilterSet", "WebhookDeliveryFilterSet", "AreaFilterSet", "StaffFilter"} <= names


def test_every_filterset_bounds_its_numbers_and_times():
    """All of them take the project's base, which bounds integers and times."""
    assert [fs.__name__ for fs, _ in FILTERS if not issubclass(fs, FilterSet)] == []


@pytest.mark.parametrize(("filterset", "name"), FILTERS, ids=[f"{fs.__name__}.{n}" for fs, n in FILTERS])
def test_every_filter_refuses_or_applies_hostile_values(db, filterset, name):
    """Each value either fails validation (a 400 with a field message) or filters without
    a database error — SQLite's 64-bit integers and both backends' date ranges included."""
    for value in HOSTILE:
        fs = filterset({name: value}, queryset=filterset._meta.model.objects.all())
        if fs.is_valid():
            list(fs.qs[:1])
        else:
            assert fs.errors, value


@pytest.fixture
def scenario(db):
    return make_world()


def _api_lists_with_filters():
    """(url, filter names) of every API list that has a filterset."""
    rows = []
    for pattern in get_resolver().url_patterns:
        if str(pattern.pattern) != "api/v1/":
            continue
        stack = [(str(pattern.pattern), p) for p in pattern.url_patterns]
        while stack:
            prefix, entry = stack.pop()
            if hasattr(entry, "url_patterns"):
                stack.extend((prefix + str(entry.pattern), p) for p in entry.url_patterns)
                continue
            cls = getattr(entry.callback, "cls", None)
            actions = getattr(entry.callback, "actions", None) or {}
            filterset = getattr(cls, "filterset_class", None)
            if filterset and actions.get("get") == "list" and "<" not in str(entry.pattern):
                route = (prefix + str(entry.pattern)).replace("^", "").replace("$", "")
                if "(?P" not in route and "\\." not in route:
                    rows.append(("/" + route, sorted(filterset.base_filters)))
    return rows


def test_api_lists_answer_400_or_200_for_hostile_values(scenario, settings):
    # Thousands of requests in a few seconds: the per-user rate limit (tested in
    # test_throttling.py) would answer 429 long before the battery ends.
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "user": None}
    api = APIClient()
    api.force_login(scenario.superuser)
    lists = _api_lists_with_filters()
    assert {"/api/v1/events/", "/api/v1/integrations/deliveries/"} <= {url for url, _ in lists}
    for url, names in lists:
        for name in names:
            for value in HOSTILE:
                response = api.get(url, {name: value})
                assert response.status_code in (200, 400), (url, name, value, response.content[:200])


@pytest.mark.parametrize(
    ("url", "name", "value"),
    [
        ("/api/v1/events/", "lead_unit", "9" * 30),
        ("/api/v1/events/", "updated_since", "0001-01-01T00:00:00+14:00"),
        ("/api/v1/events/", "updated_since", "9999-12-31T23:59:59-12:00"),
        ("/api/v1/integrations/deliveries/", "updated_since", "0001-01-01T00:00:00+14:00"),
        ("/api/v1/integrations/deliveries/", "updated_since", "9999-12-31T23:59:59-12:00"),
    ],
)
def test_the_reported_values_are_400_with_a_field_message(scenario, url, name, value):
    api = APIClient()
    api.force_login(scenario.superuser)
    response = api.get(url, {name: value})
    assert response.status_code == 400, response.content[:300]
    assert response.json()["errors"][name]


@pytest.mark.parametrize("name", ["start_date", "end_date"])
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "9" * 30])
def test_open311_dates_out_of_range_are_400_naming_the_parameter(db, client, name, value):
    response = client.get("/open311/v2/requests.json", {name: value})
    assert response.status_code == 400, response.content[:300]
    assert name in response.content.decode()


def test_open311_end_date_near_the_first_day_lists_without_error(db, client):
    """The default window (the 90 days before `end_date`) must not reach before year 1."""
    assert client.get("/open311/v2/requests.json", {"end_date": "0001-01-03T00:00:00Z"}).status_code == 200
