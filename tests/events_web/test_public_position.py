"""The public demand form takes the citizen's pin and one photo (issue #16 item 4): the
server files the demand in the micro-grid holding the pin (the same look-up as the report
form and Open311), a pin in no grid is a Chinese form error that files nothing, the photo
is checked and stripped like a staff photo, and refused forms do not use up the hourly
allowance."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from events import public_demand
from events.models import Event
from grids.coords import wgs84_to_gcj02

from .test_report_position import drawn  # noqa: F401  (fixture: the scenario's boundaries)

pytestmark = pytest.mark.django_db


def _form(world, **over):
    data = {
        "kind": "demand",
        "item": world.item.code,
        "name": "王先生",
        "phone": "13912345678",
        "description": "小区路灯不亮已经一周。",
        "address": "3号楼",
        "website": "",
        "token": public_demand.make_token(time.time() - 10),
    }
    data.update(over)
    return data


def _url(area):
    return reverse("public:demand", args=[area.code])


def _jpeg(name="IMG_0001.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make: metadata that must not be kept
    Image.new("RGB", (120, 80), "red").save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_the_form_shows_the_pin_map_on_the_card_grid_outline(client, world, drawn):  # noqa: F811
    html = client.get(_url(drawn.grid)).content.decode()
    assert 'data-outline="position-outline"' in html and 'id="position-outline"' in html
    assert drawn.grid.code in html.split('id="position-outline"', 1)[1].split("</script>", 1)[0]
    assert 'enctype="multipart/form-data"' in html and 'name="photo"' in html


def test_a_pin_files_the_demand_in_the_micro_grid_holding_it(client, world, drawn):  # noqa: F811
    fields = _form(world, latitude="29.850000", longitude="121.520000", datum="wgs84")
    response = client.post(_url(drawn.grid), fields)
    assert response.status_code == 201
    event = Event.objects.get()
    assert event.area == drawn.micro_grid
    assert (float(event.latitude), float(event.longitude), event.datum) == (29.85, 121.52, "wgs84")
    assert drawn.micro_grid.name in response.content.decode()


def test_a_gcj02_pin_is_converted_before_the_look_up(client, world, drawn):  # noqa: F811
    lon, lat = wgs84_to_gcj02(121.52, 29.85)
    fields = _form(world, latitude=f"{lat:.6f}", longitude=f"{lon:.6f}", datum="gcj02")
    assert client.post(_url(drawn.grid), fields).status_code == 201
    event = Event.objects.get()
    assert event.area == drawn.micro_grid
    assert (f"{event.latitude}", f"{event.longitude}", event.datum) == (f"{lat:.6f}", f"{lon:.6f}", "gcj02")
    assert (event.wgs84_longitude, event.wgs84_latitude) == pytest.approx((121.52, 29.85), abs=1e-6)


def test_a_pin_in_no_grid_is_a_form_error_that_files_nothing(client, world, drawn):  # noqa: F811
    fields = _form(world, latitude="30.500000", longitude="120.100000", datum="wgs84")
    response = client.post(_url(drawn.grid), fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert "所选位置不在本市任何网格内" in html
    assert "小区路灯不亮已经一周。" in html  # what was typed is kept
    assert not Event.objects.exists()


def test_half_a_position_is_refused(client, world, drawn):  # noqa: F811
    response = client.post(_url(drawn.grid), _form(world, latitude="29.850000"))
    assert response.status_code == 400
    assert "位置不完整" in response.content.decode()
    assert not Event.objects.exists()


def test_a_demand_without_a_pin_stays_in_the_card_grid(client, world, drawn):  # noqa: F811
    assert client.post(_url(drawn.grid), _form(world)).status_code == 201
    event = Event.objects.get()
    assert event.area == drawn.grid and event.latitude is None


def test_one_photo_is_kept_without_its_metadata(client, world):
    response = client.post(_url(world.tree.grid), _form(world, photo=_jpeg()))
    assert response.status_code == 201
    photo = Event.objects.get().attachments.get()
    assert photo.uploaded_by is None and photo.content_type == "image/jpeg"
    with photo.file.open("rb") as stored:
        assert b"PhoneMaker" not in stored.read()


def test_a_file_that_is_not_a_photo_is_refused_next_to_the_field(client, world):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = client.post(_url(world.tree.grid), _form(world, photo=fake))
    assert response.status_code == 400
    assert 'id="id_photo_error"' in response.content.decode()
    assert not Event.objects.exists()


def test_refused_forms_do_not_use_up_the_hourly_allowance(client, world, drawn):  # noqa: F811
    url = _url(drawn.grid)
    for bad in (
        {"phone": "12345"},
        {"latitude": "30.500000", "longitude": "120.100000", "datum": "wgs84"},
        {"photo": SimpleUploadedFile("a.jpg", b"not a photo", content_type="image/jpeg")},
        {"token": "forged"},
    ) * public_demand.RATE_LIMIT:
        assert client.post(url, _form(world, **bad)).status_code == 400
    for _ in range(public_demand.RATE_LIMIT):
        assert client.post(url, _form(world)).status_code == 201
    response = client.post(url, _form(world))
    assert response.status_code == 429
    assert Event.objects.count() == public_demand.RATE_LIMIT


def test_a_repeat_of_the_same_form_is_not_counted_twice(client, world):
    url = _url(world.tree.grid)
    same = _form(world)
    for _ in range(public_demand.RATE_LIMIT + 1):  # a double tap answered from the first
        assert client.post(url, same).status_code == 201
    assert Event.objects.count() == 1
    for _ in range(public_demand.RATE_LIMIT - 1):
        assert client.post(url, _form(world)).status_code == 201
    assert client.post(url, _form(world)).status_code == 429
