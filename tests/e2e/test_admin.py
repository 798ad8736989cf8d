"""The project's form renderer and styles must leave the Django admin usable."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.factories import UserFactory

from .conftest import login

pytestmark = pytest.mark.e2e


def test_admin_change_form_still_renders_and_saves(page_at, shot, staffed):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    page = page_at("desktop")
    login(page, "root")
    page.goto(f"/admin/auth/user/{staffed.worker_user.pk}/change/")
    expect(page.locator("#id_username")).to_have_value("gridworker")
    expect(page.locator("#id_groups_from")).to_be_visible()  # admin's own widget JS still runs
    page.fill("#id_last_name", "网格员")
    shot(page, "user-change")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_be_visible()
    assert get_user_model().objects.get(pk=staffed.worker_user.pk).last_name == "网格员"
