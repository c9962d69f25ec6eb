"""Checking uploaded evidence by its content, and re-encoding images.

Only JPEG, PNG, WebP and PDF are accepted. The type is read from the bytes,
never from the name or the browser's Content-Type; the file name's extension
must agree with it. Images are opened with an explicit format list, checked
against a pixel limit before decoding, turned upright and re-encoded, which
drops EXIF (GPS included) and anything appended after the image data.
"""

import io
import os
import struct
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import ExifTags, Image

SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
]
EXTENSIONS = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
    ".webp": "image/webp", ".pdf": "application/pdf",
}
PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
MAX_NAME_LENGTH = 100  # Attachment.original_name
# EXIF orientation -> the turn that makes the picture upright (as ImageOps.exif_transpose).
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass
class Evidence:
    content: bytes
    content_type: str
    original_name: str
    width: int | None = None
    height: int | None = None


def sniff_content_type(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def clean_file_name(name: str) -> str:
    """A displayable name: no path, no control characters, at most 100 characters."""
    name = os.path.basename(str(name).replace("\\", "/"))
    name = name.encode("utf-8", "replace").decode("utf-8", "replace")
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > MAX_NAME_LENGTH:
        # Cut the stem, not the extension: the extension must still agree
        # with the content, and a long name is no reason to refuse a file.
        stem, extension = os.path.splitext(name)
        if 0 < len(extension) <= 10:
            name = stem[: MAX_NAME_LENGTH - len(extension)].rstrip() + extension
        else:
            name = name[:MAX_NAME_LENGTH]
    return name or "file"


def inspect_upload(upload) -> Evidence:
    """Return the checked (and for images, re-encoded) evidence or raise ValidationError."""
    name = clean_file_name(upload.name)
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s; the limit is %(limit)s per file.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)}
        )
    upload.seek(0)
    data = upload.read()
    content_type = sniff_content_type(data[:16])
    claimed = EXTENSIONS.get(os.path.splitext(name)[1].lower())
    if content_type is None or claimed is None:
        raise ValidationError(
            _("“%(name)s” is not a JPEG, PNG, WebP or PDF file.") % {"name": name}
        )
    if content_type != claimed:
        raise ValidationError(
            _("“%(name)s” is named like one kind of file but contains another.") % {"name": name}
        )
    if content_type == "application/pdf":
        return Evidence(content=data, content_type=content_type, original_name=name)
    return _reencode_image(data, content_type, name)


def _reencode_image(data: bytes, content_type: str, name: str) -> Evidence:
    fmt = PIL_FORMATS[content_type]
    unreadable = ValidationError(_("“%(name)s” could not be read as an image.") % {"name": name})
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            width, height = image.size
            if width * height > settings.EVIDENCE_MAX_PIXELS:
                raise _too_many_pixels(name, width, height)
            image.load()
            upright = _upright(image)
            if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            save_options = {"quality": 88} if fmt in ("JPEG", "WEBP") else {"optimize": True}
            if fmt == "JPEG":
                # Pillow carries a JPEG comment (COM) over unless told otherwise.
                save_options["comment"] = b""
            upright.save(out, format=fmt, **save_options)
            width, height = upright.size
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        # Pillow refuses very large images inside Image.open, before our own
        # check can run; the person still needs to hear that it is the size.
        raise _too_many_pixels(name) from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise unreadable from None
    return Evidence(content=out.getvalue(), content_type=content_type, original_name=name, width=width, height=height)


def _upright(image: Image.Image) -> Image.Image:
    # Not ImageOps.exif_transpose: it writes the EXIF back without the
    # orientation, and damaged EXIF then fails with struct.error. The EXIF is
    # dropped on saving anyway; only the turn is needed.
    orientation = image.getexif().get(ExifTags.Base.Orientation)
    method = UPRIGHT.get(orientation) if isinstance(orientation, int) else None
    return image.transpose(method) if method is not None else image


def _too_many_pixels(name: str, width: int | None = None, height: int | None = None) -> ValidationError:
    limit = settings.EVIDENCE_MAX_PIXELS // 1_000_000
    if width is None:
        return ValidationError(
            _("“%(name)s” has too many pixels; the limit is %(limit)s million pixels.") % {"name": name, "limit": limit}
        )
    return ValidationError(
        _("“%(name)s” is %(width)s×%(height)s pixels; the limit is %(limit)s million pixels.")
        % {"name": name, "width": width, "height": height, "limit": limit}
    )
