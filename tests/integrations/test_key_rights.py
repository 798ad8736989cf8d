"""An API key's rights take effect on its next request after any change, as a person's do:
no waiting for the nightly grant sync (personnel.grants_sync_due)."""

from rest_framework.test import APIClient

from integrations.models import ApiClient
from personnel.choices import PlatformRole
from personnel.services import membership_start

CLIENTS = "/api/v1/integrations/clients/"
OPEN311 = "/open311/v2/requests.json"


def _issue(world, **fields):
    """A key issued the way the README says: by the district authority's supervisor over the API."""
    api = APIClient()
    api.force_login(world.supervisor)
    body = {"name": "12345 热线", "organisation": world.township_office.pk, "scopes": ["report"], **fields}
    response = api.post(CLIENTS, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _file(client, world, key):
    return client.post(
        OPEN311,
        {
            "api_key": key,
            "service_code": world.item.code,
            "address_id": world.tree.grid.code,
            "description": "路灯不亮",
        },
    )


def test_a_dispatcher_key_files_over_open311_from_its_first_request(client, world):
    created = _issue(world, role=PlatformRole.DISPATCHER)
    response = _file(client, world, created["key"])
    assert response.status_code == 201, response.content


def test_a_role_given_to_a_key_later_applies_to_its_next_request(client, world):
    created = _issue(world)  # a handler by default: no area rights, so it may not file demands
    assert _file(client, world, created["key"]).status_code == 403
    user = ApiClient.objects.get(pk=created["id"]).user
    membership_start(actor=world.supervisor, user=user, organisation=world.township_office, role="dispatcher")
    assert _file(client, world, created["key"]).status_code == 201


def test_an_unknown_role_is_a_field_error(world):
    api = APIClient()
    api.force_login(world.supervisor)
    body = {"name": "x", "organisation": world.township_office.pk, "scopes": ["report"], "role": "supervisor"}
    response = api.post(CLIENTS, body, format="json")
    assert response.status_code == 400
    assert "role" in response.json()["errors"]
