"""Signals the events app sends, for webhooks and other listeners.

`event_changed` is sent INSIDE the transaction of a workflow step, after its event row
and timeline rows are written, with `event` (events.models.Event) and `action` (the
timeline row just written). Listeners write their side effects as rows in that same
transaction (e.g. `integrations` writes webhook deliveries, sent by Celery after commit:
the transactional outbox, `ningbo_grid.outbox`), keyed by their cause so each is made
once; they never talk to the outside world from here. An error in a listener rolls the
step back.
`event_overdue` is sent once per event and alert stage when a deadline passes, with
`event` and `stage` ("accept_warning", "accept_overdue", "complete_warning",
"complete_overdue").

The deadline sweep sends many of both at once (inside each batch's transaction, up to
2,000 events). It passes `batch`, a dict shared by all the sends of that one batch, in
which a listener may keep what it would otherwise read again for every send (e.g. the
active webhook subscriptions); it is dropped when the batch's sends end. The sender
fills `batch["concerned"]`: {event id: organisation ids concerned}, read for the whole
batch with `events.selectors.concerned_organisations` (see `integrations.receivers`).
A listener may also collect its rows there and put a callable in `batch["on_end"]` (a
list): the sender calls each after the batch's last send, still inside the transaction,
so the rows are written in one statement. Listeners must accept and may ignore it.
"""

from django.dispatch import Signal

event_changed = Signal()
event_overdue = Signal()
