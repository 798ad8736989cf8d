"""On a phone (390 px, zh-hans): the grid worker opens a household, edits its dwelling (实有房屋)
— rented, floor area, owner and tenant picked masked, rental dates — is told in Chinese when
the rental ends before it starts, corrects it and sees the dwelling saved."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import login
from .test_ledger_journey import ledger  # noqa: F401  (fixture: gridworker's household)

pytestmark = pytest.mark.e2e


@pytest.fixture
def housing(ledger):  # noqa: F811
    """The journey's household (王阿婆, head) and 李租客, who lives in the same room."""
    from ledgers import services
    from ledgers.models import Household
    from tests.ledgers.conftest import make_id

    household = Household.objects.select_related("address", "head").get()
    tenant = services.person_register(
        actor=ledger.worker,
        name="李租客",
        id_number=make_id(41, "19900101"),
        registration="migrant",
        residence=household.address,
    )
    return household, tenant


def test_a_worker_edits_a_dwelling_on_a_phone(page_at, shot, housing):
    from personnel.masking import mask_id_number

    household, tenant = housing
    page = page_at("phone")
    login(page, "gridworker")
    page.goto(f"/ledgers/households/{household.pk}/")
    expect(page.locator("#dwelling-use")).to_have_text("自住")
    edit = page.locator("#edit-dwelling")
    assert edit.bounding_box()["height"] >= 44
    edit.click()
    page.wait_for_url(re.compile(r"/ledgers/dwellings/\d+/$"))
    page.click("label:text-is('出租')")
    page.fill("#id_floor_area", "56.5")
    page.select_option("#id_owner", label=f"王阿婆 · {mask_id_number(household.head.id_number)}")
    page.click(f"label:text-is('李租客 · {mask_id_number(tenant.id_number)}')")
    page.fill("#id_rental_registered_on", "2026-03-01")
    page.fill("#id_rental_ends_on", "2026-01-31")
    expect(page.locator("#dwelling-form")).not_to_contain_text(tenant.id_number)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "dwelling")
    page.click("#dwelling-submit")
    expect(page.locator("#dwelling-form")).to_contain_text("租赁到期日期不能早于租赁登记日期。")
    shot(page, "dwelling-error")
    page.fill("#id_rental_ends_on", "2027-02-28")
    page.click("#dwelling-submit")
    page.wait_for_url(re.compile(rf"/ledgers/households/{household.pk}/$"))
    expect(page.locator("#dwelling-use")).to_have_text("出租")
    expect(page.locator("#dwelling-tenants")).to_have_text(f"李租客 · {mask_id_number(tenant.id_number)}")
    expect(page.locator("#dwelling")).to_contain_text("2026-03-01 ～ 2027-02-28")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "dwelling-saved")
