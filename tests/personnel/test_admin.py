import pytest

from personnel.models import PersonalDataAccess, Staff
from tests.factories import UserFactory
from tests.personnel.factories import StaffFactory
from tests.scenario import make_tree

pytestmark = pytest.mark.django_db

MODELS = ["organisation", "staff", "assignment", "membership", "serviceteam", "training", "personaldataaccess"]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_lists_open_and_mask_personal_data(admin_client):
    StaffFactory(mobile="13812345678", id_number="11010519491231002X")
    for model in MODELS:
        body = admin_client.get(f"/admin/personnel/{model}/").content.decode()
        assert "13812345678" not in body and "11010519491231002X" not in body
    assert "138****5678" in admin_client.get("/admin/personnel/staff/").content.decode()


def test_admin_staff_form_never_shows_clear_values_and_issues_a_work_id(admin_client):
    tree = make_tree()
    staff = StaffFactory(mobile="13812345678")
    assert "13812345678" not in admin_client.get(f"/admin/personnel/staff/{staff.pk}/change/").content.decode()
    response = admin_client.post(
        "/admin/personnel/staff/add/",
        {
            "name": "新人员",
            "new_mobile": "13900000000",
            "new_id_number": "11010519491231002X",
            "is_active": "on",
            "trainings-TOTAL_FORMS": "0",
            "trainings-INITIAL_FORMS": "0",
            "commendations-TOTAL_FORMS": "0",
            "commendations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Staff.objects.get(name="新人员")
    assert created.work_id.startswith("NB330200") and created.mobile == "13900000000"
    assert tree.city.code.startswith("3302")


def test_access_log_is_read_only_in_admin(admin_client):
    staff = StaffFactory()
    log = PersonalDataAccess.objects.create(actor=UserFactory(), staff=staff, field="mobile", purpose="核实")
    assert admin_client.get("/admin/personnel/personaldataaccess/add/").status_code == 403
    assert admin_client.post(f"/admin/personnel/personaldataaccess/{log.pk}/delete/").status_code == 403
    assert PersonalDataAccess.objects.filter(pk=log.pk).exists()
