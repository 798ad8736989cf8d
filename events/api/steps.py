"""One way to publish a workflow's steps as API actions (events, emergency, tasks).

`with_steps(flow, serializers, output, take)` is a class decorator that adds, for every
row of the `events.flow.Workflow`'s step table with an API `url` (and not creating its
object; only rows acting on `subject` when given), a detail POST action named
`step_<name>` at `row.url`, with the row's API key scope in the viewset's `scope_map`.
Each action:

1. requires the `version` the caller read in the body (428 `version_required`,
   `require_version`, naming the view's model: `events.flow.version_message`),
2. validates the body with the row's `serializer` (a class in `serializers`; 400 with
   field codes),
3. calls `take(view, request, name, row, values)`, which reads the object through the view's
   scoped queryset (404 out of reach), runs the row's service and returns the object
   after the step (403 / 409 `stale_version` / `invalid_transition` from the services,
   mapped by the view's `ServiceErrorsMixin`),
4. answers 200 with `output(obj)` (and `headers(obj)` when given).

Its OpenAPI entry is generated from the row too: the request body, a summary with the
step's label, the description `flow.describe(name)` (who, from, ends in, clocks, key
scope) and every answer (`STEP_ERRORS`).
"""

from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from django.utils.text import format_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ..flow import Step, Workflow, version_message

ERRORS = {
    400: OpenApiResponse(description="bad input (field messages)"),
    403: OpenApiResponse(description="you may see the object but not take this step"),
    404: OpenApiResponse(description="not found or outside your jurisdiction"),
    409: OpenApiResponse(description="code `conflict`: a concurrent twin or a repeated one-time step"),
}
STEP_ERRORS = {
    **ERRORS,
    409: OpenApiResponse(
        description="code `stale_version`: the object changed since the version you sent (read it again); "
        "code `invalid_transition`: the step is not allowed in the object's current status"
    ),
    428: OpenApiResponse(description="code `version_required`: the body has no `version`"),
}


class VersionRequired(exceptions.APIException):
    """HTTP 428 `version_required`; its detail is `version_message(model, stale=False)`."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "version_required"


def require_version(request, model) -> None:
    """Raise VersionRequired (428, naming `model`, the model the step acts on) when the
    step's JSON object has no `version`. A body that is not an object (`null`, `123`) is
    left to the step's serializer: 400 `invalid`."""
    if isinstance(request.data, Mapping) and "version" not in request.data:
        raise VersionRequired(version_message(model, stale=False))


#: `take(view, request, name, row, values) -> obj`: run step `name` (its `row`) on the view's object.
Take = Callable[[Any, Any, str, Step, dict], Any]


def step_action(
    flow: Workflow,
    name: str,
    serializers: ModuleType,
    output,
    take: Take,
    headers: Callable[[Any], dict] | None = None,
    **options,
):
    """The API action of step `name` of `flow` (see the module docstring); `options` go to
    DRF's `action` (`filterset_class=None`: a POST takes no list filters)."""
    row = flow.steps[name]
    serializer_class = getattr(serializers, row.serializer)

    def view(self, request, **kwargs):
        require_version(request, self.get_queryset().model)
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        obj = take(self, request, name, row, dict(data.validated_data))
        return Response(output(obj).data, headers=headers(obj) if headers else None)

    view.__name__ = view.__qualname__ = f"step_{name}"
    # The schema after `action`, which replaces the function's `kwargs` (where
    # drf-spectacular keeps it): applied first, the body, summary and answers were lost.
    view = action(detail=True, methods=["post"], url_path=row.url, url_name=row.url, **options)(view)
    return extend_schema(
        request=serializer_class,
        responses={200: output, **STEP_ERRORS},
        summary=format_lazy("{} ({})", name.replace("_", " ").capitalize(), row.label),
        description=flow.describe(name),
    )(view)


def with_steps(
    flow: Workflow,
    serializers: ModuleType,
    output,
    take: Take,
    *,
    subject: str | None = None,
    headers: Callable[[Any], dict] | None = None,
):
    """Class decorator: one `step_action` per row of `flow` with an API `url` that does not
    create its object (and acts on `subject`, when given), with the row's key scope.
    The attribute is `step_<name>` (`dispatch`, `return` would shadow the view's own)."""

    def add(cls):
        options = {"filterset_class": None} if hasattr(cls, "filterset_class") else {}
        for name, row in flow.steps.items():
            if row.url and not row.creates and (subject is None or flow.subjects[name] == subject):
                setattr(cls, f"step_{name}", step_action(flow, name, serializers, output, take, headers, **options))
                cls.scope_map = {**cls.scope_map, f"step_{name}": row.scope}
        return cls

    return add
