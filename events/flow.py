"""One step table, one way to authorise a state change (Art. 17, 18, 19).

A `Workflow` is built from a table of `Step` rows and answers, for every app with a state
machine — the event's closed loop (`events.workflow`, Art. 17), the emergency response
and its check-ins (`emergency.workflow`, Art. 18), a task's grid assignments
(`tasks.workflow`, Art. 19) — the same three questions the same way:

- `authorize(actor, step, obj, version=...)`: may `actor` take `step` on `obj` now?
  Raises NotFound, PermissionDenied, StaleVersion or InvalidTransition
  (`events.exceptions`); every service asks under the row lock.
- `enter(obj, step, status=None)`: put `obj` in the status the step ends in.
- `available_steps(actor, obj, subject=None)`: which buttons to show.

Each workflow passes its own table (`steps`), roles (`who`), conditions other than the
status (`when`), visibility check (`may_see`), Chinese wording (`Messages`) and, when one
table moves two kinds of object, what each step acts on (`subjects`).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from .exceptions import InvalidTransition, NotFound, PermissionDenied, StaleVersion

#: The actor of the steps the platform takes itself (the deadline sweeps).
SYSTEM: Final = "system"
#: Who takes a step: a user (django.contrib.auth: signed in, or anonymous), `None` (the
#: public through its own pages, no login) or `SYSTEM`. Typed `Any`: a precise union would
#: need a narrowing at every `actor.pk`, which the `who` checks and `authorize` already do
#: at run time.
Actor = Any


@dataclass(frozen=True)
class Step:
    """One row of a step table (see `events.workflow` for the columns)."""

    label: Promise | str
    sources: frozenset[str | None]
    target: str | frozenset[str] | None
    who: str
    service: str
    form: str = ""
    serializer: str = ""
    url: str = ""
    scope: Literal["read", "report", "handle"] = "handle"
    when: str = ""
    clocks: str = ""
    description: str = ""
    aside: bool = False

    @property
    def creates(self) -> bool:
        return None in self.sources

    def ends(self, source: str | None) -> frozenset[str]:
        """The statuses the step may end in when taken from `source`."""
        if self.target is None:
            return frozenset({source}) if source is not None else frozenset()
        return self.target if isinstance(self.target, frozenset) else frozenset({self.target})

    def run(self) -> Callable[..., Any]:
        """The service function (imported on first use: services import the table)."""
        return import_string(self.service)


@dataclass(frozen=True)
class When:
    """A condition other than the status (`Step.when`), and what to say when it fails."""

    check: Callable[[Any], bool]
    refusal: Promise


@dataclass(frozen=True)
class Messages:
    """A workflow's wording of its refusals (lazy Chinese msgids).

    - `denied`: PermissionDenied, with `%(step)s` (the step's label);
      `denied_create` for a creating step (default `denied`).
    - `invalid`: InvalidTransition from the wrong status, with `%(status)s` and `%(step)s`.
    - `not_found` / `not_found_create`: NotFound for an existing / a new object
      (None: `NotFound`'s own message).
    - `public_roles`: roles (`who` keys) whose subject anyone may see: failing one is
      PermissionDenied with this message at once, whatever the actor may see.
    """

    denied: Promise
    invalid: Promise
    denied_create: Promise | None = None
    not_found: Promise | None = None
    not_found_create: Promise | None = None
    public_roles: Mapping[str, Promise] = field(default_factory=dict)


def _text(message: Promise | None) -> str | None:
    return str(message) if message is not None else None


VERSION_REQUIRED: Final = gettext_lazy("请在请求中带上所读取%(object)s的 version，以免重复办理或覆盖他人的办理。")
STALE_VERSION: Final = gettext_lazy("该%(object)s已被他人处理或更新，请刷新后重试。")


def version_message(subject: Any, *, stale: bool) -> str:
    """The one wording of a step's version error, naming what the step acts on.

    `subject`: the model class or instance the step acts on (its `verbose_name`: 网格事件,
    网格任务, 应急响应, 应急签到 …). `stale=False`: the request carries no `version`
    (HTTP 428 `version_required`); `stale=True`: the object moved on since that version
    (HTTP 409 `stale_version`). Returns the message in the active language.
    """
    template = STALE_VERSION if stale else VERSION_REQUIRED
    return str(template) % {"object": subject._meta.verbose_name}


@dataclass(frozen=True)
class Workflow:
    """A step table and how to check it.

    - `steps`: name → `Step`; `Step.sources` holds the object's status values (`None`:
      the step creates the object).
    - `who`: role name (`Step.who`) → `(actor, obj) -> bool` on the object as it is now
      (for a creating step: the unsaved object). The role "system" is the platform's own
      (never offered as a button).
    - `when`: condition name (`Step.when`) → `When`.
    - `may_see`: `(actor, obj) -> bool`, whether the actor may see the object (a new one:
      where it would be created); None when callers only pass objects read through their
      scoped queryset.
    - `messages`: the wording (`Messages`).
    - `subjects`: step name → what it acts on, when the table moves two kinds of object
      (emergency: "response" / "checkin"); empty otherwise.
    """

    steps: Mapping[str, Step]
    who: Mapping[str, Callable[[Actor, Any], bool]]
    messages: Messages
    when: Mapping[str, When] = field(default_factory=dict)
    may_see: Callable[[Actor, Any], bool] | None = None
    subjects: Mapping[str, str] = field(default_factory=dict)

    def authorize(self, actor: Actor, step: str, obj: Any, *, version: int | None = None) -> None:
        """The one check before `step` changes `obj` (every service makes it, under the row lock).

        In this order: the actor's role (`who`) — failing it, PermissionDenied for a
        public role, else NotFound if the actor may not see `obj`, else StaleVersion if
        `obj` moved on since `version` (the version the actor read; None = not checked),
        else PermissionDenied; then the version — StaleVersion; then the status
        (`sources`) and the step's `when` — InvalidTransition.
        """
        row, wording = self.steps[step], self.messages
        stale = version is not None and version != obj.version
        if not self.who[row.who](actor, obj):
            if row.who in wording.public_roles:
                raise PermissionDenied(str(wording.public_roles[row.who]))
            if self.may_see is not None and not self.may_see(actor, obj):
                raise NotFound(_text(wording.not_found_create if row.creates else wording.not_found))
            if stale:
                raise StaleVersion(version_message(obj, stale=True))
            denied = (wording.denied_create or wording.denied) if row.creates else wording.denied
            raise PermissionDenied(str(denied) % {"step": row.label})
        if stale:
            raise StaleVersion(version_message(obj, stale=True))
        if (None if row.creates else obj.status) not in row.sources:
            raise InvalidTransition(str(wording.invalid) % {"status": obj.get_status_display(), "step": row.label})
        if row.when and not self.when[row.when].check(obj):
            raise InvalidTransition(self.when[row.when].refusal)

    def enter(self, obj: Any, step: str, status: str | None = None) -> None:
        """Put `obj` in the status `step` ends in: the row's target (unchanged for a `None`
        target), or `status` chosen by the service among the row's documented targets.
        Raises AssertionError on any other (a bug in the service, never the user's input)."""
        row = self.steps[step]
        source = None if row.creates else obj.status
        chosen = status if status is not None else source if row.target is None else row.target
        if not isinstance(chosen, str) or chosen not in row.ends(source):
            raise AssertionError(f"{step} cannot end in {chosen!r}")
        obj.status = chosen

    def available_steps(self, actor: Actor, obj: Any, subject: str | None = None) -> list[str]:
        """Names of the steps `actor` may take on `obj` now, in table order (for buttons;
        services re-check): not creating, not the platform's, from `obj`'s status, its
        `when` holding, the actor's role; only those acting on `subject` when given."""
        return [
            name
            for name, row in self.steps.items()
            if (subject is None or self.subjects[name] == subject)
            and not row.creates
            and row.who != "system"
            and obj.status in row.sources
            and (not row.when or self.when[row.when].check(obj))
            and self.who[row.who](actor, obj)
        ]

    def describe(self, name: str) -> str:
        """The OpenAPI description of step `name`: who may take it (its role's docstring),
        from which states, where it leads, what it does to the clocks and its API key
        scope (generated from its row)."""
        row = self.steps[name]
        who = (self.who[row.who].__doc__ or row.who).strip().split("\n\n")[0].replace("\n", " ")
        sources = ", ".join(sorted(str(s) for s in row.sources if s))
        target = row.target
        ends = "unchanged" if target is None else ", ".join(sorted(target)) if isinstance(target, frozenset) else target
        lines = [f"**Who**: {who}", f"**From**: {sources}", f"**Ends in**: {ends}"]
        if row.description:
            lines.append(f"**Note**: {row.description}")
        lines.append(f"**Clocks**: {row.clocks or 'unchanged'}")
        lines.append(f"**API key scope**: `{row.scope}`")
        return "\n\n".join(lines)
