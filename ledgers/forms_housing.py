"""Phone forms (390 px) of actual housing and households: edit a dwelling, start a household.

Persons are offered masked (name and masked ID number) and only from the worker's reach;
the services check the rest (area > 0, rental dates in order, owner/tenants in reach).
"""

from decimal import Decimal

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from catalog.forms import DATE_WIDGET
from events.submit import OnceForm
from personnel.masking import mask_id_number

from .choices import DwellingUse
from .models import Address, Dwelling, Person

#: The most persons offered as owner or tenants on a phone (residents of the building first).
MAX_CANDIDATES = 200
OUT_OF_REACH = _("所选人员不存在或不在您的辖区内。")


class PersonChoice(forms.ModelChoiceField):
    """A person shown masked: '王阿婆 · 330203********0018'."""

    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} · {mask_id_number(obj.id_number)}"


class PersonChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return PersonChoice.label_from_instance(self, obj)


def candidates(dwelling: Dwelling, in_reach: QuerySet) -> QuerySet:
    """Persons in reach living at the dwelling's address or beside it (the same parent
    address: the building or door), and its present owner and tenants; by name.

    The addresses and present persons are read first (small lists), so that the persons are
    found through their residence and primary-key indexes whatever the reach's size."""
    address = dwelling.address
    rooms = [address.pk]
    if address.parent_id:
        rooms = list(Address.objects.filter(parent_id=address.parent_id).values_list("pk", flat=True))
    present = [p.pk for p in dwelling.tenants.all()] + ([dwelling.owner_id] if dwelling.owner_id else [])
    near = in_reach.filter(Q(residence_id__in=rooms) | Q(pk__in=present))
    pks = list(near.order_by("name", "id").values_list("pk", flat=True)[:MAX_CANDIDATES])
    return Person.objects.filter(pk__in=pks).order_by("name", "id")


class DwellingForm(OnceForm):
    """Edit a dwelling (实有房屋): use, floor area (m²), owner, tenants, rental dates; with
    the `version` the page showed (a clash is refused, never overwritten)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    use = forms.ChoiceField(label=_("房屋用途"), choices=DwellingUse.choices, widget=forms.RadioSelect)
    floor_area = forms.DecimalField(
        label=_("建筑面积（㎡）"),
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    owner = PersonChoice(
        label=_("产权人"),
        queryset=Person.objects.none(),
        required=False,
        error_messages={"invalid_choice": OUT_OF_REACH},
    )
    tenants = PersonChoices(
        label=_("承租人"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": OUT_OF_REACH, "invalid_pk_value": OUT_OF_REACH},
    )
    rental_registered_on = forms.DateField(label=_("租赁登记日期"), required=False, widget=DATE_WIDGET)
    rental_ends_on = forms.DateField(label=_("租赁到期日期"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, dwelling: Dwelling, in_reach: QuerySet, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "version": dwelling.version,
                "use": dwelling.use,
                "floor_area": dwelling.floor_area,
                "owner": dwelling.owner_id,
                "tenants": [p.pk for p in dwelling.tenants.all()],
                "rental_registered_on": dwelling.rental_registered_on,
                "rental_ends_on": dwelling.rental_ends_on,
            },
        )
        super().__init__(*args, **kwargs)
        offered = candidates(dwelling, in_reach)
        self.fields["owner"].queryset = offered
        self.fields["tenants"].queryset = offered

    def service_values(self) -> dict:
        """The dwelling's fields as `places.dwelling_update` takes them (`version` apart)."""
        values = super().service_values()
        values.pop("version")
        return values


class HouseholdForm(OnceForm):
    """Start a household at the address the page names: only the one-time key (a double tap makes one)."""
