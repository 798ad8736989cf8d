"""The tasks API (`/api/v1/tasks/`, `/api/v1/tasks/assignments/`): thin views over
`tasks.services`, every read scoped (`Task/Assignment.objects.restrict`; out of reach:
404). Issuing is `POST /api/v1/tasks/` (an `Idempotency-Key` makes it once); each step of
`tasks.workflow.STEPS` with a `url` is an action of the assignment, generated from its
row, that names the version it acts on (428 without it, 409 `stale_version` /
`invalid_transition`), with the row's API key scope. Errors map as in the events API
(`events.api.views.ServiceErrorsMixin`).
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog.models import ServiceItem, TemporaryMatter
from events.api.steps import ERRORS, with_steps
from events.api.views import ServiceErrorsMixin
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


def _take(view, request, name, row, values):
    """Run an assignment step (`events.api.steps.with_steps`) on the assignment in reach,
    with `household` resolved to the ledger household."""
    if "household" in values:
        household = Household.objects.filter(pk=values["household"]).first()
        if household is None:
            raise exceptions.ValidationError({"household": ["该户不存在。"]})
        values["household"] = household
    assignment = row.run()(actor=request.user, assignment=view.get_object(), **values)
    return Assignment.objects.get(pk=assignment.pk)


@with_steps(workflow.WORKFLOW, s, s.TaskAssignmentSerializer, _take)
class AssignmentViewSet(ServiceErrorsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Grid assignments within your reach (grid staff: your grids), soonest due first;
    `?task=<id>`, `?status=` and `?within=<area code>` filter."""

    serializer_class = s.TaskAssignmentSerializer
    queryset = Assignment.objects.none()  # for the schema; get_queryset scopes
    filterset_class = AssignmentFilterSet
    scope_map = {"list": "read", "retrieve": "read"}

    def get_queryset(self):
        return Assignment.objects.restrict(self.request.user).select_related("task", "area", "township")
