"""Shared fixtures of the Open311 tests: the events world, an item with report fields, a
hotline's report key, photos, and readers of both formats."""

import io
import json
from xml.etree import ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.choices import AttributeType
from integrations.services import api_client_create
from personnel.choices import PlatformRole
from personnel.roles import ROLE_PERMISSIONS
from tests.events.conftest import clock, world  # noqa: F401  (shared fixtures)
from tests.factories import UserFactory
from tests.scenario import grant, make_item

BASE = "/open311/v2/"
ATTRIBUTES = [
    {"code": "depth", "label": "积水深度（厘米）", "type": AttributeType.NUMBER, "required": True},
    {
        "code": "place",
        "label": "位置类型",
        "type": AttributeType.SINGLE_CHOICE,
        "required": False,
        "choices": [{"key": "road", "label": "道路"}, {"key": "yard", "label": "小区"}],
    },
]


@pytest.fixture
def flood_item(world):  # noqa: F811
    return make_item("04-002", attributes=ATTRIBUTES)


def make_key(world, scopes=("report",)) -> str:  # noqa: F811
    """A township office's system key (a dispatcher entering hotline calls)."""
    root = UserFactory(is_superuser=True, is_staff=True)
    created = api_client_create(
        actor=root,
        organisation=world.township_office,
        name="12345 热线",
        scopes=list(scopes),
        role=PlatformRole.DISPATCHER,
    )
    grant(created.client.user, world.tree.township, *ROLE_PERMISSIONS[PlatformRole.DISPATCHER])
    return created.key


@pytest.fixture
def key(world):  # noqa: F811
    return make_key(world)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def png(name="photo.png", colour=(200, 30, 30)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def xml(response) -> ET.Element:
    """The XML body of `response`, which must be `text/xml`."""
    assert response["Content-Type"].split(";")[0] == "text/xml", response["Content-Type"]
    return ET.fromstring(response.content)  # noqa: S314  (our own output)


def errors(response) -> list[tuple[int, str]]:
    """GeoReport errors of a JSON or XML answer as (code, description) pairs."""
    if response["Content-Type"].startswith("text/xml"):
        root = xml(response)
        assert root.tag == "errors"
        return [(int(e.findtext("code")), e.findtext("description")) for e in root.findall("error")]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert isinstance(body, list) and body and all(set(e) == {"code", "description"} for e in body), body
    return [(e["code"], e["description"]) for e in body]
