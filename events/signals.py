"""Signals the events app sends, for webhooks and other listeners.

`event_changed` is sent after the transaction of a workflow step commits, with
`event` (events.models.Event) and `action` (the timeline row just written). Listeners
must not raise; they queue their own work (e.g. webhook deliveries via Celery).
`event_overdue` is sent once per event and alert stage when a deadline passes, with
`event` and `stage` ("accept_warning", "accept_overdue", "complete_warning",
"complete_overdue").
"""

from django.dispatch import Signal

event_changed = Signal()
event_overdue = Signal()
