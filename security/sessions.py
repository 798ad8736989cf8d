"""Signed-in sessions: idle timeout, absolute lifetime, the user's list, and ending them
(GB/T 22239-2019 8.1.4.1 b: login failure handling and automatic logout on timeout).

Times are read with `time.time()` (seconds since the epoch, UTC) and kept in the session:
`SESSION_IDLE_MINUTES` (default 30) without a request signs the user out, and so does
`SESSION_ABSOLUTE_HOURS` (default 12) after sign-in whatever the activity.
"""

import time

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import UserSession

STARTED = "_security_started"
LAST_SEEN = "_security_last_seen"
#: `last_seen` is written at most this often (seconds), not on every request.
TOUCH_EVERY = 60


def idle_seconds() -> float:
    return settings.SESSION_IDLE_MINUTES * 60


def absolute_seconds() -> float:
    return settings.SESSION_ABSOLUTE_HOURS * 3600


def expired(session: SessionBase, now: float) -> str | None:
    """ "idle" or "absolute" when the session has timed out at `now` (epoch seconds), else None."""
    started = session.get(STARTED)
    last = session.get(LAST_SEEN)
    if started is not None and now - started > absolute_seconds():
        return "absolute"
    if last is not None and now - last > idle_seconds():
        return "idle"
    return None


def touch(request, now: float) -> None:
    """Note activity at `now`: in the session, and (at most once a minute) in the user's list."""
    session = request.session
    session.setdefault(STARTED, now)
    last = session.get(LAST_SEEN)
    if last is None or now - last >= TOUCH_EVERY:
        session[LAST_SEEN] = now
        if session.session_key:
            UserSession.objects.filter(session_key=session.session_key).update(last_seen=timezone.now())


def started(request, user) -> None:
    """Put the session just signed in (`user_logged_in`) on the user's list."""
    from .audit import client_address

    now = time.time()
    request.session[STARTED] = now
    request.session[LAST_SEEN] = now
    if not request.session.session_key:
        request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "address": client_address(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
        },
    )


def _store(session_key: str) -> SessionBase:
    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")(session_key)


def end(row: UserSession) -> None:
    """End one listed session: its session data is deleted, so its next request is signed out."""
    _store(row.session_key).delete(row.session_key)
    row.delete()


def end_all(user, *, except_key: str | None = None) -> int:
    """End every listed session of `user` (but `except_key`); returns how many. Used when a
    role ends, the account is disabled, or the user ends them on "my sessions"."""
    rows = list(UserSession.objects.filter(user=user).exclude(session_key=except_key or ""))
    for row in rows:
        end(row)
    return len(rows)


def current(user) -> list[UserSession]:
    """The user's listed sessions that still exist (stale rows are dropped)."""
    rows = list(UserSession.objects.filter(user=user))
    live = []
    for row in rows:
        if _store(row.session_key).exists(row.session_key):
            live.append(row)
        else:
            row.delete()
    return live
