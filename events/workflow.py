"""The closed loop as ONE table (Art. 17, 18, 19): every step, the states it may start
from, where it leads, who may take it, and what takes it — its service, its browser form,
its API input and URL, and its API key scope.

`STEPS[name]` is a `Step`; adding a step means adding its row here, its service and its
form, and nothing else. Generated from the table: the step views of the event page
(`events.views.step`), the API actions and their OpenAPI request body, summary,
description and answers (`events.api.views`), and the permission tests
(`tests/events/test_permissions.py`).

- `sources`: the statuses (events.choices.EventStatus) the step may start from; `None`
  in the set means the step creates the event.
- `target`: the status the step ends in — one status, a documented set (the service
  chooses, e.g. verify: pass closes at once when the rule's close level is the grid), or
  `None` (unchanged: the step only adds to the event). `Step.ends(source)` gives the set.
- `who`: a check in `WHO`, a function `(actor, event) -> bool` on the event as it is now
  (for a creating step: the unsaved event with its area and source).
- `when` (optional): a check in `WHEN` on something other than the status.
- `service`: the dotted path of the service function; `form`: the step form's class name
  in `events.forms` ("" = no form on the event page); `serializer`: the API input's class
  name in `events.api.serializers`; `url`: the API action's path under
  `/api/v1/events/<number>/` ("" = no API action); `scope`: the API key scope it needs
  (`integrations.permissions`: read / report / handle).
- `clocks`: what it does to the deadlines, for the API description.
- `aside`: the step turns the event aside (refuse, send up or back, ask for time) or only
  adds to it: the event page never opens with its form, but with the step that moves
  the event on (dispatch once accepted, the result while handling).

`WORKFLOW` (an `events.flow.Workflow`) checks the table; its methods are also this
module's names. `authorize(actor, step, event, version=...)` is the one check every
service makes before it changes an event (NotFound, StaleVersion, PermissionDenied,
InvalidTransition); services then end in `enter(event, step)`, which sets the row's
target. Pages and the API call `available_steps(actor, event)` to decide which buttons
to show, and the API `describe(name)` for each action's OpenAPI description.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from django.utils.translation import gettext_lazy

from catalog.choices import CloseLevel
from personnel import roles
from personnel.scope import has_area_perm, unit_ids

from .choices import OPEN_STATUSES, EventStatus, HandlingLevel, Source
from .flow import SYSTEM, Actor, Messages, Step, When, Workflow

if TYPE_CHECKING:
    from .models import Event

S = EventStatus


def _routing_node(event: "Event") -> Any:
    """The node whose `dispatch_event` holders route the event now: township or district."""
    return event.county if event.level == HandlingLevel.COUNTY else event.township


def is_router(actor: Actor, event: "Event") -> bool:
    """Dispatcher of the event's township (level township) or district (after escalation)."""
    return has_area_perm(actor, roles.DISPATCH, _routing_node(event))


def is_handler(actor: Actor, event: "Event") -> bool:
    """Handler of the event's current lead unit (personnel.scope.unit_ids)."""
    if not event.lead_unit_id or not actor or not actor.is_authenticated:
        return False
    return unit_ids(actor, "handler").filter(organisation_id=event.lead_unit_id).exists()


#: Sources the public itself reports (a demand, a complaint): the public step's only ones.
PUBLIC_SOURCES: Final = (Source.PUBLIC_DEMAND, Source.COMPLAINT)


def is_reporter(actor: Actor, event: "Event") -> bool:
    """Who may report in the event's grid: its staff (`report_event`); for public demands,
    complaints and external sources also the dispatchers over it (entering a call)."""
    if has_area_perm(actor, roles.REPORT, event.area):
        return True
    return event.source in (*PUBLIC_SOURCES, Source.EXTERNAL) and has_area_perm(actor, roles.DISPATCH, event.area)


def is_reporter_staff(actor: Actor, event: "Event") -> bool:
    """Staff of the event's grid (`report_event` on it)."""
    return has_area_perm(actor, roles.REPORT, event.area)


def is_self_handler(actor: Actor, event: "Event") -> bool:
    """Grid leaders and full-time workers of the grid (`self_handle_event`); whether the
    item allows on-the-spot handling is the service's input check (a field error)."""
    return has_area_perm(actor, roles.SELF_HANDLE, event.area)


def is_public(actor: Actor, event: "Event") -> bool:
    """The public (no user) filing a demand or complaint on a grid's public card."""
    return actor is None and event.source in PUBLIC_SOURCES


def is_system(actor: Actor, event: "Event") -> bool:
    """The platform itself (the deadline sweep), never a person."""
    return actor == SYSTEM


