"""Phone pages (390 px) of actual housing and households (一标三实, Art. 12(2)).

- `dwelling_edit`: a dwelling's use, floor area, owner and tenants (masked persons of the
  worker's reach), rental dates; the form names the `version` it showed, so two workers
  editing at once never silently overwrite each other (the second is asked to reload).
- `household_new`: start a household at a room or village house of the worker's grids,
  once per form (a double tap makes one), then register its members (`views.person_new`).

Scoped to the worker's grids with `keep_ledgers`: anything else is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events.exceptions import Conflict
from events.submit import submit_once
from personnel.roles import KEEP_LEDGERS

from . import places, services
from .forms_housing import DwellingForm, HouseholdForm
from .models import Address, Dwelling, Household, Person
from .views_entry import _address_param

#: How many addresses the household page's search lists.
ADDRESS_RESULTS = 20


def _back(request, dwelling: Dwelling) -> str | None:
    """The page of a household at the dwelling's address in the user's reach (None if none)."""
    household = Household.objects.restrict(request.user).filter(address=dwelling.address).order_by("pk").first()
    return household.pk if household else None


@login_required
@require_http_methods(["GET", "POST"])
def dwelling_edit(request, pk: int):
    """GET/POST /ledgers/dwellings/<pk>/: edit a dwelling (`places.dwelling_update`) with
    the version the page showed. 400 with the errors on the form, 409 when someone saved
    since (the form shows it and what is saved now), 404 out of the worker's grids."""
    dwelling = get_object_or_404(
        Dwelling.objects.restrict(request.user, KEEP_LEDGERS).select_related("address", "owner"), pk=pk
    )
    in_reach = Person.objects.restrict(request.user)
    form = DwellingForm(request.POST or None, dwelling=dwelling, in_reach=in_reach)
    household = _back(request, dwelling)

    def save():
        values = form.service_values()
        places.dwelling_update(actor=request.user, dwelling=dwelling, version=form.cleaned_data["version"], **values)
        messages.success(request, _("房屋信息已保存。"))
        return redirect("ledgers:household", pk=household) if household else redirect("ledgers:index")

    context = {"dwelling": dwelling, "household": household}
    try:
        return submit_once(request, form, save, "ledgers/dwelling_form.html", context)
    except Conflict as exc:
        dwelling.refresh_from_db()
        fresh = DwellingForm(dwelling=dwelling, in_reach=in_reach)  # as it is saved now
        context |= {"form": fresh, "stale": str(exc.message)}
        return render(request, "ledgers/dwelling_form.html", context, status=409)


@login_required
@require_http_methods(["GET", "POST"])
def household_new(request):
    """GET /ledgers/households/new/[?q=<text>]: find a room or village house of the worker's
    grids; GET/POST ?address=<pk>: start a household there (`services.household_create`),
    once per form, then go on to register its head and members."""
    address = _address_param(request, "address")
    if address is None:
        q = (request.GET.get("q") or "").strip()[:60]
        found = Address.objects.none()
        if q:
            found = (
                Address.objects.restrict(request.user, KEEP_LEDGERS)
                .filter(is_active=True, kind__in=services.HOUSEHOLD_KINDS, full_text__icontains=q)
                .order_by("full_text")[:ADDRESS_RESULTS]
            )
        return render(request, "ledgers/household_new.html", {"q": q, "found": found})
    form = HouseholdForm(request.POST or None)

    def create():
        household = services.household_create(actor=request.user, address=address)
        messages.success(request, _("已新建家庭，请登记户主和家庭成员。"))
        return redirect("ledgers:person-new", pk=household.pk)

    others = Household.objects.restrict(request.user).filter(address=address).count()
    context = {"address": address, "others": others}
    return submit_once(request, form, create, "ledgers/household_new.html", context)
