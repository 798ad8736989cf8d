"""HTML pages of the grid service teams (Art. 20): the teams in reach, one team, and their changes.

Reads through `personnel.teams.teams_for` (out of reach: 404); changes through the
services of `personnel.teams` (no right: 403; bad input: the form again, 400).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import teams
from .models import Staff, TeamMember
from .scope import granted_nodes
from .team_forms import MemberForm, TeamForm


def _apply(form, exc: ValidationError) -> None:
    for field, messages in exc.message_dict.items():
        target = {"area": "area_code", "staff": "work_id"}.get(field, field)
        form.add_error(target if target in form.fields else None, messages)


@login_required
def team_list(request):
    """The service teams serving areas within the user's reach."""
    context = {
        "teams": teams.teams_for(request.user),
        "may_create": request.user.is_superuser or granted_nodes(request.user, teams.MANAGE_TEAMS).exists(),
    }
    return render(request, "personnel/team_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request, pk: int | None = None):
    """Create a team (no `pk`) or change one."""
    team = get_object_or_404(teams.teams_for(request.user), pk=pk) if pk is not None else None
    if team is not None and not teams.may_manage(request.user, team):
        raise PermissionDenied
    initial = {"name": team.name, "area_code": team.area.code, "is_active": team.is_active} if team else {}
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        try:
            if team is None:
                kwargs.pop("is_active")
                team = teams.team_create(actor=request.user, **kwargs)
            else:
                team = teams.team_update(actor=request.user, team=team, **kwargs)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            return redirect("personnel:team-detail", pk=team.pk)
    status = 400 if request.method == "POST" else 200
    if team is None:
        context = {"title": _("新建服务团队"), "back": reverse("personnel:team-list")}
    else:
        back = reverse("personnel:team-detail", args=[team.pk])
        context = {"title": _("修改服务团队：%(name)s") % {"name": team.name}, "back": back}
    return render(request, "personnel/team_form.html", {**context, "form": form}, status=status)


@login_required
def team_detail(request, pk: int):
    """One team and its members (names, specialties, duties; work phones for staff only)."""
    team = teams.team_with_members(get_object_or_404(teams.teams_for(request.user), pk=pk))
    context = {"team": team, "may_manage": teams.may_manage(request.user, team)}
    return render(request, "personnel/team_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk: int, member_pk: int | None = None):
    """Add a member to team `pk` (no `member_pk`) or change one (leaving the team: uncheck 在队)."""
    team = get_object_or_404(teams.teams_for(request.user), pk=pk)
    if not teams.may_manage(request.user, team):
        raise PermissionDenied
    member = get_object_or_404(TeamMember.objects.filter(team=team), pk=member_pk) if member_pk else None
    initial = {}
    if member is not None:
        initial = {f: getattr(member, f) for f in ("specialty", "name", "duties", "work_phone", "is_active")}
        initial["work_id"] = member.staff.work_id if member.staff_id else ""
    form = MemberForm(request.POST or None, initial=initial, staff_in_reach=Staff.objects.restrict(request.user))
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        try:
            if member is None:
                kwargs.pop("is_active")
                teams.member_add(actor=request.user, team=team, **kwargs)
            else:
                teams.member_update(actor=request.user, member=member, **kwargs)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            return redirect("personnel:team-detail", pk=team.pk)
    status = 400 if request.method == "POST" else 200
    title = (_("%(team)s · 修改团队成员") if member else _("%(team)s · 添加团队成员")) % {"team": team.name}
    context = {"title": title, "back": reverse("personnel:team-detail", args=[team.pk]), "form": form}
    return render(request, "personnel/team_form.html", context, status=status)