def is_verifier(actor: Actor, event: "Event") -> bool:
    """Staff of the reporting grid holding `verify_event` (grid leader, full-time worker)."""
    return has_area_perm(actor, roles.VERIFY, event.area)


def close_level(event: "Event") -> str:
    """The rule's close level for the event's grade (catalog.choices.CloseLevel)."""
    rule = event.item_version.rule_for(event.grade)
    return rule.close_level if rule else CloseLevel.GRID


def is_closer(actor: Actor, event: "Event") -> bool:
    """Per the rule's close level: grid → verifier; township → dispatcher; county → supervisor."""
    level = close_level(event)
    if level == CloseLevel.COUNTY:
        return has_area_perm(actor, roles.SUPERVISE, event.county)
    if level == CloseLevel.TOWNSHIP:
        return has_area_perm(actor, roles.DISPATCH, event.township)
    return is_verifier(actor, event)


def is_overseer(actor: Actor, event: "Event") -> bool:
    """Supervisors or dispatchers over the event's grid (urge, comment; any time)."""
    return has_area_perm(actor, roles.SUPERVISE, event.area) or has_area_perm(actor, roles.DISPATCH, event.area)


def is_corrector(actor: Actor, event: "Event") -> bool:
    """The reporter, staff of the grid, or the dispatcher at the event's level."""
    return bool(actor and actor.pk and actor.pk == event.reporter_id) or (
        is_reporter_staff(actor, event) or is_router(actor, event)
    )


def is_inviter(actor: Actor, event: "Event") -> bool:
    """Who may invite a service team member (Art. 20): the grid leader of the event's grid,
    the dispatchers and supervisors over it (`change_area` on the grid)."""
    return has_area_perm(actor, roles.CHANGE, event.area)


def is_adviser(actor: Actor, event: "Event") -> bool:
    """A service team member invited onto the event as an adviser (Art. 20), while still
    invited: their membership and their team active (`EventInvitation`, role adviser)."""
    from .choices import InvitationRole
    from .models import EventInvitation

    if not actor or not getattr(actor, "is_authenticated", False):
        return False
    return EventInvitation.objects.filter(
        event_id=event.pk,
        user_id=actor.pk,
        role=InvitationRole.ADVISER,
        member__is_active=True,
        member__team__is_active=True,
    ).exists()


def is_rater(actor: Actor, event: "Event") -> bool:
    """The reporter (logged in); the public rate through the tracking code (checked by the service)."""
    return bool(actor and actor.is_authenticated and actor.pk == event.reporter_id)


WHO: dict[str, Callable[[Actor, "Event"], bool]] = {
    "reporter": is_reporter,
    "grid_self_handler": is_self_handler,
    "public": is_public,
    "system": is_system,
    "router": is_router,
    "handler": is_handler,
    "verifier": is_verifier,
    "closer": is_closer,
    "overseer": is_overseer,
    "corrector": is_corrector,
    "rater": is_rater,
    "inviter": is_inviter,
    "adviser": is_adviser,
}


WHEN: dict[str, When] = {
    "internal": When(lambda event: not event.public, gettext_lazy("该事件已公开。")),
    "public": When(lambda event: event.public, gettext_lazy("该事件未公开。")),
}

_ANY = frozenset(OPEN_STATUSES) | {S.CLOSED, S.REJECTED}
_SVC = "events.services."

