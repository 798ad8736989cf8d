"""Phone pages (390 px) changing a resident or a standard address (issue #15 items 1, 3, 6, 8).

- a resident from another jurisdiction, by exact document number: transfer-in (迁入; the
  receiving grid's staff act, `services.person_transfer`'s rule; the look-up is logged);
- a resident, from their page: transfer (迁移) to a room of the worker's grids, departure
  (迁出本市/死亡) with date and reason, care tags (only those the worker may see);
- an address: its page (code, what hangs on it, change history), rename (更名), and merge
  of a duplicate into another address of the same kind (合并).

Reads are scoped (`restrict`); the changing pages need `keep_ledgers` there (`restrict(user,
KEEP_LEDGERS)`): anything else is a 404. Each form is filed once (`events.submit.submit_once`)
and names the version it read (409 with a Chinese "please reload" if it moved on).
Writes go through `ledgers.services` and `ledgers.changes`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events.submit import submit_once
from personnel.roles import KEEP_LEDGERS

from . import changes, places, privacy, services
from .choices import AddressKind, PersonStatus
from .forms_changes import LeaveForm, MergeForm, RenameForm, TagsForm, TransferForm, TransferInForm
from .models import Address, Person

#: How many matches of an address search a page lists.
PICK_LIMIT = 20
#: Kinds of address a person lives at (a room, or a village house).
DWELLING_KINDS = (AddressKind.ROOM, AddressKind.HOUSE)


def _kept_person(request, pk: int, present: bool = True) -> Person:
    """A resident the worker keeps; 404 otherwise, and (`present`) for the form of one who left
    (a POST still reaches the service: a double tap replays, a stale form is refused there)."""
    person = get_object_or_404(
        Person.objects.restrict(request.user, KEEP_LEDGERS).select_related("residence", "area"),
        pk=pk,
        anonymised_at__isnull=True,
    )
    if request.method == "GET" and (
        person.status == PersonStatus.DECEASED or (present and person.status != PersonStatus.PRESENT)
    ):
        raise Http404
    return person


def _kept_address(request, pk: int) -> Address:
    return get_object_or_404(Address.objects.restrict(request.user, KEEP_LEDGERS), pk=pk, is_active=True)


def _matches(request, candidates: QuerySet) -> tuple[str, list[Address]]:
    """The search text (`q`, GET or POSTed back) and the first candidates whose full text holds it."""
    q = (request.POST.get("q") or request.GET.get("q") or "").strip()[:60]
    found = candidates.filter(full_text__icontains=q) if q else candidates
    return q, list(found.order_by("full_text", "pk")[:PICK_LIMIT])


def _rooms(request) -> QuerySet:
    return Address.objects.restrict(request.user, KEEP_LEDGERS).filter(is_active=True, kind__in=DWELLING_KINDS)


def _move(request, person: Person, data: dict, version: int | None):
    """Run the transfer of `person` as the form `data` asks; a redirect to their page."""
    residence = data["residence"]
    household = residence.households.order_by("pk").first() if data["join"] else None
    services.person_transfer(
        actor=request.user,
        person=person,
        residence=residence,
        household=household,
        relation=data["relation"] if household else "",
        reason=data["reason"],
        version=version,
    )
    messages.success(request, _("已迁移至 %(text)s。") % {"text": residence.full_text})
    return redirect("ledgers:person", pk=person.pk)


@login_required
@require_http_methods(["GET", "POST"])
def transfer_in(request):
    """GET/POST /ledgers/transfer-in/[?q=]: take in a resident registered elsewhere in the city,
    found by exact document number (logged), into a room of the worker's grids."""
    rooms = _rooms(request)
    if not rooms.exists():
        raise Http404
    form = TransferInForm(request.POST or None, rooms=rooms)

    def receive():
        data = form.cleaned_data
        person = privacy.person_to_receive(actor=request.user, id_number=data["id_number"], purpose=data["purpose"])
        if person is None:
            raise ValidationError({"id_number": [_("本市没有此证件号码的人员，请登记为新居民。")]})
        return _move(request, person, data, None)

    q, found = _matches(request, rooms)
    response = submit_once(request, form, receive, "ledgers/transfer_in.html", {"q": q, "found": found})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def person_transfer(request, pk: int):
    """GET/POST /ledgers/persons/<pk>/transfer/[?q=]: move a present resident to a room of the worker's grids."""
    person = _kept_person(request, pk, present=False)  # one who moved out may move back
    rooms = _rooms(request)
    form = TransferForm(request.POST or None, record=person, rooms=rooms)

    def transfer():
        return _move(request, person, form.cleaned_data, form.cleaned_data["version"])

    q, found = _matches(request, rooms.exclude(pk=person.residence_id) if person.residence_id else rooms)
    context = {"person": person, "q": q, "found": found, "pick": "residence"}
    return submit_once(request, form, transfer, "ledgers/person_transfer.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_leave(request, pk: int):
    """GET/POST /ledgers/persons/<pk>/leave/: record that a resident moved out of the city or died."""
    person = _kept_person(request, pk)
    form = LeaveForm(request.POST or None, record=person)

    def leave():
        services.person_leave(actor=request.user, person=person, **form.service_values())
        messages.success(request, _("已登记%(status)s。") % {"status": person.get_status_display()})
        return redirect("ledgers:person", pk=person.pk)

    return submit_once(request, form, leave, "ledgers/person_leave.html", {"person": person})


@login_required
@require_http_methods(["GET", "POST"])
def person_tags(request, pk: int):
    """GET/POST /ledgers/persons/<pk>/tags/: tick the care tags (among those the worker may see)."""
    person = _kept_person(request, pk)
    visible = privacy.visible_tags(request.user).filter(is_active=True).order_by("code")
    current = visible.filter(persons=person)
    form = TagsForm(request.POST or None, record=person, tags=visible, current=current)

    def change():
        data = form.cleaned_data
        wanted, had = set(data["tags"]), set(current)
        changes.person_change_tags(
            actor=request.user,
            person=person,
            add=wanted - had,
            remove=had - wanted,
            on=data["on"],
            version=data["version"],
        )
        messages.success(request, _("关爱标签已更新，下次走访截止已重新计算。"))
        return redirect("ledgers:person", pk=person.pk)

    return submit_once(request, form, change, "ledgers/person_tags.html", {"person": person})


@login_required
def address_detail(request, pk: int):
    """GET /ledgers/addresses/<pk>/: an address in reach, what hangs on it and its change history."""
    address = get_object_or_404(
        Address.objects.restrict(request.user).select_related("parent", "successor", "area"), pk=pk
    )
    kept = Address.objects.restrict(request.user, KEEP_LEDGERS).filter(pk=pk, is_active=True).exists()
    context = {
        "address": address,
        "kept": kept,
        "children": address.children.filter(is_active=True).order_by("name"),
        "residents": Person.objects.filter(residence=address).count(),
        "households": address.households.count(),
        "units": address.units.count(),
        "history": address.changes.select_related("actor")[:50],
    }
    return render(request, "ledgers/address.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def address_rename(request, pk: int):
    """GET/POST /ledgers/addresses/<pk>/rename/: rename one segment of an address the worker keeps."""
    address = _kept_address(request, pk)
    form = RenameForm(request.POST or None, record=address)

    def rename():
        data = form.cleaned_data
        places.address_rename(actor=request.user, address=address, name=data["name"], version=data["version"])
        messages.success(request, _("已更名为 %(text)s。") % {"text": address.full_text})
        return redirect("ledgers:address", pk=address.pk)

    return submit_once(request, form, rename, "ledgers/address_rename.html", {"address": address})


@login_required
@require_http_methods(["GET", "POST"])
def address_merge(request, pk: int):
    """GET/POST /ledgers/addresses/<pk>/merge/[?q=]: merge this duplicate into another address of
    the same kind the worker keeps; its residents, households, units and dwelling move there."""
    address = _kept_address(request, pk)
    targets = (
        Address.objects.restrict(request.user, KEEP_LEDGERS)
        .filter(is_active=True, kind=address.kind)
        .exclude(Q(pk=address.pk) | Q(parent=address))
    )
    form = MergeForm(request.POST or None, record=address, targets=targets)

    def merge():
        data = form.cleaned_data
        into = places.address_merge(actor=request.user, address=address, into=data["into"], version=data["version"])
        messages.success(request, _("已合并至 %(text)s。") % {"text": into.full_text})
        return redirect("ledgers:address", pk=into.pk)

    q, found = _matches(request, targets)
    context = {"address": address, "q": q, "found": found, "pick": "into"}
    return submit_once(request, form, merge, "ledgers/address_merge.html", context)
