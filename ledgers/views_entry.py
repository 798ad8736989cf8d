"""Phone forms (390 px) that add to the ledgers: a standard address segment and a unit.

Each form carries a one-time submission key (`events.submit.once`), so a double tap or a resend
files nothing twice. Everything is scoped to the worker's grids (`keep_ledgers`): an
address or micro-grid outside them is a 404 or not offered. Writes go through the
services (`address_create` assigns the never-reused code and checks the position
against the drawn boundary; `unit_register` checks the credit code).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events.submit import submit_once
from grids.choices import Level, Status
from personnel import scope
from personnel.roles import KEEP_LEDGERS

from . import places, services
from .choices import ALLOWED_PARENTS, AddressKind
from .forms import AddressForm, UnitForm
from .models import Address


def _address_param(request, name: str) -> Address | None:
    """The active address `?<name>=<pk>` within the user's `keep_ledgers` reach; 404 otherwise."""
    raw = request.GET.get(name)
    if raw is None:
        return None
    if not raw.isdigit():
        raise Http404
    return get_object_or_404(Address.objects.restrict(request.user, KEEP_LEDGERS), pk=int(raw), is_active=True)


@login_required
@require_http_methods(["GET", "POST"])
def address_new(request):
    """GET/POST /ledgers/addresses/new/[?parent=<pk>]: add a segment on a micro-grid or below `parent`."""
    parent = _address_param(request, "parent")
    parent_kind = parent.kind if parent else None
    kinds = [kind for kind, parents in ALLOWED_PARENTS.items() if parent_kind in parents]
    if not kinds:
        raise Http404  # nothing hangs below a room
    micro_grids = (
        scope.restrict_areas(request.user, KEEP_LEDGERS)
        .filter(level=Level.MICRO_GRID, status=Status.ACTIVE)
        .order_by("code")
    )
    form = AddressForm(request.POST or None, micro_grids=micro_grids, kinds=kinds, parent=parent)

    def create():
        data = form.cleaned_data
        address = places.address_create(
            actor=request.user,
            kind=data["kind"],
            name=data["name"],
            area=None if parent else data["area"],
            parent=parent,
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )
        messages.success(
            request, _("已添加 %(text)s（编码 %(code)s）。") % {"text": address.full_text, "code": address.code}
        )
        if address.kind == AddressKind.ROOM:  # nothing hangs below a room: back to its siblings
            return redirect(reverse("ledgers:address-new") + f"?parent={address.parent_id}")
        return redirect(reverse("ledgers:address-new") + f"?parent={address.pk}")

    children = Address.objects.filter(parent=parent, is_active=True).order_by("name") if parent else None
    context = {"parent": parent, "children": children}
    return submit_once(request, form, create, "ledgers/address_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def unit_new(request):
    """GET/POST /ledgers/units/new/?address=<pk>: register a unit at an address of the worker's grids."""
    address = _address_param(request, "address")
    if address is None:
        raise Http404
    form = UnitForm(request.POST or None)

    def create():
        data = form.service_values()
        unit = services.unit_register(actor=request.user, address=address, **data)
        messages.success(request, _("已登记单位 %(name)s。") % {"name": unit.name})
        return redirect("ledgers:units")

    return submit_once(request, form, create, "ledgers/unit_form.html", {"address": address})
