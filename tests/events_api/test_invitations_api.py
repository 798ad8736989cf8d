"""The `invite` step over the API (Art. 20): generated from the workflow table like the others."""

import pytest

from events.choices import ActionKind
from events.models import Action, EventInvitation
from events.services import event_invite
from tests.scenario import make_team_member

from .conftest import api_as

pytestmark = pytest.mark.django_db


def test_a_dispatcher_invites_a_member_over_the_api(world):
    member = make_team_member(world.tree.village)
    ev = world.report()
    api = api_as(world.dispatcher)
    url = f"/api/v1/events/{ev.number}/invite/"
    assert api.post(url, {"member": member.pk, "role": "adviser"}, format="json").status_code == 428
    response = api.post(url, {"version": ev.version, "member": 999999, "role": "adviser"}, format="json")
    assert response.status_code == 400 and "member" in response.json()["errors"]
    response = api.post(url, {"version": ev.version, "member": member.pk, "role": "adviser"}, format="json")
    assert response.status_code == 200, response.json()
    assert EventInvitation.objects.get().member == member
    stale = api.post(url, {"version": ev.version, "member": member.pk, "role": "adviser"}, format="json")
    assert stale.status_code == 409
    assert (
        api_as(world.worker)
        .post(url, {"version": ev.version + 1, "member": member.pk, "role": "adviser"}, format="json")
        .status_code
        == 403
    )


def test_an_invited_adviser_advises_over_the_api(world):
    member = make_team_member(world.tree.village)
    ev = event_invite(actor=world.leader, event=world.report(), member=member, role="adviser")
    api = api_as(member.staff.user)
    url = f"/api/v1/events/{ev.number}/advise/"
    required = api.post(url, {"text": "建议调解"}, format="json")
    assert required.status_code == 428 and "网格事件" in required.json()["detail"]
    assert api.post(url, {"version": ev.version, "text": ""}, format="json").status_code == 400
    response = api.post(url, {"version": ev.version, "text": "建议调解"}, format="json")
    assert response.status_code == 200, response.json()
    stale = api.post(url, {"version": ev.version, "text": "建议调解"}, format="json")
    assert stale.status_code == 409 and "网格事件" in stale.json()["detail"]
    assert Action.objects.filter(event=ev, kind=ActionKind.ADVICE).count() == 1
    refused = api_as(world.worker).post(url, {"version": ev.version + 1, "text": "建议调解"}, format="json")
    assert refused.status_code == 403
