"""API clients: keys shown once, hashed, scoped, revocable, expiring."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.test import APIClient

from integrations.models import ApiClient
from integrations.services import api_client_create, api_client_revoke, hash_key
from tests.integrations.factories import make_client, make_subscription

CLIENTS = "/api/v1/integrations/clients/"
WEBHOOKS = "/api/v1/integrations/webhooks/"


def keyed(key, header="Authorization"):
    client = APIClient()
    if header == "Authorization":
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    else:
        client.credentials(HTTP_X_API_KEY=key)
    return client


def test_key_is_stored_only_as_hash_with_prefix(scenario):
    client, key = make_client(scenario)
    assert len(key) >= 43
    assert client.key_prefix == key[:8]
    assert client.key_hash == hash_key(key)
    assert key not in str(ApiClient.objects.filter(pk=client.pk).values().get())


def test_service_user_cannot_sign_in_and_belongs_to_the_unit(scenario, client):
    api_client, _key = make_client(scenario)
    assert not api_client.user.has_usable_password()
    assert api_client.user.memberships.get().organisation == scenario.unit
    # django-axes needs the request to count failures; the sign-in form always passes one.
    assert not client.login(request=HttpRequest(), username=api_client.user.username, password="")


@pytest.mark.parametrize("header", ["Authorization", "X-Api-Key"])
def test_key_authenticates_as_the_client_for_reads(scenario, header):
    _client, key = make_client(scenario, scopes=["read"])
    make_subscription(scenario)
    response = keyed(key, header).get(WEBHOOKS)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1  # its own unit's subscription


def test_scope_limits_what_a_key_may_do(scenario):
    _client, read_key = make_client(scenario, scopes=["read"])
    _client, handle_key = make_client(scenario, scopes=["read", "handle"], name="办理系统")
    delivery_url = "/api/v1/integrations/deliveries/"
    from integrations.services import webhook_emit

    make_subscription(scenario)
    (delivery,) = webhook_emit(event_type="event.overdue", organisation_ids=[scenario.unit.pk], payload={})
    refused = keyed(read_key).post(f"{delivery_url}{delivery.pk}/replay/")
    assert refused.status_code == 403
    assert "权限范围" in refused.json()["detail"]
    assert keyed(handle_key).post(f"{delivery_url}{delivery.pk}/replay/").status_code == 202


def test_api_keys_cannot_manage_api_keys(scenario):
    _client, key = make_client(scenario, scopes=["read", "report", "handle"])
    assert keyed(key).get(CLIENTS).status_code == 403


@pytest.mark.parametrize(
    ("make_bad", "message"),
    [
        (lambda c: api_client_revoke(actor=c.created_by, client=c), "吊销"),
        (lambda c: ApiClient.objects.filter(pk=c.pk).update(expires_at=timezone.now() - timedelta(seconds=1)), "过期"),
    ],
)
def test_revoked_or_expired_key_answers_401_saying_why(scenario, make_bad, message):
    api_client, key = make_client(scenario)
    assert keyed(key).get(WEBHOOKS).status_code == 200
    make_bad(api_client)
    response = keyed(key).get(WEBHOOKS)
    assert response.status_code == 401
    assert message in response.json()["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Api-Key")


def test_unknown_key_answers_401(db):
    response = keyed("not-a-key").get(WEBHOOKS)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_key"


def test_last_used_is_recorded(scenario):
    api_client, key = make_client(scenario)
    keyed(key).get(WEBHOOKS)
    api_client.refresh_from_db()
    assert api_client.last_used_at is not None


def test_only_supervisors_of_the_area_may_issue_keys(scenario):
    with pytest.raises(PermissionDenied):
        api_client_create(actor=scenario.other_supervisor, organisation=scenario.unit, name="x", scopes=["read"])
    with pytest.raises(PermissionDenied):
        api_client_create(actor=scenario.leader, organisation=scenario.unit, name="x", scopes=["read"])
    created = api_client_create(actor=scenario.supervisor, organisation=scenario.unit, name="x", scopes=["read"])
    assert created.client.created_by == scenario.supervisor


def test_bad_scopes_or_past_expiry_are_refused(scenario):
    with pytest.raises(ValidationError):
        api_client_create(actor=scenario.supervisor, organisation=scenario.unit, name="x", scopes=["admin"])
    with pytest.raises(ValidationError):
        api_client_create(
            actor=scenario.supervisor,
            organisation=scenario.unit,
            name="x",
            scopes=["read"],
            expires_at=timezone.now() - timedelta(days=1),
        )


def test_api_create_shows_the_key_once_and_revoke_works(scenario):
    session = APIClient()
    session.force_login(scenario.supervisor)
    response = session.post(CLIENTS, {"name": "城管系统", "organisation": scenario.unit.pk, "scopes": ["read"]})
    assert response.status_code == 201
    key = response.json()["key"]
    listed = session.get(f"{CLIENTS}{response.json()['id']}/").json()
    assert "key" not in listed
    assert keyed(key).get(WEBHOOKS).status_code == 200
    assert session.post(f"{CLIENTS}{listed['id']}/revoke/").json()["revoked_at"]
    assert keyed(key).get(WEBHOOKS).status_code == 401


def test_api_create_for_an_organisation_out_of_reach_is_400(scenario):
    session = APIClient()
    session.force_login(scenario.supervisor)
    response = session.post(CLIENTS, {"name": "x", "organisation": scenario.other_unit.pk, "scopes": ["read"]})
    assert response.status_code == 400
    assert "organisation" in response.json()["errors"]


def test_clients_page_shows_key_once_and_revokes(scenario, client):
    client.force_login(scenario.supervisor)
    page = client.post(
        "/integrations/clients/", {"name": "城管系统", "organisation": scenario.unit.pk, "scopes": ["read"]}
    )
    assert page.status_code == 200
    api_client = ApiClient.objects.get(name="城管系统")
    html = page.content.decode()
    key_start = html.index('id="new-key">') + len('id="new-key">')
    key = html[key_start : html.index("</code>", key_start)]
    assert hash_key(key) == api_client.key_hash
    again = client.get("/integrations/clients/").content.decode()
    assert key not in again and api_client.key_prefix in again
    assert client.post(f"/integrations/clients/{api_client.pk}/revoke/").status_code == 302
    api_client.refresh_from_db()
    assert api_client.is_revoked


def test_clients_page_is_refused_to_staff_and_hides_other_districts(scenario, client):
    make_client(scenario, scenario.other_unit, name="江北系统")
    client.force_login(scenario.leader)
    assert client.get("/integrations/clients/").status_code == 403
    client.force_login(scenario.supervisor)
    assert "江北系统" not in client.get("/integrations/clients/").content.decode()
    other = ApiClient.objects.get(name="江北系统")
    assert client.post(f"/integrations/clients/{other.pk}/revoke/").status_code == 404


def test_form_errors_are_shown_in_chinese_and_nothing_is_made(scenario, client):
    client.force_login(scenario.supervisor)
    page = client.post("/integrations/clients/", {"name": "", "organisation": scenario.unit.pk})
    assert page.status_code == 200
    assert "该字段是必填项" in page.content.decode()
    assert not ApiClient.objects.exists()
