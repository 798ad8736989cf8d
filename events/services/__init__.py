"""The closed loop (Art. 17, 18, 19, 29, 30): one service per step, by topic.

Every step function is keyword-only and takes `actor=` (a user; `None` only for the
public rating through a tracking code) and `event=` (an `Event` instance as the caller
loaded it, or its primary key). Each runs in one transaction:

1. lock the event row (`select_for_update`) and re-read it;
2-4. `events.workflow.authorize(actor, step, event, version=...)`, the one check: the
   actor's role for the step (`NotFound` if the event is outside the actor's
   jurisdiction, `PermissionDenied` if they may see it but not take the step); if an
   `Event` instance was passed and its `version` differs from the locked row's,
   `StaleVersion` (someone else acted first: the second of two concurrent steps —
   callers acting for a person pass the version that person read, `as_read`: the
   browser's step forms and the API's steps both require it); the step allowed from the
   CURRENT status and its `when` (`InvalidTransition`, a `Conflict`);
5. validate the input (`django.core.exceptions.ValidationError` with a field dict);
6. put the event in the step's target (`workflow.enter`: the row's target, or one of its
   documented targets), bump `version`, append the `Action` row(s), recompute
   `next_alert_at`/`alert_level`;
7. in the same transaction: notifications and their e-mail / SMS outbox rows
   (`events.notify.record`) and `events.signals.event_changed` (webhook deliveries);
   a Celery task sends them after commit (see `ningbo_grid.outbox`).

Each returns the updated `Event` (patrol services return the `Patrol`).

`at=` (aware datetime, default now) exists only for seeding and imports of past
records; views and the API must never pass it.

Deadlines: dispatch starts the accept (签收) clock from the rule of the event's grade;
signing starts the complete (办结) clock. Emergency events count natural hours (Art. 18).

Modules: `core` (lock, record, save, clocks), `report` (create an event), `routing`
(accept, reject, escalate, dispatch), `handling` (sign … close), `oversight` (rate, urge,
comment, publish, correct, invite, advise), `patrols` (and the inbox), `contact` (the citizen's contact).
Everything public is re-exported here, so callers import `events.services`.
"""

from ..choices import OPEN_STATUSES
from .contact import CONTACT_PURPOSE_MESSAGES, event_contact_unmask
from .core import as_read, compute_next_alert
from .handling import (
    event_close,
    event_request,
    event_request_decide,
    event_resume,
    event_return,
    event_sign,
    event_submit_result,
    event_verify,
)
from .oversight import (
    CORRECTABLE_FIELDS,
    event_advise,
    event_comment,
    event_correct,
    event_invite,
    event_publish,
    event_rate,
    event_urge,
)
from .patrols import notifications_mark_read, patrol_end, patrol_log, patrol_start
from .report import (
    MAX_DISCOVERY_AGE,
    PUBLIC_SOURCES,
    PUBLIC_STEP,
    REPORT_TEXT_LIMITS,
    event_public_demand,
    event_report,
    event_self_handle,
    version_in_force,
)
from .routing import event_accept, event_dispatch, event_escalate, event_reject

__all__ = [
    "CONTACT_PURPOSE_MESSAGES",
    "CORRECTABLE_FIELDS",
    "MAX_DISCOVERY_AGE",
    "OPEN_STATUSES",
    "PUBLIC_SOURCES",
    "PUBLIC_STEP",
    "REPORT_TEXT_LIMITS",
    "as_read",
    "compute_next_alert",
    "event_accept",
    "event_advise",
    "event_close",
    "event_comment",
    "event_contact_unmask",
    "event_correct",
    "event_dispatch",
    "event_escalate",
    "event_invite",
    "event_public_demand",
    "event_publish",
    "event_rate",
    "event_reject",
    "event_report",
    "event_request",
    "event_request_decide",
    "event_resume",
    "event_return",
    "event_self_handle",
    "event_sign",
    "event_submit_result",
    "event_urge",
    "event_verify",
    "notifications_mark_read",
    "patrol_end",
    "patrol_log",
    "patrol_start",
    "version_in_force",
]
