"""Read-only, scoped API of organisations and staff; unmasking as an explicit, logged action."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import selectors, services
from ..filtersets import OrganisationFilter, StaffFilter
from ..models import Organisation
from .serializers import OrganisationSerializer, StaffSerializer, UnmaskRequestSerializer, UnmaskResponseSerializer


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisations within the user's jurisdiction (`Organisation.objects.restrict`); others are 404."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter

    def get_queryset(self):
        return (
            Organisation.objects.restrict(self.request.user, "view")
            .select_related("area")
            .order_by("area__code", "kind", "name", "id")
        )


class StaffViewSet(viewsets.ReadOnlyModelViewSet):
    """Staff within the user's jurisdiction, personal data masked (Art. 16)."""

    serializer_class = StaffSerializer
    filterset_class = StaffFilter

    def get_queryset(self):
        return selectors.staff_list(self.request.user)

    @extend_schema(
        request=UnmaskRequestSerializer,
        responses={
            200: UnmaskResponseSerializer,
            400: OpenApiResponse(description="bad field or missing purpose"),
            403: OpenApiResponse(description="no view_personal_data over this person"),
            404: OpenApiResponse(description="not within your jurisdiction"),
        },
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def unmask(self, request, pk=None):
        """Reveal one personal-data field and write an access-log row (who, whose, field, when, purpose)."""
        staff = self.get_object()
        data = UnmaskRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            value = services.staff_unmask(actor=request.user, staff=staff, **data.validated_data)
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from None
        return Response(UnmaskResponseSerializer({"field": data.validated_data["field"], "value": value}).data)
