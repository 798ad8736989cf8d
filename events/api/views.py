"""The events API (`/api/v1/events/`, `/patrols/`, `/notifications/`): thin views over
`events.services`; every read goes through `Event.objects.restrict` (out of scope = 404).

Every workflow step (accept … comment, and correct) names the version it acts on: the
`version` field of the event as read, sent back in the body (JSON, form or multipart),
as the browser's step forms send it (`services.as_read`). Without it the step is 428
`version_required`; on a version that is no longer current 409 `stale_version`; a step
the current status does not allow 409 `invalid_transition`. Retrying a step with the
same version therefore never acts twice.

Service errors map in one place (`ServiceErrorsMixin`): Conflict → 409 with its code
(`stale_version`, `invalid_transition`, `conflict`), NotFound → 404;
Django's PermissionDenied → 403 and ValidationError → 400 (field messages) are mapped by
`ningbo_grid.api.exception_handler`. API-key scopes (integrations.permissions): `read` for
GET; `report` to attach photos and log patrols; `handle` to reveal a contact; each step's
(report, comment, correct: `report`; the others `handle`) is its `workflow.STEPS` row's
`scope`. The step actions themselves are generated from the rows (`with_steps`).
"""

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from ningbo_grid.concurrency import ETagMixin, etag_of
from ningbo_grid.pagination import StableCursorPagination
from ningbo_grid.rows import ValuesRows

from .. import services, workflow
from ..attachments import attachment_add
from ..exceptions import Conflict, NotFound
from ..filtersets import EventApiFilterSet
from ..messaging import Notification
from ..models import Event, Patrol
from ..selectors import handling_units, suggested_lead_unit, units_by_level
from . import serializers as s
from .steps import ERRORS, with_steps

#: List rows of `EventSerializer`'s shape, built without model instances.
EVENT_ROWS = ValuesRows(s.EventSerializer)


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("该事件已被他人处理或更新，请刷新后重试。")
    default_code = "conflict"


class ServiceErrorsMixin:
    """Map the events services' own exceptions to HTTP (see the module docstring)."""

    def handle_exception(self, exc):
        if isinstance(exc, Conflict):
            exc = ConflictError(str(exc.message), code=exc.code)
        elif isinstance(exc, NotFound):
            exc = exceptions.NotFound(str(exc.message))
        return super().handle_exception(exc)


def _take(view, request, name, row, values):
    """Run an event step (`steps.with_steps`): on the event as the caller read it
    (`services.as_read`: its `version`), with `original` resolved to an event in reach."""
    event = services.as_read(view.get_object(), values.pop("version"))
    if "original" in values:
        original = Event.objects.restrict(request.user).filter(number=values["original"]).first()
        if original is None:
            raise exceptions.ValidationError({"original": [_("原事件不存在或不在您的辖区内。")]})
        values["original"] = original
    return row.run()(actor=request.user, event=event, **values)


