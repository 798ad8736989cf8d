"""Steps beside the main line (Art. 10, 17, 20, 22): rating, urging, comments, publication on
Open311, correction of reported details and inviting a service team member."""

import datetime
import hmac

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from personnel.models import TeamMember
from personnel.teams import invitable_members

from .. import notify
from ..choices import (
    ActionKind,
    InvitationRole,
)
from ..exceptions import Conflict, InvalidTransition, NotFound
from ..models import Event, EventInvitation, Satisfaction
from ..workflow import Actor
from .core import S, _lock, _now, _record, _require_text, _routers, _save
from .report import _clean_attributes, _text_errors

CORRECTABLE_FIELDS = ("title", "description", "address", "attributes", "contact_name", "contact_phone")


def event_rate(
    *,
    event,
    score: int,
    comment: str = "",
    actor: Actor = None,
    tracking_code: str | None = None,
    at: datetime.datetime | None = None,
) -> Event:
    """Rate a closed event (满意度, 1–5 with `comment`), once (Art. 22).

    Either the logged-in reporter (`actor`), or anyone holding the event's public
    `tracking_code` (no login; pass `actor=None`). Wrong code → NotFound. Already rated
    → Conflict.
    """
    now = _now(at)
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": [_("满意度应为 1 至 5 分。")]})
    with transaction.atomic():
        if tracking_code is not None:
            pk = event.pk if isinstance(event, Event) else event
            ev = Event.objects.select_for_update(of=("self",)).select_related("item_version").filter(pk=pk).first()
            if ev is None or not hmac.compare_digest(str(ev.tracking_code), str(tracking_code)):
                raise NotFound()
            if ev.status != S.CLOSED:
                raise InvalidTransition(_("事件结案后才能评价。"))
        else:
            ev = _lock("rate", actor, event)
        if Satisfaction.objects.filter(event=ev).exists():
            raise Conflict(_("该事件已评价过。"))
        Satisfaction.objects.create(
            event=ev,
            score=score,
            comment=(comment or "").strip(),
            by_user=actor if actor and actor.is_authenticated else None,
            at=now,
        )
        action = _record(
            ev, ActionKind.SATISFACTION, actor, at=now, text=(comment or "").strip(), data={"score": score}
        )
        return _save(ev, [action])


def event_urge(*, actor: Actor, event: Event | int, text: str, at: datetime.datetime | None = None) -> Event:
    """Urge the handling of an open event (催办). Who: supervisors or dispatchers over the
    event's grid, at any time. Notifies the lead unit's handlers and the routing level."""
    now = _now(at)
    text = _require_text(text, "text", _("请填写催办意见。"))
    with transaction.atomic():
        ev = _lock("urge", actor, event)
        ev.urge_count += 1
        action = _record(ev, ActionKind.URGE, actor, at=now, text=text, data={"urge_count": ev.urge_count})
        who = notify.handlers_of([ev.lead_unit_id]) if ev.lead_unit_id else set()
        who |= _routers(ev)
        who.discard(actor.pk)
        msg = notify.message(ev, ActionKind.URGE, _("催办：%(t)s") % {"t": ev.title}, who, body=text)
        return _save(ev, [action], [msg])


def event_comment(*, actor: Actor, event: Event | int, text: str, at: datetime.datetime | None = None) -> Event:
    """Add a comment (批注) to the timeline. Who: supervisors or dispatchers over the grid."""
    now = _now(at)
    text = _require_text(text, "text", _("请填写批注内容。"))
    with transaction.atomic():
        ev = _lock("comment", actor, event)
        action = _record(ev, ActionKind.COMMENT, actor, at=now, text=text)
        return _save(ev, [action])


def event_invite(
    *,
    actor: Actor,
    event: Event | int,
    member: TeamMember | int,
    role: str,
    text: str = "",
    at: datetime.datetime | None = None,
) -> Event:
    """Invite a service team member onto an open event (Art. 20) as a co-handler or an adviser.

    `member`: a `TeamMember` (or pk) of an active team serving the event's grid (the
    team's area is the grid or above it), active, with a platform login
    (`personnel.teams.invitable_members`); each member once per event. `role`: an
    `InvitationRole` value; `text`: what they are asked to do (optional). Who: the grid
    leader of the event's grid, the dispatchers and supervisors over it (`change_area`).
    Writes an INVITE action (member, team, specialty and role in `data`) and an
    `EventInvitation`, from which the member sees the event; the member is notified in
    the inbox, by e-mail and by SMS (urgent: they are not on duty on the platform),
    through the outbox. Raises ValidationError (`member`, `role`) besides the step's errors.
    """
    now = _now(at)
    with transaction.atomic():
        ev = _lock("invite", actor, event)
        if role not in InvitationRole.values:
            raise ValidationError({"role": [_("请选择参与方式。")]})
        pk = member.pk if isinstance(member, TeamMember) else member
        found = invitable_members(ev.area).filter(pk=pk).first() if isinstance(pk, int) else None
        if found is None:
            raise ValidationError({"member": [_("请选择服务本网格的团队成员（须已开通平台账号）。")]})
        if EventInvitation.objects.filter(event=ev, member=found).exists():
            raise ValidationError({"member": [_("该成员已受邀参与此事件。")]})
        text = (text or "").strip()
        label = InvitationRole(role).label
        data = {
            "member": found.pk,
            "member_name": found.display_name,
            "team": found.team.name,
            "specialty": found.specialty,
            "role": role,
        }
        action = _record(ev, ActionKind.INVITE, actor, at=now, text=text, data=data)
        EventInvitation.objects.create(event=ev, member=found, user=found.staff.user, role=role, action=action)
        title = _("邀请您参与（%(role)s）：%(t)s") % {"role": label, "t": ev.title}
        msg = notify.message(ev, ActionKind.INVITE, title, {found.staff.user_id}, urgent=True, body=text)
        return _save(ev, [action], [msg])


