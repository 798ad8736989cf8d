"""A refusal is a page in the site's layout, with the reason the code gave (in Chinese)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views import defaults

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_permission_denied_page_shows_the_reason_in_the_site_layout():
    request = RequestFactory().get("/catalog/import/")
    request.user = UserFactory()
    response = defaults.permission_denied(request, PermissionDenied("您无权导入事项清单。"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "您无权导入事项清单。" in html
    assert "网格化服务管理平台" in html
