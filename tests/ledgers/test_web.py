"""The ledgers' pages and API as a grid worker, a township and a department system use them."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook
from rest_framework.test import APIClient

from events.models import Event
from integrations import services as integration_services
from ledgers import services, visits
from ledgers.models import LedgerGrant, Person, Unit, Visit
from personnel.choices import AccessedField, OrgKind
from personnel.models import Organisation, PersonalDataAccess
from tests.ledgers.conftest import make_id

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_household_page_shows_members_masked_and_only_in_scope(client, lw):
    w = lw.world
    page = _login(client, w.worker).get(f"/ledgers/households/{lw.household.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "王阿婆" in text and "独居老人" in text
    assert make_id(1, "19400312") not in text and "13912345678" not in text and "139****5678" in text
    assert _login(client, w.worker2).get(f"/ledgers/households/{lw.household.pk}/").status_code == 404


def test_reveal_on_the_person_page_is_logged_and_kept_out_of_caches(client, lw):
    w = lw.world
    url = f"/ledgers/persons/{lw.elder.pk}/"
    assert _login(client, w.worker).post(url, {"field": "mobile", "purpose": "联系家属"}).status_code == 403
    page = _login(client, w.leader).post(url, {"field": "mobile", "purpose": "联系家属"})
    assert page.status_code == 200 and "13912345678" in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert PersonalDataAccess.objects.filter(resident=lw.elder, actor=w.leader, field="mobile").count() == 1


def test_exact_id_search_is_a_post_and_logged(client, lw):
    page = _login(client, lw.world.worker).post(
        "/ledgers/search/", {"id_number": make_id(1, "19400312"), "purpose": "核实身份"}
    )
    assert page.status_code == 302 and page["Location"] == f"/ledgers/persons/{lw.elder.pk}/"
    assert make_id(1, "19400312") not in page["Location"]
    assert PersonalDataAccess.objects.get(field=AccessedField.ID_SEARCH).resident == lw.elder


def test_a_visit_restarts_the_clock_and_the_due_list_puts_overdue_first(client, lw, clock):
    w = lw.world
    other = services.person_register(
        actor=w.worker,
        name="孙老伯",
        id_number=make_id(5, "19380101"),
        registration="registered",
        residence=lw.room,
        tags=[lw.lonely],
    )
    clock.move_to(timezone.now() + datetime.timedelta(days=40))
    services.person_set_tags(actor=w.worker, person=other, tags=[lw.lonely])  # unchanged tags: same due date
    due = list(visits.due_visits(w.worker))
    assert due[0].next_visit_due < timezone.localdate()
    form = _login(client, w.worker).get(f"/ledgers/visit/household/{lw.household.pk}/")
    key = form.context["form"].initial["submission_key"]
    data = {
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "findings": "楼道堆放纸箱",
        "submission_key": key,
    }
    first = client.post(f"/ledgers/visit/household/{lw.household.pk}/", data)
    again = client.post(f"/ledgers/visit/household/{lw.household.pk}/", data)  # a double tap
    assert first.status_code == again.status_code == 302 and Visit.objects.count() == 1
    lw.elder.refresh_from_db()
    assert lw.elder.next_visit_due == timezone.localdate() + datetime.timedelta(days=30)
    assert visits.due_visits(w.worker).first().pk == other.pk


def test_a_finding_becomes_an_event_in_one_step(client, lw):
    w = lw.world
    visit = visits.visit_record(
        actor=w.worker,
        target=lw.household,
        visited_at=timezone.now() - datetime.timedelta(minutes=5),
        findings="楼道堆放大量纸箱，存在消防隐患",
    )
    form = _login(client, w.worker).get(f"/ledgers/visits/{visit.pk}/event/")
    initial = form.context["form"].initial
    assert initial["area"] == lw.micro.pk and initial["address"] == "中山东路12号301室"
    assert initial["description"].startswith("楼道堆放大量纸箱")
    data = {
        "area": lw.micro.pk,
        "item": w.item.pk,
        "grade": "general",
        "title": initial["title"],
        "description": initial["description"],
        "address": initial["address"],
        "discovered_at": initial["discovered_at"].strftime("%Y-%m-%dT%H:%M"),
        "submission_key": initial["submission_key"],
    }
    answer = client.post(f"/ledgers/visits/{visit.pk}/event/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    visit.refresh_from_db()
    event = Event.objects.get()
    assert visit.event == event and event.area == lw.micro and event.address == "中山东路12号301室"
    assert client.get(f"/ledgers/visits/{visit.pk}/event/")["Location"].endswith(f"/events/{event.number}/")


def _xlsx(header, rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "persons.xlsx"
    return buffer


def test_import_writes_good_rows_and_names_each_bad_line_and_field(client, lw):
    header = ["姓名", "证件号码", "户籍类别", "手机号码", "居住地址编码", "与户主关系", "关爱标签"]
    rows = [
        ["张三", make_id(11), "流动人口", "13800001111", lw.room.code, "其他", ""],
        [
            "李四",
            make_id(12)[:-1] + "0" if make_id(12)[-1] != "0" else make_id(12)[:-1] + "1",
            "户籍人口",
            "",
            lw.room.code,
            "",
            "",
        ],
        ["王阿婆", make_id(1, "19400312"), "户籍人口", "", lw.room.code, "", ""],  # already registered
        ["赵六", 330203195001010123, "户籍人口", "", lw.room.code, "", ""],  # a number, not text
        ["钱七", make_id(13), "户籍人口", "", lw.room2.code, "", ""],  # another grid
        ["孙八", make_id(14), "户籍人口", "", lw.room.code, "", "独居老人"],
    ]
    page = _login(client, lw.world.worker).post("/ledgers/import/", {"kind": "persons", "file": _xlsx(header, rows)})
    report = page.context["report"]
    assert report.created == 2 and page.status_code == 422
    assert {(line, column) for line, column, _m in report.errors} == {
        (3, "证件号码"),
        (4, "证件号码"),
        (5, "证件号码"),
        (6, "居住地址编码"),
    }
    assert set(Person.objects.values_list("name", flat=True)) == {"王阿婆", "张三", "孙八"}
    assert Person.objects.get(name="孙八").next_visit_due is not None


def test_export_is_scoped_masked_and_clear_only_with_the_right(client, lw):
    from openpyxl import load_workbook

    w = lw.world
    masked = _login(client, w.worker).get("/ledgers/export/persons.xlsx")
    rows = list(load_workbook(io.BytesIO(masked.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][2].startswith("330203**")
    assert client.post("/ledgers/export/persons.xlsx", {"purpose": "民政核对"}).status_code == 403
    clear = _login(client, w.dispatcher).post("/ledgers/export/persons.xlsx", {"purpose": "民政核对"})
    rows = list(load_workbook(io.BytesIO(clear.content)).active.iter_rows(values_only=True))
    assert rows[1][2] == make_id(1, "19400312")
    log = PersonalDataAccess.objects.get(field=AccessedField.EXPORT)
    assert log.actor == w.dispatcher and "1" in log.purpose


def test_api_is_scoped_and_a_department_key_reads_only_its_grant(lw):
    w = lw.world
    services.person_register(
        actor=w.worker,
        name="周九",
        id_number=make_id(21),
        registration="registered",
        residence=lw.room,
        tags=[lw.parole],
    )
    api = APIClient()
    api.force_authenticate(w.worker)
    names = {p["name"] for p in api.get("/api/v1/ledgers/persons/").json()["results"]}
    assert names == {"王阿婆", "周九"}
    api.force_authenticate(w.worker2)
    assert api.get("/api/v1/ledgers/persons/").json()["results"] == []
    civil = Organisation.objects.create(
        name="海曙区民政局", kind=OrgKind.DEPARTMENT, department="civil_affairs", area=w.tree.county
    )
    grant = LedgerGrant.objects.create(organisation=civil, fields=["name", "tags", "residence"])
    grant.tags.add(lw.lonely)
    created = integration_services.api_client_create(
        actor=w.supervisor, organisation=civil, name="民政系统", scopes=["read"], role="dispatcher"
    )
    key_client = APIClient()
    key_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {created.key}")
    rows = key_client.get("/api/v1/ledgers/persons/").json()["results"]
    assert rows == [{"id": lw.elder.pk, "name": "王阿婆", "residence": "中山东路12号301室", "tags": ["lonely-elder"]}]
    assert [t["code"] for t in key_client.get("/api/v1/ledgers/tags/").json()["results"]] == ["lonely-elder"]
    assert (
        key_client.post(
            f"/api/v1/ledgers/persons/{lw.elder.pk}/reveal/", {"field": "mobile", "purpose": "x" * 3}
        ).status_code
        == 403
    )


def test_statistics_count_the_area(lw):
    w = lw.world
    services.unit_register(actor=w.worker, name="小超市", kind="shop", address=lw.room, safety_class="nine_small")
    api = APIClient()
    api.force_authenticate(w.dispatcher)
    figures = api.get("/api/v1/ledgers/statistics/", {"area": w.tree.township.code}).json()
    assert figures["households"] == 1 and figures["residents_by_age"]["60+"] == 1
    assert figures["units_by_safety_class"] == {"nine_small": 1} and figures["care_targets"] == 1
    assert Unit.objects.count() == 1


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({}, "required"),
        ({"area": ""}, "blank"),
        ({"area": "330299999999"}, "unknown"),
        ({"area": "other_grid"}, "out_of_scope"),  # another township's grid
        ({"area": "county"}, "out_of_scope"),  # an ancestor: it would count other townships
    ],
)
def test_statistics_refuse_a_missing_unknown_or_out_of_reach_area_with_a_field_code(lw, query, code):
    w = lw.world
    if query.get("area") in ("other_grid", "county"):
        query = {"area": getattr(w.tree, query["area"]).code}
    api = APIClient()
    api.force_authenticate(w.dispatcher)  # the 南门 township's dispatcher
    answer = api.get("/api/v1/ledgers/statistics/", query)
    assert answer.status_code == 400, answer.content[:300]
    assert answer.json()["error_codes"] == {"area": [code]}


def test_a_visit_during_a_patrol_is_listed_in_it(client, lw):
    from events import services as event_services

    w = lw.world
    patrol = event_services.patrol_start(
        actor=w.worker, area=w.tree.grid, at=timezone.now() - datetime.timedelta(hours=1)
    )
    visit = visits.visit_record(
        actor=w.worker, target=lw.household, visited_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert visit.patrol == patrol and list(patrol.visits.all()) == [visit]
    # The patrol log lists it, linked to the visit's page.
    page = _login(client, w.worker).get("/events/patrols/")
    assert f'href="/ledgers/visits/{visit.pk}/"' in page.content.decode()
    assert "中山东路12号301室" in page.content.decode()


def test_registering_a_member_on_the_phone_form_refuses_a_duplicate(client, lw):
    url = f"/ledgers/households/{lw.household.pk}/person/"
    key = _login(client, lw.world.worker).get(url).context["form"].initial["submission_key"]
    data = {
        "name": "王小二",
        "doc_type": "resident_id",
        "id_number": make_id(31, "20150101"),
        "registration": "registered",
        "relation": "grandchild",
        "tags": [],
        "submission_key": key,
    }
    assert client.post(url, data).status_code == 302
    assert Person.objects.get(name="王小二").household == lw.household
    data |= {"id_number": make_id(1, "19400312"), "submission_key": ""}
    page = client.post(url, data)
    assert page.status_code == 400 and "id_number" in page.context["form"].errors


def test_dwellings_api_is_scoped(lw):
    api = APIClient()
    api.force_authenticate(lw.world.worker)
    rows = api.get("/api/v1/ledgers/dwellings/").json()["results"]
    assert [r["address"] for r in rows] == [lw.room.code] and rows[0]["use"] == "owner"
    api.force_authenticate(lw.world.other_worker)
    assert api.get("/api/v1/ledgers/dwellings/").json()["results"] == []


def test_the_workbench_shows_the_workers_due_visits(client, lw, clock):
    clock.move_to(timezone.now() + datetime.timedelta(days=31))
    page = _login(client, lw.world.worker).get("/")
    assert 'id="panel-due-visits"' in page.content.decode() and "王阿婆" in page.content.decode()


def test_the_statistics_page_names_each_figure_in_the_pages_language(client, lw):
    w = lw.world
    services.unit_register(actor=w.worker, name="小超市", kind="shop", address=lw.room, safety_class="nine_small")
    client.force_login(w.dispatcher)
    url = f"/ledgers/stats/?area={w.tree.township.code}"
    html = client.get(url).content.decode()
    assert "nine_small" not in html  # the stored code was shown as such
    assert "九小场所：1" in html
    client.cookies["django_language"] = "en"
    html = client.get(url).content.decode()
    assert "九小场所" not in html and "：" not in html.split('id="figures"')[1]
