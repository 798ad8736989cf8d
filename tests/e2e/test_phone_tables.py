"""On a phone a wide table scrolls sideways by itself; the page never gets wider than the screen."""

import pytest

from evaluation.choices import SubjectKind
from tests.evaluation.factories import build_record, scheme_period, with_authority

from .conftest import SIZES, login

pytestmark = [pytest.mark.e2e]

RULES = [
    {"code": "events_reported", "group": "运行成效", "weight": 40, "floor": 0, "target": 10},
    {"code": "closure_rate", "group": "履职情况", "weight": 60, "floor": 0, "target": 100},
]


def test_the_scheme_list_in_english_fits_a_phone(page_at, transactional_db):
    r = with_authority(build_record())
    scheme_period(r, "网格长、专职网格员、网格指导员月度考评", SubjectKind.TOWNSHIP, RULES)
    page = page_at("phone")
    login(page, r.supervisor.username)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.url}])
    page.goto("/evaluation/schemes/")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"]["width"]
    # The English headers do not fit: the table scrolls within itself.
    assert page.locator("main table").evaluate("t => t.scrollWidth > t.clientWidth")
