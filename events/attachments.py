"""Photo attachments of events (Art. 17): checked by content, size-limited, metadata stripped.

Only JPEG, PNG and WebP are accepted, detected with Pillow from the bytes, never from
the name. A file whose declared type (the upload's content type or its name's
extension) does not match its content is refused. Images are re-encoded, which drops
EXIF (including GPS) and other metadata; the stored bytes' SHA-256 is kept.
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


def attachment_add(*, actor, event, file, action=None) -> Attachment:
    """Attach a photo to `event` (optionally to one of its timeline `action`s).

    `file`: a Django UploadedFile or any file-like object with a `name`. Raises
    ValidationError({"attachments": [...]}) for non-images, type mismatches and files
    over `settings.ATTACHMENT_MAX_BYTES`; NotFound if the actor may not see the event.
    """
    event_id = event.pk if isinstance(event, Event) else event
    if actor is None or not Event.objects.restrict(actor).filter(pk=event_id).exists():
        raise NotFound()
    data, facts = clean_image(file)
    attachment = Attachment(event_id=event_id, action=action, uploaded_by=actor, **facts)
    attachment.file.save(f"upload.{facts['extension']}", ContentFile(data), save=False)
    attachment.save()
    return attachment
