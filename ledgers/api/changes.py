"""The ledgers' change actions, mixed into the read viewsets (`ledgers.api.views`):

- `POST persons/{id}/transfer/`, `persons/{id}/leave/`, `persons/{id}/tags/`;
- `POST addresses/{id}/rename/`, `addresses/{id}/merge/`.

Each answers 200 with the person or address after the change (its new `version`).
Errors: the record outside the caller's reach 404 (nothing changes); reachable but not
kept (`keep_ledgers`) 403; bad input 400 with field codes; no `version` in the body 428
`version_required`, a stale one 409 `stale_version` (`events.api.steps.require_version`,
`events.api.views.ServiceErrorsMixin`). API keys are refused (403): ledgers are kept by
staff. A repeated POST with the same `Idempotency-Key` replays the first answer.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from events.api.steps import ERRORS, STEP_ERRORS, require_version
from events.api.views import ServiceErrorsMixin
from integrations.models import ApiClient

from .. import changes, places, services
from . import serializers_changes as c
from .serializers import AddressSerializer, PersonSerializer


def _values(view, request, serializer_class) -> dict:
    """The body, checked: staff only, `version` present, fields valid."""
    if isinstance(request.auth, ApiClient):
        raise exceptions.PermissionDenied()
    require_version(request, view.get_queryset().model)
    data = serializer_class(data=request.data, context={"request": request})
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


#: The answers of a change besides 200 (no status machine here: no `invalid_transition`).
CHANGE_ERRORS = {
    **ERRORS,
    409: OpenApiResponse(
        description="code `stale_version`: the person or address changed since the `version` you sent (read it again)"
    ),
    428: STEP_ERRORS[428],
}


def _change(serializer_class, output, summary: str):
    return extend_schema(request=serializer_class, responses={200: output, **CHANGE_ERRORS}, summary=summary)


class PersonChanges(ServiceErrorsMixin):
    """Transfer, departure and care tags of a resident (`ledgers.services`, `ledgers.changes`)."""

    def _answer(self, person):
        return Response(self.get_serializer(self.get_queryset().get(pk=person.pk)).data)

    @_change(c.PersonTransferSerializer, PersonSerializer, "Transfer a resident to another address (迁移)")
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def transfer(self, request, pk=None):
        """Move the resident to `residence` (an address you keep); one record, the move kept as history."""
        person = self.get_object()
        values = _values(self, request, c.PersonTransferSerializer)
        return self._answer(services.person_transfer(actor=request.user, person=person, **values))

    @_change(c.PersonLeaveSerializer, PersonSerializer, "Record a departure from the city or a death")
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def leave(self, request, pk=None):
        """The resident moved out of the city or died on `on`; anonymised after the retention period."""
        person = self.get_object()
        values = _values(self, request, c.PersonLeaveSerializer)
        return self._answer(services.person_leave(actor=request.user, person=person, **values))

    @_change(c.PersonTagsSerializer, PersonSerializer, "Add and remove care tags (关爱标签)")
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def tags(self, request, pk=None):
        """Add `add` and remove `remove` (tag codes you may see; others 400); due visits recomputed."""
        person = self.get_object()
        values = _values(self, request, c.PersonTagsSerializer)
        return self._answer(changes.person_change_tags(actor=request.user, person=person, **values))


class AddressChanges(ServiceErrorsMixin):
    """Rename and merge of a standard address (`ledgers.services`)."""

    @_change(c.AddressRenameSerializer, AddressSerializer, "Rename an address segment (更名)")
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def rename(self, request, pk=None):
        """Rename the segment; the full text of everything below it follows; recorded."""
        address = self.get_object()
        values = _values(self, request, c.AddressRenameSerializer)
        return Response(AddressSerializer(places.address_rename(actor=request.user, address=address, **values)).data)

    @_change(c.AddressMergeSerializer, AddressSerializer, "Merge a duplicate address into another (合并)")
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def merge(self, request, pk=None):
        """Retire this address into `into`; its residents, households, units and dwelling move. Answers `into`."""
        address = self.get_object()
        values = _values(self, request, c.AddressMergeSerializer)
        return Response(AddressSerializer(places.address_merge(actor=request.user, address=address, **values)).data)
