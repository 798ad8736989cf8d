"""GET /events/map/: the events the user may see on a map (Issue 16 item 4).

For dispatchers (the township's events) and supervisors (their subtree): clustered
markers coloured by deadline state (yellow warned, red overdue), filtered by the event
lists' filters; supervisors also get a heat map of events by item over a chosen
period (`reported_from`/`reported_to`; the last 30 days unless chosen). The page holds
no events itself: the map asks `GET /api/v1/events/geojson/` for the visible box at
each move (events.api.maps), which clusters server-side above 2,000 events, so a
district at 5 M events stays one small answer. Boundaries are drawn as vectors, so the map works with no tile server.
"""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from personnel import roles
from personnel.scope import granted_nodes, restrict_areas

from .choices import OPEN_STATUSES
from .filtersets import EventFilterSet
from .models import Event

#: The heat map's period when none is chosen: the last 30 days.
HEAT_DAYS = 30
DATE = forms.DateInput(attrs={"type": "date"})


class MapForm(forms.Form):
    """How to show the events: markers or (supervisors) a heat map over a report period."""

    mode = forms.ChoiceField(
        label=_("显示方式"), choices=[("points", _("标注")), ("heat", _("热力图"))], required=False, initial="points"
    )
    reported_from = forms.DateField(label=_("上报日期起"), required=False, widget=DATE)
    reported_to = forms.DateField(label=_("上报日期止"), required=False, widget=DATE)

    def clean(self):
        data = super().clean()
        start, end = data.get("reported_from"), data.get("reported_to")
        if start and end and start > end:
            self.add_error("reported_to", _("截止日期不能早于起始日期。"))
        return data


def may_see_heat(user) -> bool:
    """Supervisors (`supervise_area` anywhere) and superusers see the heat map."""
    return user.is_superuser or granted_nodes(user, roles.SUPERVISE).exists()


@login_required
def event_map(request):
    """The map page; its query string is the event list's filters plus `mode` and the period."""
    filterset = EventFilterSet(request.GET or None, queryset=Event.objects.none())
    options = MapForm(request.GET or None)
    valid = (not filterset.is_bound or filterset.is_valid()) & (not options.is_bound or options.is_valid())
    heat_allowed = may_see_heat(request.user)
    mode = options.cleaned_data.get("mode") if options.is_bound and options.is_valid() else ""
    heat = heat_allowed and mode == "heat"
    query = request.GET.copy()
    query.pop("mode", None)
    query.pop("page", None)
    if heat and not query.get("reported_from") and not query.get("reported_to"):
        start = timezone.localdate() - datetime.timedelta(days=HEAT_DAYS)
        query["reported_from"] = start.isoformat()  # a period by default: not two years of history
    if not heat:
        query.pop("reported_from", None)
        query.pop("reported_to", None)
        if not query.getlist("status"):
            query.setlist("status", list(OPEN_STATUSES))  # the markers show open work by default
    areas = restrict_areas(request.user)
    within = filterset.form.cleaned_data.get("within") if valid and filterset.is_bound else None
    frame = (areas.filter(pk=within.pk).first() if within else None) or areas.order_by("tree_id", "lft").first()
    context = {
        "filter": filterset,
        "options": options,
        "heat": heat,
        "heat_allowed": heat_allowed,
        "valid": valid,
        "frame": frame,
        "events_query": query.urlencode(),
    }
    return render(request, "events/map.html", context)