STEPS: dict[str, Step] = {
    "report": Step(
        gettext_lazy("上报"),
        frozenset({None}),
        S.REPORTED,
        "reporter",
        _SVC + "event_report",
        form="ReportForm",
        serializer="EventReportSerializer",
        scope="report",
        description="POST /api/v1/events/ (the events list), not a detail action",
    ),
    "self_handle": Step(
        gettext_lazy("就地处置"),
        frozenset({None}),
        S.CLOSED,
        "grid_self_handler",
        _SVC + "event_self_handle",
        form="SelfHandleForm",
        scope="report",
        description="and the item version allows it (self_handle)",
    ),
    "public_demand": Step(
        gettext_lazy("提交诉求或投诉"),
        frozenset({None}),
        S.REPORTED,
        "public",
        _SVC + "event_public_demand",
        scope="report",
        description="on a grid's public card, without signing in",
    ),
    "accept": Step(
        gettext_lazy("受理"),
        frozenset({S.REPORTED}),
        S.ACCEPTED,
        "router",
        _SVC + "event_accept",
        "TextStepForm",
        "TextSerializer",
        "accept",
    ),
    "reject": Step(
        gettext_lazy("不予受理"),
        frozenset({S.REPORTED, S.ESCALATED, S.ACCEPTED}),
        S.REJECTED,
        "router",
        _SVC + "event_reject",
        "RejectForm",
        "RejectSerializer",
        "reject",
        clocks="stops every clock; `duplicate` merges the event into `original`",
        aside=True,
    ),
    "escalate": Step(
        gettext_lazy("提级"),
        frozenset({S.REPORTED, S.ACCEPTED}),
        S.ESCALATED,
        "router",
        _SVC + "event_escalate",
        "RequiredTextStepForm",
        "RequiredTextSerializer",
        "escalate",
        description="the district authority routes it from then on",
        aside=True,
    ),
    "dispatch": Step(
        gettext_lazy("派遣"),
        frozenset({S.ACCEPTED, S.ESCALATED, S.DISPATCHED}),
        S.DISPATCHED,
        "router",
        _SVC + "event_dispatch",
        "DispatchForm",
        "DispatchSerializer",
        "dispatch",
        clocks="starts the accept (签收) clock of the rule for the event's grade; a re-dispatch restarts it",
    ),
    "sign": Step(
        gettext_lazy("签收"),
        frozenset({S.DISPATCHED}),
        S.HANDLING,
        "handler",
        _SVC + "event_sign",
        "TextStepForm",
        "TextSerializer",
        "sign",
        clocks="stops the accept clock and starts the complete (办结) clock",
    ),
    "return": Step(
        gettext_lazy("退回"),
        frozenset({S.DISPATCHED, S.HANDLING}),
        frozenset({S.ACCEPTED, S.ESCALATED}),
        "handler",
        _SVC + "event_return",
        "ReturnForm",
        "ReasonSerializer",
        "return",
        clocks="stops every clock",
        description="back to the routing level: accepted at the township, escalated at the district",
        aside=True,
    ),
    "request": Step(
        gettext_lazy("申请延期/挂起"),
        frozenset({S.HANDLING}),
        S.HANDLING,
        "handler",
        _SVC + "event_request",
        "RequestForm",
        "RequestSerializer",
        "request",
        clocks="none until the request is decided",
        aside=True,
    ),
    "request_decide": Step(
        gettext_lazy("审批申请"),
        frozenset({S.HANDLING}),
        frozenset({S.HANDLING, S.SUSPENDED}),
        "router",
        _SVC + "event_request_decide",
        "DecideForm",
        "DecideSerializer",
        "decide",
        clocks="an approved extension moves the complete deadline; an approved suspension stops the clock",
        description="suspension approved → suspended; otherwise handling",
    ),
    "resume": Step(
        gettext_lazy("恢复办理"),
        frozenset({S.SUSPENDED}),
        S.HANDLING,
        "router",
        _SVC + "event_resume",
        "TextStepForm",
        "TextSerializer",
        "resume",
        clocks="restarts the complete clock with the time that remained at suspension",
    ),
    "submit_result": Step(
        gettext_lazy("办结反馈"),
        frozenset({S.HANDLING}),
        S.RESULT_SUBMITTED,
        "handler",
        _SVC + "event_submit_result",
        "ResultForm",
        "ResultSerializer",
        "submit-result",
        clocks="stops the complete clock",
    ),
    "verify": Step(
        gettext_lazy("核查"),
        frozenset({S.RESULT_SUBMITTED}),
        frozenset({S.VERIFIED, S.CLOSED, S.HANDLING}),
        "verifier",
        _SVC + "event_verify",
        "VerifyForm",
        "VerifySerializer",
        "verify",
        clocks="fail: rework with a fresh complete clock",
        description="pass → verified, or closed when the rule's close level is the grid; fail → handling (rework)",
    ),
    "close": Step(
        gettext_lazy("结案"),
        frozenset({S.VERIFIED}),
        S.CLOSED,
        "closer",
        _SVC + "event_close",
        "TextStepForm",
        "TextSerializer",
        "close",
    ),
    "rate": Step(
        gettext_lazy("满意度评价"),
        frozenset({S.CLOSED}),
        None,
        "rater",
        _SVC + "event_rate",
        "RateForm",
        description="or the public through the tracking code (checked by the service)",
    ),
    "urge": Step(
        gettext_lazy("催办"),
        frozenset(OPEN_STATUSES),
        None,
        "overseer",
        _SVC + "event_urge",
        "RequiredTextStepForm",
        "RequiredTextSerializer",
        "urge",
        aside=True,
    ),
    "comment": Step(
        gettext_lazy("批注"),
        _ANY,
        None,
        "overseer",
        _SVC + "event_comment",
        "RequiredTextStepForm",
        "RequiredTextSerializer",
        "comment",
        scope="report",
        aside=True,
    ),
    "correct": Step(
        gettext_lazy("更正"),
        _ANY,
        None,
        "corrector",
        _SVC + "event_correct",
        "CorrectForm",
        "CorrectSerializer",
        "correct",
        scope="report",
        aside=True,
    ),
    "invite": Step(
        gettext_lazy("邀请服务团队成员"),
        frozenset(OPEN_STATUSES),
        None,
        "inviter",
        _SVC + "event_invite",
        "InviteForm",
        "InviteSerializer",
        "invite",
        description="a member of a service team serving the grid, with a platform login, as co-handler or adviser",
        aside=True,
    ),
    "advise": Step(
        gettext_lazy("提供咨询意见"),
        frozenset(OPEN_STATUSES),
        None,
        "adviser",
        _SVC + "event_advise",
        "RequiredTextStepForm",
        "RequiredTextSerializer",
        "advise",
        scope="report",
        description="on the timeline; the lead unit's handlers and the routing level are notified",
        aside=True,
    ),
    "publish": Step(
        gettext_lazy("公开"),
        _ANY,
        None,
        "overseer",
        _SVC + "event_publish",
        "PublishForm",
        "PublishSerializer",
        "public",
        when="internal",
        description="Open311 publishes it; the API's `public` action takes `publish` (true) or `unpublish` (false)",
        aside=True,
    ),
    "unpublish": Step(
        gettext_lazy("取消公开"),
        _ANY,
        None,
        "overseer",
        _SVC + "event_publish",
        "UnpublishForm",
        when="public",
        description="Open311 stops publishing it; in the API: `public` with `public: false`",
        aside=True,
    ),
    "auto_escalate": Step(
        gettext_lazy("超期自动提级"),
        frozenset({S.DISPATCHED, S.HANDLING}),
        None,
        "system",
        "events.sweep.sweep_due",
        clocks="taken by the deadline sweep when a clock goes overdue: the level above supervises",
    ),
}


