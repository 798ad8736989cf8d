"""The tasks API (`/api/v1/tasks/`, `/api/v1/tasks/assignments/`): thin views over
`tasks.services`, every read scoped (`Task/Assignment.objects.restrict`; out of reach:
404). Issuing is `POST /api/v1/tasks/` (an `Idempotency-Key` makes it once); each step of
`tasks.workflow.STEPS` with a `url` is an action of the assignment, generated from its
row, that names the version it acts on (428 without it, 409 `stale_version` /
`invalid_transition`), with the row's API key scope. Errors map as in the events API
(`events.api.views.ServiceErrorsMixin`).
"""

from django.utils.text import format_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog.models import ServiceItem, TemporaryMatter
from events.api.views import ERRORS, STEP_ERRORS, ServiceErrorsMixin, VersionRequired
from grids.models import Area
from ledgers.models import Household

from .. import progress, services, workflow
from ..models import Assignment, Task, issued_q
from . import serializers as s
from .filtersets import AssignmentFilterSet


@extend_schema_view(
    list=extend_schema(summary="Tasks you or your organisation issued, or sent to your grids"),
    create=extend_schema(request=s.TaskIssueSerializer, responses={201: s.TaskSerializer, **ERRORS}),
)
class TaskViewSet(ServiceErrorsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tasks sent down to the grids (任务下派, Art. 19), newest first."""

    serializer_class = s.TaskSerializer
    queryset = Task.objects.none()  # for the schema; get_queryset scopes
    lookup_value_regex = r"\d+"
    scope_map = {"list": "read", "retrieve": "read", "progress": "read", "create": "handle", "urge_late": "handle"}

    def get_queryset(self):
        return (
            Task.objects.restrict(self.request.user)
            .select_related("organisation", "item_version__item")
            .prefetch_related("areas")
        )

    def create(self, request):
        data = s.TaskIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        codes = values.pop("areas")
        areas = list(Area.objects.filter(code__in=codes))
        if len(areas) != len(set(codes)):
            raise exceptions.ValidationError({"areas": ["未知的区域编码。"]})
        item = values.pop("item", None)
        if item is not None:
            item = ServiceItem.objects.filter(code=item).first()
            if item is None:
                raise exceptions.ValidationError({"item": ["未知的清单事项编码。"]})
        matter = values.pop("temporary_matter", None)
        if matter is not None:
            matter = TemporaryMatter.objects.filter(pk=matter).first()
            if matter is None:
                raise exceptions.ValidationError({"temporary_matter": ["临时事项不存在。"]})
        task = services.task_issue(actor=request.user, areas=areas, item=item, temporary_matter=matter, **values)
        return Response(s.TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    def _issued(self) -> Task:
        task = self.get_object()
        if not self.request.user.is_superuser and not Task.objects.filter(issued_q(self.request.user), pk=task.pk):
            raise exceptions.NotFound()
        return task

    @extend_schema(summary="Progress per township (issuer only)", responses={200: s.TaskProgressSerializer, **ERRORS})
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        return Response(s.TaskProgressSerializer(progress.summary(self._issued())).data)

    @extend_schema(summary="Urge every late assignment (issuer only)", request=None, responses={200: dict, **ERRORS})
    @action(detail=True, methods=["post"], url_path="urge-late")
    def urge_late(self, request, pk=None):
        return Response({"urged": services.urge_late(actor=request.user, task=self._issued())})


def _step(name: str, row):
    """The API action of step `name`, generated from its `workflow.STEPS` row."""
    serializer_class = getattr(s, row.serializer)

    def view(self, request, pk=None):
        if "version" not in request.data:
            raise VersionRequired()
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        assignment = self.get_object()
        if "household" in values:
            household = Household.objects.filter(pk=values["household"]).first()
            if household is None:
                raise exceptions.ValidationError({"household": ["该户不存在。"]})
            values["household"] = household
        row.run()(actor=request.user, assignment=assignment, **values)
        return Response(s.TaskAssignmentSerializer(Assignment.objects.get(pk=assignment.pk)).data)

    view.__name__ = view.__qualname__ = f"step_{name}"
    view = action(detail=True, methods=["post"], url_path=row.url, url_name=row.url)(view)
    return extend_schema(
        request=serializer_class,
        responses={200: s.TaskAssignmentSerializer, **STEP_ERRORS},
        summary=format_lazy("{} ({})", name.capitalize(), row.label),
        description=f"From: {', '.join(sorted(row.sources))}. Ends in: {row.target or 'unchanged'}. {row.description}",
    )(view)


def with_steps(cls):
    """One action per `workflow.STEPS` row with an API `url`, with the row's key scope."""
    for name, row in workflow.STEPS.items():
        if row.url:
            setattr(cls, f"step_{name}", _step(name, row))
            cls.scope_map = {**cls.scope_map, f"step_{name}": row.scope}
    return cls


@with_steps
class AssignmentViewSet(ServiceErrorsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Grid assignments within your reach (grid staff: your grids), soonest due first;
    `?task=<id>`, `?status=` and `?within=<area code>` filter."""

    serializer_class = s.TaskAssignmentSerializer
    queryset = Assignment.objects.none()  # for the schema; get_queryset scopes
    filterset_class = AssignmentFilterSet
    scope_map = {"list": "read", "retrieve": "read"}

    def get_queryset(self):
        return Assignment.objects.restrict(self.request.user).select_related("task", "area", "township")