@with_steps(workflow.WORKFLOW, s, s.EventSerializer, _take, headers=lambda event: {"ETag": etag_of(event)})
@extend_schema_view(
    list=extend_schema(summary="Events within your jurisdiction or dispatched to your unit"),
    create=extend_schema(request=s.EventReportSerializer, responses={201: s.EventSerializer, **ERRORS}),
    retrieve=extend_schema(summary="One event (its `version` is what a workflow step sends back)"),
)
class EventViewSet(
    ServiceErrorsMixin, ETagMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Grid events (Art. 17, 30), newest report first (cursor pages).

    Ordered on the report time, which never changes: a page never skips or repeats an
    event that changes while the client pages (sync clients use `updated_since`), and
    every list reads one index range (events.models.Event.Meta.indexes). Each page
    costs a fixed number of queries whatever its size.
    """

    serializer_class = s.EventSerializer
    filterset_class = EventApiFilterSet
    pagination_class = StableCursorPagination
    ordering = ("-reported_at", "-id")
    lookup_field = "number"
    lookup_value_regex = r"[A-Z]\d{8,16}"
    scope_map = {
        "list": "read",
        "retrieve": "read",
        "timeline": "read",
        "attachment": "read",
        "create": workflow.STEPS["report"].scope,
        "attachments": "report",  # GET falls back to the method: see scope_map["GET"]
        "GET": "read",
        "contact": "handle",
        "dispatch_units": workflow.STEPS["dispatch"].scope,
    }

    def get_queryset(self):
        # The three tree nodes come in separate small queries: joining grids_area three times
        # made PostgreSQL spend 5-13 ms planning a 0.3 ms page (7 relations, 29 event indexes).
        return (
            Event.objects.restrict(self.request.user)
            .select_related("item", "item_version", "lead_unit")
            .prefetch_related("area", "township", "county")
        )

    def list(self, request, *args, **kwargs):
        # A page of `EventSerializer` rows built from `values()` (ningbo_grid.rows: no model
        # instances, the tree nodes' codes by subquery): the same JSON, a fraction of the time.
        # (A comment, not a docstring: drf-spectacular would publish it as the description.)
        queryset = self.filter_queryset(Event.objects.restrict(request.user))
        page = self.paginate_queryset(EVENT_ROWS.values(queryset))
        return self.get_paginated_response(EVENT_ROWS.page(page))

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.EventDetailSerializer  # the masked contact: one event, not every list row
        return super().get_serializer_class()

    def create(self, request, *args, **kwargs):
        data = s.EventReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.event_report(actor=request.user, **data.validated_data)
        return Response(s.EventSerializer(event).data, status=status.HTTP_201_CREATED, headers={"ETag": etag_of(event)})

    @extend_schema(responses={200: s.ActionSerializer(many=True)}, summary="Timeline (audit trail), oldest first")
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def timeline(self, request, number=None):
        event = self.get_object()
        actions = event.actions.select_related("actor_organisation").order_by("at", "id")
        return Response(s.ActionSerializer(actions, many=True).data)

    @extend_schema(
        responses={200: s.DispatchUnitsSerializer, 403: OpenApiResponse(description="you may not dispatch it now")},
        summary="The units a dispatch may name, grouped by level, and the suggested lead unit (Art. 17)",
    )
    @action(detail=True, methods=["get"], url_path="dispatch-units", filterset_class=None, pagination_class=None)
    def dispatch_units(self, request, number=None):
        """What the dispatch step (`POST …/dispatch/`) accepts as `lead_unit`/`co_units`:
        the handling units in the event's district or above, grouped city → village, and
        `suggested`: the item's responsible department nearest the event
        (`events.selectors.suggested_lead_unit`). 403 unless the caller may dispatch it now."""
        event = self.get_object()
        if "dispatch" not in workflow.available_steps(request.user, event):
            raise exceptions.PermissionDenied(_("您现在不能派遣该事件。"))
        units = list(handling_units(event))
        suggested = suggested_lead_unit(event, units)
        groups = [
            {"label": label, "units": [{"id": pk, "name": name} for pk, name in rows]}
            for label, rows in units_by_level(units)
        ]
        return Response({"suggested": suggested.pk if suggested else None, "groups": groups})

    @extend_schema(methods=["GET"], responses={200: s.AttachmentSerializer(many=True)}, summary="Photos of the event")
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.AttachmentSerializer, **ERRORS},
        summary="Attach a photo (JPEG, PNG, WebP; metadata stripped)",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filterset_class=None,
        pagination_class=None,
        parser_classes=[MultiPartParser, FormParser],
    )
    def attachments(self, request, number=None):
        event = self.get_object()
        if request.method == "POST":
            data = s.AttachmentUploadSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            attachment = attachment_add(actor=request.user, event=event, file=data.validated_data["file"])
            return Response(s.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
        rows = event.attachments.select_related("event").order_by("uploaded_at", "id")
        return Response(s.AttachmentSerializer(rows, many=True).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ERRORS[404]})
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>\d{1,18})",
        url_name="attachment",
        filterset_class=None,
        pagination_class=None,
    )
    def attachment(self, request, number=None, attachment_id=None):
        """Download one photo (only for those who may see the event)."""
        event = self.get_object()
        row = event.attachments.filter(pk=attachment_id).first()
        if row is None:
            raise exceptions.NotFound()
        return FileResponse(row.file.open("rb"), content_type=row.content_type, filename=row.original_name or None)

    @extend_schema(
        request=s.ContactRevealSerializer,
        responses={
            200: s.ContactSerializer,
            400: ERRORS[400],
            403: OpenApiResponse(description="you may see the event but do not act on it"),
            404: OpenApiResponse(description="not found, outside your jurisdiction, or no contact (staff report)"),
        },
        summary="Reveal the citizen's contact (logged with the purpose; Art. 10, 19, PIPL)",
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def contact(self, request, number=None):
        """The contact name and phone of a demand or complaint in clear, for those who act on
        the event (dispatchers and supervisors over its grid, handlers of a unit it is
        dispatched to now). Each call writes one access-log row (who, event, when, purpose;
        never the values). Not cached."""
        event = self.get_object()
        data = s.ContactRevealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.event_contact_unmask(actor=request.user, event=event, **data.validated_data)
        return Response(s.ContactSerializer(contact).data, headers={"Cache-Control": "no-store"})


@extend_schema_view(create=extend_schema(responses={201: s.PatrolSerializer, **ERRORS}))
class PatrolViewSet(
    ServiceErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Patrols and home visits (巡查走访, Art. 15): your own, and those in grids you may view.
    POST records a finished patrol (`patrol_log`)."""

    serializer_class = s.PatrolSerializer
    queryset = Patrol.objects.none()  # for the schema; get_queryset scopes
    lookup_value_regex = r"\d{1,18}"
    pagination_class = StableCursorPagination
    ordering = ("-started_at", "-id")
    scope_map = {"POST": "report"}
    filterset_class = None

    def get_queryset(self):
        return Patrol.objects.restrict(self.request.user).select_related("area", "user")

    def perform_create(self, serializer):
        serializer.instance = services.patrol_log(actor=self.request.user, **serializer.validated_data)


class NotificationViewSet(ServiceErrorsMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your own inbox, newest first; mark one or all read."""

    serializer_class = s.NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; get_queryset scopes
    lookup_value_regex = r"\d{1,18}"
    pagination_class = StableCursorPagination
    ordering = ("-created_at", "-id")
    scope_map = {"POST": "read"}
    filterset_class = None

    def get_queryset(self):
        return Notification.objects.filter(user=self.request.user).select_related("event")

    @extend_schema(request=None, responses={204: None, 404: ERRORS[404]})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        services.notifications_mark_read(actor=request.user, notification=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        services.notifications_mark_read(actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
