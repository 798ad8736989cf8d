"""Photo and voice-note attachments of events (Art. 17): checked by content, size-limited,
photo metadata stripped.

Only JPEG, PNG and WebP are accepted, detected with Pillow from the bytes, never from
the name. A file whose declared type (the upload's content type or its name's
extension) does not match its content is refused. Images are re-encoded, which drops
EXIF (including GPS) and other metadata; the stored bytes' SHA-256 is kept.
Voice notes (a short recording made on the phone, issue #19) are WebM/Opus or Ogg as
Chromium and Firefox record them, or MP4/AAC as Safari does; the container is detected
from the bytes (`clean_audio`), a declared type that does not match is refused, and they
are limited to `VOICE_NOTE_MAX_BYTES` (default 3 MB, some minutes of speech). They are
kept as recorded (no audio library re-encodes them; recorders write no location).
Files are served only to users who may see the event (the pages/API check
`Event.objects.restrict`).
"""

import hashlib
import io
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .exceptions import NotFound
from .models import Attachment, Event

FORMATS = {  # Pillow format → (content type, extension, accepted declared extensions)
    "JPEG": ("image/jpeg", "jpg", {"jpg", "jpeg", "jpe"}),
    "PNG": ("image/png", "png", {"png"}),
    "WEBP": ("image/webp", "webp", {"webp"}),
}
MAX_PIXELS = 64_000_000
AUDIO_FORMATS = {  # container → (content type, extension, accepted declared extensions)
    "webm": ("audio/webm", "webm", {"webm", "weba"}),
    "ogg": ("audio/ogg", "ogg", {"ogg", "oga", "opus"}),
    "mp4": ("audio/mp4", "m4a", {"m4a", "mp4", "aac"}),
}
#: ISO base media brands of audio recordings (Safari's MediaRecorder, phones' recorders).
MP4_BRANDS = {b"M4A ", b"mp42", b"mp41", b"isom", b"iso5", b"iso6", b"dash"}


def _refuse(message):
    raise ValidationError({"attachments": [message]})


def clean_image(file) -> tuple[bytes, dict]:
    """Check and re-encode an uploaded image; return (bytes, facts) or raise ValidationError."""
    limit = getattr(settings, "ATTACHMENT_MAX_BYTES", 8 * 1024 * 1024)
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        _refuse(_("文件过大（上限 %(mb)s MB）。") % {"mb": round(limit / 1024 / 1024, 1)})
    if hasattr(file, "seek"):
        file.seek(0)
    raw = file.read(limit + 1)
    if len(raw) > limit:
        _refuse(_("文件过大（上限 %(mb)s MB）。") % {"mb": round(limit / 1024 / 1024, 1)})
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            fmt = probe.format
            if probe.width * probe.height > MAX_PIXELS:
                _refuse(_("图片尺寸过大。"))
            probe.verify()
        image = Image.open(io.BytesIO(raw))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        _refuse(_("只能上传 JPEG、PNG 或 WebP 图片。"))
    if fmt not in FORMATS:
        _refuse(_("只能上传 JPEG、PNG 或 WebP 图片。"))
    content_type, extension, extensions = FORMATS[fmt]
    name = getattr(file, "name", "") or ""
    declared_ext = os.path.splitext(name)[1].lower().lstrip(".")
    declared_type = (getattr(file, "content_type", "") or "").lower()
    if (declared_ext and declared_ext not in extensions) or (
        declared_type and declared_type not in (content_type, "application/octet-stream")
    ):
        _refuse(_("文件内容与声明的类型不符。"))
    image = ImageOps.exif_transpose(image)  # keep the visible orientation, then drop EXIF
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=90, optimize=True)
    elif fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=90)
    data = out.getvalue()
    facts = {
        "content_type": content_type,
        "extension": extension,
        "width": image.width,
        "height": image.height,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "original_name": os.path.basename(name)[:200],
    }
    return data, facts


def audio_container(head: bytes) -> str | None:
    """The container of an audio recording from its first bytes: "webm" (EBML with DocType
    webm), "ogg" (an Ogg page carrying Opus or Vorbis), "mp4" (an `ftyp` box with an
    audio brand), else None."""
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"\x42\x82\x84webm" in head[:64]:
        return "webm"
    if head.startswith(b"OggS") and (b"OpusHead" in head[:128] or b"\x01vorbis" in head[:128]):
        return "ogg"
    if head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return "mp4"
    return None


def clean_audio(file) -> tuple[bytes, dict]:
    """Check an uploaded voice note; return (bytes, facts) or raise ValidationError."""
    limit = getattr(settings, "VOICE_NOTE_MAX_BYTES", 3 * 1024 * 1024)
    if hasattr(file, "seek"):
        file.seek(0)
    raw = file.read(limit + 1)
    if len(raw) > limit:
        _refuse(_("语音过长（上限 %(mb)s MB）。") % {"mb": round(limit / 1024 / 1024, 1)})
    container = audio_container(raw[:128])
    if container is None:
        _refuse(_("只能上传 WebM、Ogg 或 M4A 录音。"))
    content_type, extension, extensions = AUDIO_FORMATS[container]
    name = getattr(file, "name", "") or ""
    declared_ext = os.path.splitext(name)[1].lower().lstrip(".")
    declared_type = (getattr(file, "content_type", "") or "").lower().split(";")[0].strip()
    if (declared_ext and declared_ext not in extensions) or (
        declared_type
        and declared_type not in (content_type, "application/octet-stream")
        and declared_type != content_type.replace("audio/", "video/")
    ):
        _refuse(_("文件内容与声明的类型不符。"))
    facts = {
        "content_type": content_type,
        "extension": extension,
        "size": len(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "original_name": os.path.basename(name)[:200],
    }
    return raw, facts


def _is_audio(file) -> bool:
    if hasattr(file, "seek"):
        file.seek(0)
    head = file.read(128)
    file.seek(0)
    return audio_container(head) is not None


def attachment_add(*, actor, event, file, action=None) -> Attachment:
    """Attach a photo or a voice note to `event` (optionally to one of its timeline `action`s).

    `file`: a Django UploadedFile or any file-like object with a `name`; a recording is
    told from a photo by its bytes. Raises ValidationError({"attachments": [...]}) for
    anything else, type mismatches and files over `settings.ATTACHMENT_MAX_BYTES`
    (photos) or `settings.VOICE_NOTE_MAX_BYTES` (voice notes); NotFound if the actor may
    not see the event.
    """
    event_id = event.pk if isinstance(event, Event) else event
    if actor is None or not Event.objects.restrict(actor).filter(pk=event_id).exists():
        raise NotFound()
    data, facts = clean_audio(file) if _is_audio(file) else clean_image(file)
    return _store(event_id, action, actor, data, facts)


def public_photo_add(*, event, file, action=None) -> Attachment:
    """Attach the photo a citizen sent with a public demand (Art. 19): an image only (no
    voice note), checked and re-encoded as staff photos are (`clean_image`: ValidationError
    on "attachments"), with no uploader. Only `events.services.event_public_demand` calls
    it, inside the transaction that files the demand."""
    data, facts = clean_image(file)
    return _store(event.pk, action, None, data, facts)


def _store(event_id, action, uploader, data: bytes, facts: dict) -> Attachment:
    attachment = Attachment(event_id=event_id, action=action, uploaded_by=uploader, **facts)
    attachment.file.save(f"upload.{facts['extension']}", ContentFile(data), save=False)
    attachment.save()
    return attachment
