"""Photo attachments: type by content, size limit, metadata stripped."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from events import services as s
from events.attachments import attachment_add
from events.exceptions import NotFound

pytestmark = pytest.mark.django_db


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (29.0, 52.0, 6.0), 3: "E", 4: (121.0, 32.0, 38.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_exif_and_gps_are_stripped(world, media):
    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get(0x8825)
    ev = world.report(attachments=[SimpleUploadedFile("scene.jpg", raw, content_type="image/jpeg")])
    att = ev.attachments.get()
    assert att.content_type == "image/jpeg" and (att.width, att.height) == (40, 30)
    stored = Image.open(att.file.path)
    assert not stored.getexif()
    assert len(att.sha256) == 64 and att.original_name == "scene.jpg"
    assert att.action.kind == "report"


def test_a_file_that_lies_about_its_type_is_refused(world, media):
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, "PNG")
    ev = world.report()
    with pytest.raises(ValidationError):
        attachment_add(actor=world.worker, event=ev, file=SimpleUploadedFile("photo.jpg", png.getvalue(), "image/jpeg"))
    with pytest.raises(ValidationError):
        attachment_add(
            actor=world.worker, event=ev, file=SimpleUploadedFile("doc.png", b"%PDF-1.4 not an image", "image/png")
        )
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    with pytest.raises(ValidationError):
        attachment_add(actor=world.worker, event=ev, file=SimpleUploadedFile("a.gif", gif.getvalue(), "image/gif"))
    ok = attachment_add(actor=world.worker, event=ev, file=SimpleUploadedFile("a.png", png.getvalue(), "image/png"))
    assert ok.content_type == "image/png"


def test_a_bad_photo_refuses_the_whole_report(world, media):
    from events.models import Event

    with pytest.raises(ValidationError):
        world.report(attachments=[SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")])
    assert not Event.objects.exists()


def test_size_limit_and_scope(world, media, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    ev = world.report()
    with pytest.raises(ValidationError):
        attachment_add(actor=world.worker, event=ev, file=SimpleUploadedFile("a.jpg", jpeg_with_gps(), "image/jpeg"))
    settings.ATTACHMENT_MAX_BYTES = 10**6
    with pytest.raises(NotFound):
        attachment_add(actor=world.other_worker, event=ev, file=SimpleUploadedFile("a.jpg", jpeg_with_gps()))


def test_result_photos_attach_to_the_result_step(world, media):
    ev = s.event_accept(actor=world.dispatcher, event=world.report())
    ev = s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)
    ev = s.event_sign(actor=world.handler, event=ev)
    ev = s.event_submit_result(
        actor=world.handler,
        event=ev,
        text="done",
        attachments=[SimpleUploadedFile("r.jpg", jpeg_with_gps(), "image/jpeg")],
    )
    assert ev.attachments.get().action.kind == "submit_result"
