"""Scoped API of the ledgers under /api/v1/ledgers/ (Art. 11 sharing, 12(2)).

Reads everywhere; writes (staff with `keep_ledgers`, never API keys): `PATCH dwellings/<id>/`
with the `version` read, `POST households/` (an `Idempotency-Key` makes it once).

Every list goes through the models' `restrict(user)` (out of reach: 404). API keys of
department systems read persons only through their organisation's `LedgerGrant`: the
persons carrying a tag it names, only those tags, only the fields it names. Reveals and
exact-ID searches are POSTs with a purpose, logged (`ledgers.privacy`).
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.response import Response

from events.api.steps import ERRORS, STEP_ERRORS, require_version
from events.api.views import ServiceErrorsMixin
from grids.api.geo import LocateQuerySerializer
from integrations.models import ApiClient
from ningbo_grid.filters import FilterSet, WithinFilter
from ningbo_grid.replica import reads_from_replica

from .. import places, privacy, rollups, selectors, services
from ..models import Address, CareTag, Dwelling, Household, LedgerGrant, Person, PersonTag, Unit, Visit
from .changes import AddressChanges, PersonChanges
from .serializers import (
    AddressSerializer,
    CareTagSerializer,
    DwellingSerializer,
    DwellingUpdateSerializer,
    HouseholdCreateSerializer,
    HouseholdSerializer,
    IdSearchRequestSerializer,
    LedgerStatisticsQuerySerializer,
    LedgerStatisticsSerializer,
    NearestAddressSerializer,
    PersonSerializer,
    RevealRequestSerializer,
    RevealResponseSerializer,
    UnitSerializer,
    VisitSerializer,
)


def _client(request) -> ApiClient | None:
    return request.auth if isinstance(request.auth, ApiClient) else None


class LedgerFilter(FilterSet):
    within = WithinFilter(field_name="area")


class PersonFilter(LedgerFilter):
    """`within` (area code), `name` (exact), `registration`, `status`, `tag` (care tag code)."""

    tag = django_filters.CharFilter(field_name="tags__code")
    name = django_filters.CharFilter(field_name="name", max_length=50)

    class Meta:
        model = Person
        fields = ["within", "name", "registration", "status", "tag"]


class AddressFilter(LedgerFilter):
    class Meta:
        model = Address
        fields = ["within", "kind"]


class UnitFilter(LedgerFilter):
    class Meta:
        model = Unit
        fields = ["within", "kind", "safety_class"]


class VisitFilter(LedgerFilter):
    class Meta:
        model = Visit
        fields = ["within"]


class DwellingFilter(FilterSet):
    within = WithinFilter(field_name="address__area")

    class Meta:
        model = Dwelling
        fields = ["within", "use"]


class HouseholdFilter(LedgerFilter):
    class Meta:
        model = Household
        fields = ["within"]


class CareTagViewSet(viewsets.ReadOnlyModelViewSet):
    """The care tags the caller may see."""

    serializer_class = CareTagSerializer
    queryset = CareTag.objects.none()  # the model, for the schema (which runs with no database)
    filter_backends: list = []
    lookup_field = "code"

    def get_queryset(self):
        return privacy.visible_tags(self.request.user, _client(self.request)).order_by("code")


class AddressViewSet(AddressChanges, viewsets.ReadOnlyModelViewSet):
    """Standard addresses in reach; rename and merge (`ledgers.api.changes`)."""

    serializer_class = AddressSerializer
    filterset_class = AddressFilter

    def get_queryset(self):
        return Address.objects.restrict(self.request.user).select_related("area", "parent").order_by("code")

    @extend_schema(
        operation_id="ledger_address_nearest",
        parameters=[LocateQuerySerializer],
        responses=NearestAddressSerializer,
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def nearest(self, request):
        """`GET addresses/nearest/?lat=&lon=` (WGS 84): the standard address in reach nearest
        the position, within `selectors.NEAREST_WITHIN_M` metres (`address` null if none).
        400 with field errors for a missing, unknown or out-of-range parameter."""
        query = LocateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = selectors.nearest_address(request.user, query.validated_data["lat"], query.validated_data["lon"])
        body = {"address": found.address if found else None, "distance_m": found.distance_m if found else None}
        return Response(NearestAddressSerializer(body).data)


class PersonViewSet(PersonChanges, viewsets.ReadOnlyModelViewSet):
    """Residents in reach, ID numbers and mobiles masked; API keys as their grant allows;
    transfer, departure and care tags (`ledgers.api.changes`)."""

    serializer_class = PersonSerializer
    queryset = Person.objects.none()  # the model, for the schema (which runs with no database)
    filterset_class = PersonFilter

    def _visible_tags(self) -> list[int]:
        """Ids of the care tags the caller may see, read once per request."""
        if not hasattr(self, "_tag_ids"):
            tags = privacy.visible_tags(self.request.user, _client(self.request))
            self._tag_ids = list(tags.values_list("pk", flat=True))
        return self._tag_ids

    def get_queryset(self):
        client = _client(self.request)
        tags = PersonTag.objects.filter(tag_id__in=self._visible_tags()).select_related("tag")
        persons = Person.objects.restrict(self.request.user)
        if client is not None:
            persons = persons.filter(pk__in=PersonTag.objects.filter(tag_id__in=self._visible_tags()).values("person"))
        return (
            persons.select_related("residence", "area")
            .prefetch_related(Prefetch("persontag_set", queryset=tags))
            .order_by("id")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["visible_tags"] = set(self._visible_tags())
        client = _client(self.request)
        if client is not None:
            grant = LedgerGrant.objects.filter(organisation_id=client.organisation_id).first()
            context["fields"] = set(grant.fields if grant else ())
        return context

    @extend_schema(
        request=RevealRequestSerializer,
        responses={200: RevealResponseSerializer, 403: OpenApiResponse(description="no view_personal_data here")},
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def reveal(self, request, pk=None):
        """Reveal one field (ID number or mobile) with a purpose; writes an access-log row."""
        if _client(request) is not None:
            raise exceptions.PermissionDenied()
        person = self.get_object()
        data = RevealRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            value = privacy.person_reveal(actor=request.user, person=person, **data.validated_data)
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from None
        return Response({"field": data.validated_data["field"], "value": value})

    @extend_schema(
        request=IdSearchRequestSerializer,
        responses={200: PersonSerializer, 404: OpenApiResponse(description="nobody in reach with that number")},
    )
    @action(detail=False, methods=["post"], filterset_class=None, pagination_class=None)
    def search(self, request):
        """Exact look-up by document number (in the body, never the URL) through the keyed hash; logged."""
        data = IdSearchRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = privacy.person_search_id(actor=request.user, **data.validated_data)
        found = self.get_queryset().filter(pk=person.pk).first() if person is not None else None
        if found is None:
            raise exceptions.NotFound()
        return Response(self.get_serializer(found).data)


class DwellingViewSet(ServiceErrorsMixin, viewsets.ReadOnlyModelViewSet):
    """Actual housing in reach: use, area, owner and tenants (person ids), rental dates;
    `PATCH` edits one (staff with `keep_ledgers` there; API keys may not write)."""

    serializer_class = DwellingSerializer
    filterset_class = DwellingFilter
    scope_map = {"partial_update": None}  # department systems read only

    def get_queryset(self):
        return (
            Dwelling.objects.restrict(self.request.user)
            .select_related("address__area")
            .prefetch_related("tenants")
            .order_by("id")
        )

    @extend_schema(
        operation_id="ledger_dwelling_update",
        request=DwellingUpdateSerializer,
        responses={200: DwellingSerializer, **STEP_ERRORS},
    )
    def partial_update(self, request, pk=None):
        """Edit a dwelling (`places.dwelling_update`): `version` as read (428 without it,
        409 `stale_version` if someone saved since), then any of use, floor area (m², > 0),
        owner, tenants (person ids in your reach: the whole new set), rental dates (the end
        not before the registration). 400 with field codes on bad input (nothing saved);
        403 where you may see but not keep the ledgers; 404 out of reach."""
        dwelling = self.get_object()
        require_version(request, Dwelling)
        data = DwellingUpdateSerializer(data=request.data, context={"in_reach": Person.objects.restrict(request.user)})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version")
        try:
            places.dwelling_update(actor=request.user, dwelling=dwelling, version=version, **values)
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=dwelling.pk)).data)


class HouseholdViewSet(ServiceErrorsMixin, viewsets.ReadOnlyModelViewSet):
    """Households in reach, with their address and member ids; `POST` starts one (staff
    with `keep_ledgers` there; API keys may not write)."""

    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter
    scope_map = {"create": None}  # department systems read only

    def get_queryset(self):
        return (
            Household.objects.restrict(self.request.user)
            .select_related("address__area", "address__parent")
            .prefetch_related("members")
            .order_by("id")
        )

    @extend_schema(
        operation_id="ledger_household_create",
        request=HouseholdCreateSerializer,
        responses={201: HouseholdSerializer, **ERRORS},
    )
    def create(self, request):
        """Start a household at a room or village house of your grids (`services.household_create`);
        members then join as persons. An `Idempotency-Key` makes it once. 400 `unknown`
        (no such address in your grids), `kind`, `inactive`; 403 where you may not keep the ledgers."""
        context = {"addresses": Address.objects.restrict(request.user)}
        data = HouseholdCreateSerializer(data=request.data, context=context)
        data.is_valid(raise_exception=True)
        household = services.household_create(actor=request.user, address=data.validated_data["address"])
        created = self.get_queryset().get(pk=household.pk)
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Actual units in reach; contact phones masked."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter

    def get_queryset(self):
        return Unit.objects.restrict(self.request.user).select_related("address").order_by("id")


class VisitViewSet(viewsets.ReadOnlyModelViewSet):
    """Visits in reach, newest first, with the event a finding became."""

    serializer_class = VisitSerializer
    filterset_class = VisitFilter

    def get_queryset(self):
        return Visit.objects.restrict(self.request.user).select_related("event", "area").order_by("-visited_at", "-id")


@reads_from_replica
@extend_schema(
    parameters=[OpenApiParameter("area", str, required=True, description="area code within reach")],
    responses={
        200: LedgerStatisticsSerializer,
        400: OpenApiResponse(description="`area` required, unknown or out of scope"),
    },
)
@api_view(["GET"])
def statistics(request):
    """GET /api/v1/ledgers/statistics/?area=<code>: the area's ledger figures (see `ledgers.rollups.statistics_for`).

    400 on `area` (`LedgerStatisticsQuerySerializer`): `required`, `unknown`, `out_of_scope`."""
    query = LedgerStatisticsQuerySerializer(data=request.query_params, context={"request": request})
    query.is_valid(raise_exception=True)
    area = query.validated_data["area"]
    return Response(LedgerStatisticsSerializer({"area": area.code, **rollups.statistics_for(area)}).data)