def event_advise(*, actor: Actor, event: Event | int, text: str, at: datetime.datetime | None = None) -> Event:
    """Record a service team adviser's advice (顾问意见) on an open event's timeline (Art. 20).

    Who: a member invited onto the event as an adviser (`InvitationRole.ADVISER`) whose
    membership and team are still active (`workflow.is_adviser`). `text`: the advice
    (required). Writes an ADVICE action (member, team and specialty in `data`) and notifies
    the lead unit's handlers and the routing level (inbox and outbox). Raises
    ValidationError (`text`) besides the step's errors; a repeat with the version already
    acted on is StaleVersion (409), so the same advice is never recorded twice.
    """
    now = _now(at)
    text = _require_text(text, "text", _("请填写咨询意见。"))
    with transaction.atomic():
        ev = _lock("advise", actor, event)
        invitation = (
            EventInvitation.objects.select_related("member__team")
            .filter(event=ev, user=actor, role=InvitationRole.ADVISER)
            .get()
        )
        member = invitation.member
        data = {
            "member": member.pk,
            "member_name": member.display_name,
            "team": member.team.name,
            "specialty": member.specialty,
        }
        action = _record(ev, ActionKind.ADVICE, actor, at=now, text=text, data=data)
        who = notify.handlers_of([ev.lead_unit_id]) if ev.lead_unit_id else set()
        who |= _routers(ev)
        who.discard(actor.pk)
        msg = notify.message(ev, ActionKind.ADVICE, _("顾问意见：%(t)s") % {"t": ev.title}, who, body=text)
        return _save(ev, [action], [msg])


def event_publish(
    *, actor: Actor, event: Event | int, public: bool, text: str = "", at: datetime.datetime | None = None
) -> Event:
    """Mark an event public (公开) or internal again (取消公开): whether Open311 GeoReport
    (`/open311/v2/requests`, no login) publishes it, with its report photo as `media_url`.

    What the public itself reported (demands, complaints, Open311 POSTs) starts public;
    staff and patrol reports start internal (they may name care targets and homes, Art. 10
    and PIPL), and only this step publishes them. `public`: a bool (anything else is a
    ValidationError on "public"); `text`: why (optional, on the timeline). Who: dispatchers
    and supervisors over the event's grid (`workflow.is_overseer`), in any status. Writes a
    PUBLISH or UNPUBLISH action. Raises InvalidTransition (409) if the event already is so.
    """
    if not isinstance(public, bool):
        raise ValidationError({"public": [_("请选择是否公开。")]})
    now = _now(at)
    step = "publish" if public else "unpublish"
    with transaction.atomic():
        ev = _lock(step, actor, event)
        ev.public = public
        kind = ActionKind.PUBLISH if public else ActionKind.UNPUBLISH
        action = _record(ev, kind, actor, at=now, text=(text or "").strip())
        return _save(ev, [action])


def event_correct(
    *, actor: Actor, event: Event | int, changes: dict, text: str, at: datetime.datetime | None = None
) -> Event:
    """Correct reported details (更正): an appended CORRECTION action keeps the old and new
    values (`data["changes"][field] = {"old", "new"}`); the event shows the new ones.

    `changes`: a dict over `CORRECTABLE_FIELDS`; `text`: the reason (required). Who: the
    reporter, staff of the grid, or the dispatcher at the event's level.
    """
    now = _now(at)
    text = _require_text(text, "text", _("请填写更正原因。"))
    unknown = set(changes or {}) - set(CORRECTABLE_FIELDS)
    if not changes or unknown:
        raise ValidationError({"changes": [_("请填写可更正的字段。")]})
    with transaction.atomic():
        ev = _lock("correct", actor, event)
        if "attributes" in changes:
            changes = {**changes, "attributes": _clean_attributes(ev.item_version, changes["attributes"])}
        texts = {field: value for field, value in changes.items() if field != "attributes"}
        wrong_type = [field for field, value in texts.items() if not isinstance(value, str)]
        if wrong_type:
            raise ValidationError({field: [_("请填写文字。")] for field in wrong_type})
        errors = _text_errors(texts)
        for field in ("title", "description"):
            if field in changes and not changes[field].strip():
                errors.setdefault(field, []).append(_("不能为空。"))
        if errors:
            raise ValidationError(errors)
        changes = {field: value.strip() if field in texts else value for field, value in changes.items()}
        diff = {}
        for field, new in changes.items():
            old = getattr(ev, field)
            if old != new:
                diff[field] = {"old": old, "new": new}
                setattr(ev, field, new)
        action = _record(ev, ActionKind.CORRECTION, actor, at=now, text=text, data={"changes": diff})
        return _save(ev, [action])
