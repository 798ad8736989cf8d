"""Serializers of the tasks API (`/api/v1/tasks/`): strict fields (`ningbo_grid.fields`)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ningbo_grid import fields as strict

from ..choices import Outcome, ResultKind
from ..models import Assignment, Task


class TaskSerializer(strict.ModelSerializer):
    """A task (Art. 19): `item` the catalogue item code or `temporary_matter` the approved
    matter's id that authorises it; `areas` the chosen nodes' codes; times ISO 8601."""

    item = serializers.SerializerMethodField()
    areas = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    organisation = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "instructions",
            "item",
            "temporary_matter",
            "areas",
            "organisation",
            "result_kind",
            "working_days",
            "warn_at",
            "due_at",
            "issued_at",
        ]
        read_only_fields = fields

    def get_item(self, task: Task) -> str | None:
        return task.item_version.item.code if task.item_version_id else None


class TaskIssueSerializer(serializers.Serializer):
    """Input of `POST /api/v1/tasks/`: exactly one of `item` (code) and `temporary_matter` (id)."""

    title = strict.CharField(max_length=100)
    instructions = strict.CharField(max_length=5000)
    areas = serializers.ListField(child=strict.CharField(max_length=18), min_length=1, max_length=500)
    item = strict.CharField(max_length=12, required=False)
    temporary_matter = strict.IntegerField(min_value=1, required=False)
    working_days = strict.IntegerField(min_value=1, max_value=60)
    result_kind = serializers.ChoiceField(choices=ResultKind.choices, default=ResultKind.GRID)


class TaskTownshipProgressSerializer(serializers.Serializer):
    township = strict.IntegerField(source="township_id")
    name = strict.CharField(source="township__name")
    grids = strict.IntegerField()
    done = strict.IntegerField()
    returned = strict.IntegerField()
    overdue = strict.IntegerField()
    unacknowledged = strict.IntegerField()


class TaskProgressSerializer(serializers.Serializer):
    """A task's progress: per township, and the share of grids done (%)."""

    townships = TaskTownshipProgressSerializer(many=True)
    percent = strict.IntegerField()


class TaskAssignmentSerializer(strict.ModelSerializer):
    """One grid's assignment; `version` is what a step sends back."""

    task_title = serializers.CharField(source="task.title", read_only=True)
    grid = serializers.CharField(source="area.code", read_only=True)
    grid_name = serializers.CharField(source="area.name", read_only=True)
    township = serializers.CharField(source="township.code", read_only=True)
    warned = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "task",
            "task_title",
            "grid",
            "grid_name",
            "township",
            "status",
            "version",
            "warn_at",
            "due_at",
            "warned",
            "overdue",
            "acknowledged_at",
            "done_at",
            "result",
            "return_reason",
            "urged",
        ]
        read_only_fields = fields

    def get_warned(self, assignment: Assignment) -> bool:
        return assignment.warned_at is not None

    def get_overdue(self, assignment: Assignment) -> bool:
        return assignment.overdue_at is not None


class TaskStepSerializer(serializers.Serializer):
    """Every step's input: `version`, the assignment's `version` as you read it (428
    without it, 409 `stale_version` if it changed since)."""

    version = strict.IntegerField(min_value=1, max_value=2**31 - 1)


class TaskCompleteSerializer(TaskStepSerializer):
    result = strict.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("办理结果；每户一条结果的任务尚有住户未登记时必填，写明原因。"),
    )
    photo = serializers.ImageField(required=False)


class TaskReturnSerializer(TaskStepSerializer):
    reason = strict.CharField(max_length=5000)


class TaskRecordSerializer(TaskStepSerializer):
    """A per-household result: `household` (ledger household id within the grid), `outcome`."""

    household = strict.IntegerField(min_value=1)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    note = strict.CharField(max_length=5000, required=False, allow_blank=True, default="")
    photo = serializers.ImageField(required=False)
