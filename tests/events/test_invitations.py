"""A grid leader or dispatcher invites a service team member onto an event (Art. 20)."""

import pytest
from django.core.exceptions import ValidationError

from events.choices import ActionKind, MessageChannel
from events.exceptions import PermissionDenied
from events.messaging import Notification, OutboxMessage
from events.models import Action, Event, EventInvitation
from events.services import event_accept, event_advise, event_dispatch, event_invite
from personnel.models import ServiceTeam, TeamMember
from tests.scenario import make_team_member

pytestmark = pytest.mark.django_db


def test_the_invited_member_is_on_the_timeline_notified_and_sees_the_event(world):
    member = make_team_member(world.tree.village)
    ev = world.report()
    assert not Event.objects.restrict(member.staff.user).filter(pk=ev.pk).exists()
    ev = event_invite(actor=world.leader, event=ev, member=member, role="co_handler", text="协助调解邻里纠纷")
    action = Action.objects.get(event=ev, kind=ActionKind.INVITE)
    assert action.actor == world.leader and action.text == "协助调解邻里纠纷"
    assert action.data["member_name"] == "周律师" and action.data["role"] == "co_handler"
    assert EventInvitation.objects.get(event=ev).user == member.staff.user
    assert Event.objects.restrict(member.staff.user).filter(pk=ev.pk).exists()
    note = Notification.objects.get(user=member.staff.user)
    assert ev.number in note.title and "协同处置" in note.title
    channels = set(OutboxMessage.objects.filter(user=member.staff.user).values_list("channel", flat=True))
    assert channels == {MessageChannel.EMAIL, MessageChannel.SMS}


def test_only_members_of_teams_serving_the_grid_with_a_login_may_be_invited(world):
    ev = world.report()
    elsewhere = make_team_member(world.tree.other_grid, name="吴调解员", specialty="mediator")
    with pytest.raises(ValidationError) as exc:
        event_invite(actor=world.dispatcher, event=ev, member=elsewhere, role="adviser")
    assert "member" in exc.value.message_dict
    team = ServiceTeam.objects.create(name="社区志愿队", area=world.tree.township)
    no_login = TeamMember.objects.create(team=team, name="郑志愿者", specialty="volunteer")
    with pytest.raises(ValidationError):
        event_invite(actor=world.dispatcher, event=ev, member=no_login, role="adviser")
    member = make_team_member(world.tree.township, name="孙心理咨询师", specialty="psychologist")
    member.is_active = False
    member.save()
    with pytest.raises(ValidationError):
        event_invite(actor=world.dispatcher, event=ev, member=member, role="adviser")
    assert not EventInvitation.objects.exists()
    assert Event.objects.get(pk=ev.pk).version == ev.version


def test_a_member_is_invited_once_per_event_and_the_role_is_checked(world):
    member = make_team_member(world.tree.grid)
    ev = world.report()
    with pytest.raises(ValidationError) as exc:
        event_invite(actor=world.leader, event=ev, member=member, role="boss")
    assert "role" in exc.value.message_dict
    ev = event_invite(actor=world.leader, event=ev, member=member, role="adviser")
    with pytest.raises(ValidationError, match="已受邀"):
        event_invite(actor=world.dispatcher, event=ev, member=member, role="co_handler")
    assert EventInvitation.objects.count() == 1


def test_the_leader_invites_from_the_event_page(client, world):
    member = make_team_member(world.tree.village)
    ev = world.report()
    client.force_login(world.leader)
    page = client.get(f"/events/{ev.number}/").content.decode()
    assert "周律师（律师" in page and "13900009999" not in page
    response = client.post(
        f"/events/{ev.number}/steps/invite/",
        {
            "invite-version": ev.version,
            "invite-member": member.pk,
            "invite-role": "adviser",
            "invite-text": "请提供意见",
        },
    )
    assert response.status_code == 302
    timeline = client.get(f"/events/{ev.number}/").content.decode()
    assert "邀请服务团队成员" in timeline and "周律师" in timeline and "咨询顾问" in timeline


def _adviser_on(world, ev, role="adviser"):
    member = make_team_member(world.tree.village)
    ev = event_invite(actor=world.leader, event=ev, member=member, role=role)
    return member, ev


def test_an_invited_adviser_records_advice_the_handlers_see(world):
    ev = event_dispatch(
        actor=world.dispatcher, event=event_accept(actor=world.dispatcher, event=world.report()), lead_unit=world.unit
    )
    member, ev = _adviser_on(world, ev)
    ev = event_advise(actor=member.staff.user, event=ev, text="建议先行人民调解，再依法起诉")
    action = Action.objects.get(event=ev, kind=ActionKind.ADVICE)
    assert action.actor == member.staff.user and action.text == "建议先行人民调解，再依法起诉"
    assert action.data["member_name"] == "周律师" and action.data["specialty"] == "lawyer"
    assert Notification.objects.filter(user=world.handler, kind=ActionKind.ADVICE, event=ev).exists()
    assert Notification.objects.filter(user=world.dispatcher, kind=ActionKind.ADVICE, event=ev).exists()
    with pytest.raises(ValidationError) as exc:
        event_advise(actor=member.staff.user, event=ev, text="  ")
    assert "text" in exc.value.message_dict


def test_only_a_currently_invited_adviser_may_advise(world):
    co_handler, ev = _adviser_on(world, world.report(), role="co_handler")
    with pytest.raises(PermissionDenied):
        event_advise(actor=co_handler.staff.user, event=ev, text="意见")
    member = make_team_member(world.tree.township, name="孙心理咨询师", specialty="psychologist")
    ev = event_invite(actor=world.dispatcher, event=ev, member=member, role="adviser")
    member.is_active = False  # taken out of the team: no longer invited
    member.save()
    with pytest.raises(PermissionDenied):
        event_advise(actor=member.staff.user, event=ev, text="意见")
    with pytest.raises(PermissionDenied):
        event_advise(actor=world.leader, event=ev, text="意见")
    assert not Action.objects.filter(kind=ActionKind.ADVICE).exists()
    assert Event.objects.get(pk=ev.pk).version == ev.version


def test_the_adviser_advises_once_from_the_event_page(client, world):
    member, ev = _adviser_on(world, world.report())
    client.force_login(member.staff.user)
    page = client.get(f"/events/{ev.number}/").content.decode()
    assert f'action="/events/{ev.number}/steps/advise/"' in page
    form = {"advise-version": ev.version, "advise-text": "建议联系社区调委会"}
    assert client.post(f"/events/{ev.number}/steps/advise/", form).status_code == 302
    assert client.post(f"/events/{ev.number}/steps/advise/", form).status_code == 409  # a double tap
    assert Action.objects.filter(event=ev, kind=ActionKind.ADVICE).count() == 1
    client.force_login(world.leader)
    timeline = client.get(f"/events/{ev.number}/").content.decode()
    assert "顾问意见" in timeline and "建议联系社区调委会" in timeline
    assert "steps/advise/" not in timeline
