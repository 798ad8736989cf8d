"""Webhooks of the emergency app (integrations' `emergency.*` event types) for the
organisations of the district a response covers: its authority, township offices and
departments. Written in the caller's transaction, keyed by their cause (exactly once)."""

from integrations.choices import WebhookEventType
from integrations.services import webhook_emit
from personnel.models import Organisation

from .models import Record, Response


def organisations(response: Response) -> list[int]:
    """Organisations whose jurisdiction lies in the response's district."""
    county = response.county
    return list(
        Organisation.objects.filter(
            area__tree_id=county.tree_id, area__lft__gte=county.lft, area__rght__lte=county.rght
        ).values_list("pk", flat=True)
    )


def payload(response: Response) -> dict:
    """The public fields of a response (times ISO 8601)."""
    return {
        "id": response.pk,
        "area": response.area.code,
        "hazard": response.hazard,
        "level": response.level,
        "status": response.status,
        "title": response.title,
        "version": response.version,
        "activated_at": response.activated_at.isoformat(),
        "ended_at": response.ended_at.isoformat() if response.ended_at else None,
    }


def response_changed(response: Response, record: Record) -> None:
    """`emergency.response_changed` for a step of the response (activate, raise, lower, end)."""
    webhook_emit(
        event_type=WebhookEventType.EMERGENCY_CHANGED,
        organisation_ids=organisations(response),
        payload={**payload(response), "step": record.kind},
        cause=f"emergency:{record.pk}",
    )


def checkins_escalated(response: Response, stage: str, areas: list[str], cause: str) -> None:
    """`emergency.checkin_escalated`: grids (codes) whose leaders missed the check-in,
    escalated to `stage` ("township" or "district")."""
    webhook_emit(
        event_type=WebhookEventType.EMERGENCY_ESCALATED,
        organisation_ids=organisations(response),
        payload={"response": response.pk, "stage": stage, "areas": areas},
        cause=cause,
    )


def checkin_reported(checkin, record: Record) -> None:
    """`emergency.checkin_reported`: a grid's status report (staff on duty, people needing
    transfer: counts; hazards: text), for the departments planning transfers."""
    webhook_emit(
        event_type=WebhookEventType.EMERGENCY_REPORTED,
        organisation_ids=organisations(checkin.response),
        payload={
            "response": checkin.response_id,
            "area": checkin.area.code,
            "on_duty": checkin.on_duty,
            "to_transfer": checkin.to_transfer,
            "hazards": checkin.hazards,
            "reported_at": checkin.reported_at.isoformat() if checkin.reported_at else None,
            "version": checkin.version,
        },
        cause=f"emergency:{record.pk}",
    )
