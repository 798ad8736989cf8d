"""API of the grid service teams (Art. 20): `/api/v1/teams/`, scoped like the pages.

Reading: the teams serving areas within the caller's `view_area` reach (others are 404),
with their members (no personal data: names, specialties, duties, work phones).
Changing: through `personnel.teams` (township and authorities, `dispatch_event` on the
team's area; 403 otherwise; 400 with field codes on bad input).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grids.models import Area
from ningbo_grid import fields as strict
from ningbo_grid.fields import ModelSerializer

from .. import teams
from ..choices import Specialty
from ..models import Organisation, ServiceTeam, Staff, TeamMember
from .serializers import AreaRefSerializer, OrganisationRefSerializer


class TeamMemberSerializer(ModelSerializer):
    """A member: `staff` (a staff record's id, or null), `name` (shown: the staff's name if linked)."""

    name = serializers.CharField(source="display_name", read_only=True)
    invitable = serializers.SerializerMethodField(help_text="has a platform login: may be invited onto events")

    class Meta:
        model = TeamMember
        fields = ["id", "staff", "name", "specialty", "duties", "work_phone", "is_active", "invitable"]
        read_only_fields = fields

    def get_invitable(self, member: TeamMember) -> bool:
        return bool(member.staff_id and member.staff.user_id)


class TeamSerializer(ModelSerializer):
    area = AreaRefSerializer(read_only=True)
    organisation = OrganisationRefSerializer(read_only=True, allow_null=True)
    members = TeamMemberSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceTeam
        fields = ["id", "name", "area", "organisation", "is_active", "members"]
        read_only_fields = fields


class TeamInputSerializer(serializers.Serializer):
    """Create (name and area required) or change a team; `area` is the unified code."""

    name = strict.CharField(max_length=120, required=False)
    area = serializers.SlugRelatedField(slug_field="code", queryset=Area.objects.all(), required=False)
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    is_active = strict.BooleanField(required=False)


class MemberInputSerializer(serializers.Serializer):
    """Add a member (`specialty`, and `staff` or `name`) or change one (`member` its id, any field)."""

    member = strict.IntegerField(min_value=1, required=False, help_text="the member to change; absent: add one")
    staff = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.all(), required=False, allow_null=True)
    name = strict.CharField(max_length=50, required=False, allow_blank=True)
    specialty = serializers.ChoiceField(choices=Specialty.choices, required=False)
    duties = strict.CharField(max_length=200, required=False, allow_blank=True)
    work_phone = strict.CharField(max_length=30, required=False, allow_blank=True)
    is_active = strict.BooleanField(required=False)


class TeamViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """`/teams/`: service teams in reach with their members; create, change, add or change members."""

    serializer_class = TeamSerializer
    queryset = ServiceTeam.objects.none()  # the schema is generated without a database
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return teams.teams_for(self.request.user).prefetch_related("members__staff")

    def _answer(self, team, code=status.HTTP_200_OK):
        return Response(TeamSerializer(teams.team_with_members(team)).data, status=code)

    @extend_schema(request=TeamInputSerializer, responses={201: TeamSerializer}, summary="Create a team")
    def create(self, request, *args, **kwargs):
        data = TeamInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        missing = {name: [_("必填。")] for name in ("name", "area") if name not in fields}
        if missing:
            raise serializers.ValidationError(missing, code="required")
        fields.pop("is_active", None)
        return self._answer(teams.team_create(actor=request.user, **fields), status.HTTP_201_CREATED)

    @extend_schema(request=TeamInputSerializer, responses=TeamSerializer, summary="Change a team")
    def partial_update(self, request, *args, **kwargs):
        team = self.get_object()
        data = TeamInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(teams.team_update(actor=request.user, team=team, **data.validated_data))

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        request=MemberInputSerializer,
        responses={200: TeamSerializer, 201: TeamSerializer},
        summary="Add a member (201), or change one named by `member` (200)",
    )
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        team = self.get_object()
        data = MemberInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        staff = fields.get("staff")
        if staff is not None and not Staff.objects.restrict(request.user).filter(pk=staff.pk).exists():
            raise serializers.ValidationError({"staff": [_("在您的辖区内找不到该人员。")]}, code="invalid")
        member_id = fields.pop("member", None)
        if member_id is None:
            fields.pop("is_active", None)
            teams.member_add(actor=request.user, team=team, **fields)
            return self._answer(team, status.HTTP_201_CREATED)
        member = TeamMember.objects.filter(team=team, pk=member_id).first()
        if member is None:
            raise serializers.ValidationError({"member": [_("该成员不在本团队。")]}, code="invalid")
        teams.member_update(actor=request.user, member=member, **fields)
        return self._answer(team)
