"""Inputs of the ledgers' change actions (person transfer/leave/tags, address rename/merge).

Each names the `version` of the person or address as read (`PersonSerializer` /
`AddressSerializer` give it): 428 `version_required` without it, 409 `stale_version` if
the record changed since. Types are strict (`ningbo_grid.fields`): `"3"` for an id or a
version is refused, not converted. Addresses and households are given by id and must be
ones the caller keeps (`keep_ledgers`); any other is 400 `does_not_exist`.
"""

from rest_framework import serializers

from ningbo_grid import fields as strict
from personnel.roles import KEEP_LEDGERS

from ..choices import PersonStatus, Relation
from ..models import Address, Household


class KeptField(serializers.PrimaryKeyRelatedField):
    """An id (a JSON integer) of a row of `model` the caller keeps (`restrict(user, KEEP_LEDGERS)`)."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(queryset=model.objects.none(), **kwargs)

    def get_queryset(self):
        return self.model.objects.restrict(self.context["request"].user, KEEP_LEDGERS)

    def to_internal_value(self, data):
        if isinstance(data, bool) or (strict.from_json(self) and not isinstance(data, int)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class VersionedSerializer(serializers.Serializer):
    version = strict.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="the record's `version` as you read it (required: 428 without it, 409 `stale_version` if stale)",
    )


class PersonTransferSerializer(VersionedSerializer):
    """Move to `residence` (an active address you keep), optionally into `household` there."""

    residence = KeptField(Address)
    household = KeptField(Household, required=False, allow_null=True, default=None)
    relation = serializers.ChoiceField(choices=Relation.choices, required=False, allow_blank=True, default="")
    reason = strict.CharField(max_length=200)


class PersonLeaveSerializer(VersionedSerializer):
    """Moved out of the city or died on local date `on` (not after today), with a reason."""

    status = serializers.ChoiceField(choices=[PersonStatus.MOVED_OUT, PersonStatus.DECEASED])
    on = serializers.DateField()
    reason = strict.CharField(max_length=200)


class PersonTagsSerializer(VersionedSerializer):
    """Care tag codes to add and to remove (among those you may see), dated `on` (default today)."""

    add = serializers.ListField(child=strict.CharField(max_length=30), max_length=50, required=False, default=list)
    remove = serializers.ListField(child=strict.CharField(max_length=30), max_length=50, required=False, default=list)
    on = serializers.DateField(required=False, default=None, allow_null=True)


class AddressRenameSerializer(VersionedSerializer):
    name = strict.CharField(max_length=60, help_text="the segment's new name (not its parents')")


class AddressMergeSerializer(VersionedSerializer):
    into = KeptField(Address, help_text="id of the active address of the same kind it is merged into")