def may_see(actor: Actor, event: "Event") -> bool:
    """Whether the actor may see the event (a new one: its grid): the platform always."""
    from .models import Event

    if actor == SYSTEM:
        return True
    if event.pk is None:
        return has_area_perm(actor, roles.VIEW, event.area)
    return Event.objects.restrict(actor).filter(pk=event.pk).exists()


#: The closed loop's checks (`events.flow.Workflow`) with the events app's wording.
WORKFLOW: Final = Workflow(
    steps=STEPS,
    who=WHO,
    when=WHEN,
    may_see=may_see,
    messages=Messages(
        denied=gettext_lazy("您不能对此事件执行“%(step)s”。"),
        denied_create=gettext_lazy("您不能在该网格%(step)s事件。"),
        invalid=gettext_lazy("事件当前状态为“%(status)s”，不能%(step)s。"),
        not_found_create=gettext_lazy("网格不存在或不在您的辖区内。"),
        # every grid's public card is public: nothing to hide
        public_roles={"public": gettext_lazy("公众只能提交诉求或投诉。")},
    ),
)
authorize = WORKFLOW.authorize
enter = WORKFLOW.enter
available_steps = WORKFLOW.available_steps
describe = WORKFLOW.describe


# Who may see the citizen's contact (Art. 10, 19; PIPL) -----------------------------------
# Not steps: reading personal data changes nothing. Both assume the actor may see the event.


def is_active_handler(actor: Actor, event: "Event") -> bool:
    """Handler of a unit the event is dispatched to now (lead or co-handling, active)."""
    from .models import Dispatch

    if not actor or not actor.is_authenticated:
        return False
    units = unit_ids(actor, "handler")
    return Dispatch.objects.filter(event_id=event.pk, active=True, unit_id__in=units).exists()


def may_reveal_contact(actor: Actor, event: "Event") -> bool:
    """Whether `actor` acts on `event` and so may call the citizen back: dispatchers and
    supervisors over its grid (`is_overseer`), or handlers of a unit it is dispatched to
    now (`is_active_handler`). Says nothing about whether the event has a contact."""
    return is_overseer(actor, event) or is_active_handler(actor, event)


def may_see_masked_contact(actor: Actor, event: "Event") -> bool:
    """Whether `actor` may see the contact masked: those who may reveal it, the reporter,
    the grid's staff (`report_event` on its grid) and handlers of units it was ever
    dispatched to (returned or superseded dispatches)."""
    from .models import Dispatch

    if not actor or not actor.is_authenticated:
        return False
    if actor.pk == event.reporter_id or may_reveal_contact(actor, event) or is_reporter_staff(actor, event):
        return True
    return Dispatch.objects.filter(event_id=event.pk, unit_id__in=unit_ids(actor, "handler")).exists()
