"""Reads of the integrations app that depend on who asks."""

from django.db.models import QuerySet

from personnel.models import Organisation
from personnel.scope import covering_q

from .models import SUPERVISE


def manageable_organisations(user) -> QuerySet:
    """Organisations whose API clients and webhooks `user` may manage (supervise_area)."""
    return Organisation.objects.filter(covering_q(user, SUPERVISE, "area"), is_active=True).select_related("area")
