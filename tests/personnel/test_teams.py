"""Grid service teams (Art. 20): managed by the township and the authority in the browser and
over the API, visible within reach, and published on the grid card without phone numbers."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from personnel import teams
from personnel.models import ServiceTeam, TeamMember
from tests.scenario import make_team_member, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def test_the_township_creates_a_team_and_adds_members_and_grid_staff_may_not(world):
    team = teams.team_create(actor=world.dispatcher, name="南门街道法律服务团队", area=world.tree.village)
    member = teams.member_add(
        actor=world.dispatcher, team=team, specialty="mediator", name="陈调解员", duties="调解邻里纠纷"
    )
    assert member.display_name == "陈调解员" and member.is_active
    for outsider in (world.leader, world.worker, world.dispatcher2, world.handler):
        with pytest.raises(PermissionDenied):
            teams.team_create(actor=outsider, name="越权团队", area=world.tree.village)
        with pytest.raises(PermissionDenied):
            teams.member_add(actor=outsider, team=team, specialty="volunteer", name="某某")
    # the district authority manages the teams of its townships too
    teams.member_update(actor=world.supervisor, member=member, is_active=False)
    assert not TeamMember.objects.get(pk=member.pk).is_active


def test_bad_team_and_member_input_is_refused_by_field(world):
    with pytest.raises(ValidationError) as exc:
        teams.team_create(actor=world.dispatcher, name=" ", area=world.tree.micro_grid)
    assert set(exc.value.message_dict) == {"name", "area"}
    team = teams.team_create(actor=world.dispatcher, name="志愿服务队", area=world.tree.grid)
    with pytest.raises(ValidationError) as exc:
        teams.member_add(actor=world.dispatcher, team=team, specialty="wizard", duties="x" * 201)
    assert set(exc.value.message_dict) == {"name", "specialty", "duties"}
    assert not TeamMember.objects.exists()


def test_teams_are_seen_within_reach_only(client, world):
    team = teams.team_create(actor=world.dispatcher, name="南门街道法律服务团队", area=world.tree.village)
    assert list(teams.teams_for(world.worker)) == [team]  # the grid's staff see the teams serving above them
    assert not teams.teams_for(world.other_worker).exists()
    client.force_login(world.other_worker)
    assert client.get(f"/personnel/teams/{team.pk}/").status_code == 404


def test_the_township_manages_a_team_in_the_browser(client, world):
    client.force_login(world.dispatcher)
    assert client.get("/personnel/teams/").status_code == 200
    response = client.post(
        "/personnel/teams/new/", {"name": "心理援助团队", "area_code": world.tree.village.code, "is_active": "on"}
    )
    assert response.status_code == 302
    team = ServiceTeam.objects.get()
    response = client.post(f"/personnel/teams/{team.pk}/members/new/", {"specialty": "psychologist", "name": ""})
    assert response.status_code == 400 and "请填写姓名" in response.content.decode()
    response = client.post(
        f"/personnel/teams/{team.pk}/members/new/",
        {"specialty": "psychologist", "name": "林心理咨询师", "duties": "每月一次心理疏导", "work_phone": "0574-1"},
    )
    assert response.status_code == 302
    page = client.get(f"/personnel/teams/{team.pk}/").content.decode()
    assert "林心理咨询师" in page and "每月一次心理疏导" in page
    response = client.post("/personnel/teams/new/", {"name": "x", "area_code": "999"})
    assert response.status_code == 400 and "没有这个区域编码" in response.content.decode()
    client.force_login(world.leader)
    assert client.get(f"/personnel/teams/{team.pk}/members/new/").status_code == 403


def test_teams_over_the_api(world):
    api = APIClient()
    api.force_login(world.dispatcher)
    response = api.post("/api/v1/teams/", {"name": "法律服务团队", "area": world.tree.village.code}, format="json")
    assert response.status_code == 201, response.json()
    team_id = response.json()["id"]
    response = api.post(f"/api/v1/teams/{team_id}/members/", {"specialty": "lawyer", "name": "何律师"}, format="json")
    assert response.status_code == 201 and response.json()["members"][0]["name"] == "何律师"
    response = api.post(f"/api/v1/teams/{team_id}/members/", {"specialty": "lawyer"}, format="json")
    assert response.status_code == 400 and "name" in response.json()["errors"]
    response = api.post("/api/v1/teams/", {"name": "团队"}, format="json")
    assert response.status_code == 400 and "area" in response.json()["errors"]
    api.force_login(world.dispatcher2)
    assert api.get(f"/api/v1/teams/{team_id}/").status_code == 404
    api.force_login(world.leader)
    assert api.get(f"/api/v1/teams/{team_id}/").status_code == 200
    assert api.patch(f"/api/v1/teams/{team_id}/", {"name": "改名"}, format="json").status_code == 403


def test_the_grid_card_shows_team_names_and_duties_but_no_phone(client, world):
    member = make_team_member(world.tree.village)
    gone = make_team_member(world.tree.village, name="离队成员", mobile="13900008888")
    gone.is_active = False
    gone.save()
    html = client.get(f"/public/grids/{world.tree.grid.code}/").content.decode()
    assert "周律师" in html and "律师" in html and "每周三下午法律咨询" in html
    assert member.staff.mobile not in html and "0574-87009999" not in html
    assert "离队成员" not in html
    assert "周律师" not in client.get(f"/public/grids/{world.tree.other_grid.code}/").content.decode()
