"""Uploaded evidence is checked by its bytes and images are re-encoded.

Every file here is a real one made in memory (Pillow for images, a minimal
PDF written by hand), so the checks meet what a browser would send. The
helpers at the top are shared with test_upload_views.
"""

import functools
import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from complaints.evidence import clean_file_name, inspect_upload

# Real files, made in memory ------------------------------------------------

SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"
GPS_MARKER = "Spy Camera Model 9000"


def image_bytes(fmt, size=(20, 10), mode="RGB", color="red", **save_options) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save_options)
    return out.getvalue()


def jpeg_bytes(size=(20, 10), **save_options) -> bytes:
    return image_bytes("JPEG", size, **save_options)


def png_bytes(size=(20, 10), **save_options) -> bytes:
    return image_bytes("PNG", size, **save_options)


def webp_bytes(size=(20, 10), **save_options) -> bytes:
    return image_bytes("WEBP", size, **save_options)


def noisy_png_bytes(size=(64, 64)) -> bytes:
    """A PNG whose pixel data does not compress away, so cutting it loses pixels."""
    rng = random.Random(7)
    image = Image.frombytes("RGB", size, bytes(rng.randrange(256) for _ in range(size[0] * size[1] * 3)))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = GPS_MARKER
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (59.0, 19.0, 48.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (18.0, 4.0, 7.0),
    }
    return exif


def pdf_bytes() -> bytes:
    """The smallest well-formed PDF: one empty page, with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def gif_bytes() -> bytes:
    return image_bytes("GIF", mode="P", color=1)


SVG_BYTES = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script>alert(1)</script><rect width="10" height="10"/></svg>'
)


@functools.cache
def huge_png_bytes() -> bytes:
    """20000x20000 pixels in about 50 KB: a 1-bit PNG of one colour compresses to almost nothing."""
    return png_bytes((20_000, 20_000), mode="1", color=0)


def truncated_png_bytes() -> bytes:
    data = noisy_png_bytes()
    return data[: len(data) // 2]


def corrupt_png_bytes() -> bytes:
    """Header and chunks in place, but the compressed pixel data is garbage."""
    data = bytearray(noisy_png_bytes())
    start = data.index(b"IDAT") + 4
    data[start : start + 200] = bytes(range(200))
    return bytes(data)


def upload(name, data, content_type="application/octet-stream") -> SimpleUploadedFile:
    # The browser's content type is deliberately generic or wrong: it must not matter.
    return SimpleUploadedFile(name, data, content_type=content_type)


# Each refused kind with a name a person (or an attacker) would give it and a
# phrase the refusal must contain. Shared with the view tests.
REFUSED = {
    "png renamed to pdf": ("report.pdf", png_bytes, "named like one kind of file but contains another"),
    "html renamed to jpg": ("photo.jpg", lambda: SCRIPT, "not a JPEG, PNG, WebP or PDF"),
    "svg": ("drawing.svg", lambda: SVG_BYTES, "not a JPEG, PNG, WebP or PDF"),
    "svg named png": ("drawing.png", lambda: SVG_BYTES, "not a JPEG, PNG, WebP or PDF"),
    "gif": ("animation.gif", gif_bytes, "not a JPEG, PNG, WebP or PDF"),
    "gif named png": ("animation.png", gif_bytes, "not a JPEG, PNG, WebP or PDF"),
    "empty": ("empty.png", lambda: b"", None),
    "truncated png": ("cut.png", truncated_png_bytes, "could not be read as an image"),
    "corrupt png": ("broken.png", corrupt_png_bytes, "could not be read as an image"),
    "20000x20000 png": ("huge.png", huge_png_bytes, "million pixels"),
}


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def refusal(name, data) -> str:
    with pytest.raises(ValidationError) as caught:
        inspect_upload(upload(name, data))
    return " ".join(caught.value.messages)


# Accepted kinds ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "content_type", "pil_format"),
    [
        ("photo.jpg", jpeg_bytes, "image/jpeg", "JPEG"),
        ("photo.JPEG", jpeg_bytes, "image/jpeg", "JPEG"),
        ("screenshot.png", png_bytes, "image/png", "PNG"),
        ("picture.webp", webp_bytes, "image/webp", "WEBP"),
    ],
)
def test_it_accepts_real_images_and_reencodes_them(name, make, content_type, pil_format):
    evidence = inspect_upload(upload(name, make(), content_type="text/html"))

    assert evidence.content_type == content_type
    assert evidence.original_name == name
    assert (evidence.width, evidence.height) == (20, 10)
    image = opened(evidence.content)
    assert image.format == pil_format
    assert image.size == (20, 10)


def test_it_accepts_a_real_pdf_unchanged():
    data = pdf_bytes()

    evidence = inspect_upload(upload("invoice.pdf", data))

    assert evidence.content_type == "application/pdf"
    assert evidence.content == data
    assert evidence.width is None and evidence.height is None


@pytest.mark.parametrize(
    ("fmt", "mode", "extra"),
    [
        ("PNG", "P", {"transparency": 0}),
        ("PNG", "LA", {}),
        ("PNG", "I;16", {}),
        ("PNG", "1", {}),
        ("JPEG", "CMYK", {}),
        ("JPEG", "L", {}),
        ("WEBP", "RGBA", {}),
    ],
)
def test_it_accepts_images_in_less_common_modes(fmt, mode, extra):
    name = {"PNG": "a.png", "JPEG": "a.jpg", "WEBP": "a.webp"}[fmt]

    evidence = inspect_upload(upload(name, image_bytes(fmt, mode=mode, color=0, **extra)))

    assert opened(evidence.content).format == fmt


# Refused kinds -----------------------------------------------------------------


@pytest.mark.parametrize("kind", list(REFUSED))
def test_it_refuses_files_that_are_not_allowed_evidence(kind):
    name, make, phrase = REFUSED[kind]

    message = refusal(name, make())

    assert name in message
    if phrase:
        assert phrase in message


def test_it_refuses_a_20000_by_20000_png_for_its_pixel_count_not_as_unreadable():
    data = huge_png_bytes()
    assert len(data) < 200_000  # the bomb is small on the wire; only decoding it is expensive

    message = refusal("huge.png", data)

    assert "40 million pixels" in message
    assert "could not be read" not in message


def test_it_refuses_an_image_just_over_the_pixel_limit_and_names_its_size(settings):
    settings.EVIDENCE_MAX_PIXELS = 1_000_000

    message = refusal("wide.png", png_bytes((1001, 1000), mode="1", color=0))

    assert "1001×1000 pixels" in message
    assert "1 million pixels" in message
    inspect_upload(upload("fits.png", png_bytes((1000, 1000), mode="1", color=0)))


def test_it_refuses_a_file_over_the_size_limit_before_reading_it(settings):
    assert settings.EVIDENCE_MAX_BYTES == 10 * 1024 * 1024
    image = jpeg_bytes()
    at_limit = image + b"\0" * (settings.EVIDENCE_MAX_BYTES - len(image))

    inspect_upload(upload("exactly-ten.jpg", at_limit))
    message = refusal("too-big.jpg", at_limit + b"\0")

    assert "10.0\xa0MB" in message


def test_a_file_named_pdf_must_start_like_a_pdf():
    assert "not a JPEG, PNG, WebP or PDF" in refusal("invoice.pdf", SCRIPT)
    assert "not a JPEG, PNG, WebP or PDF" in refusal("invoice.pdf", b"\n" + pdf_bytes())


def test_a_real_file_with_an_unknown_extension_is_refused():
    assert "not a JPEG, PNG, WebP or PDF" in refusal("photo.html", png_bytes())
    assert "not a JPEG, PNG, WebP or PDF" in refusal("photo", png_bytes())


def test_damaged_images_raise_only_validation_errors():
    """Random damage to real images: a refusal with a message, never another exception."""
    rng = random.Random(2024)
    unexpected = []
    for name, data in [("a.jpg", jpeg_bytes(exif=gps_exif(6))), ("a.png", noisy_png_bytes((16, 16))),
                       ("a.webp", webp_bytes(exif=gps_exif(6)))]:
        for _ in range(150):
            damaged = bytearray(data)
            for _ in range(rng.randint(1, 6)):
                damaged[rng.randrange(8, len(damaged))] = rng.randrange(256)
            if rng.random() < 0.3:
                damaged = damaged[: rng.randrange(8, len(damaged))]
            try:
                inspect_upload(upload(name, bytes(damaged)))
            except ValidationError:
                pass
            except Exception as error:
                unexpected.append(f"{name}: {error!r}")
    assert not unexpected, "\n".join(unexpected[:20])


# Re-encoding -------------------------------------------------------------------


@pytest.mark.parametrize(("name", "make"), [("a.jpg", jpeg_bytes), ("a.png", png_bytes), ("a.webp", webp_bytes)])
def test_reencoding_removes_exif_and_gps(name, make):
    data = make(exif=gps_exif())
    source = Image.open(io.BytesIO(data))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test image must carry GPS to begin with"
    assert GPS_MARKER.encode() in data

    evidence = inspect_upload(upload(name, data))

    result = opened(evidence.content)
    assert not result.getexif()
    assert "exif" not in result.info
    assert GPS_MARKER.encode() not in evidence.content
    assert b"Exif" not in evidence.content


def test_reencoding_removes_a_jpeg_comment():
    data = jpeg_bytes(comment=b"<script>alert(1)</script> taken at home")
    assert b"taken at home" in data

    evidence = inspect_upload(upload("a.jpg", data))

    assert b"taken at home" not in evidence.content
    assert "comment" not in opened(evidence.content).info


@pytest.mark.parametrize(("name", "make"), [("a.jpg", jpeg_bytes), ("a.png", png_bytes), ("a.webp", webp_bytes)])
def test_reencoding_drops_bytes_appended_after_the_image(name, make):
    data = make() + SCRIPT

    evidence = inspect_upload(upload(name, data))

    assert b"<script" not in evidence.content
    assert b"<html" not in evidence.content


def test_a_pdf_is_not_reencoded_but_keeps_its_type():
    # A PDF is stored as sent; it is served as a download with a sandbox CSP
    # (see test_upload_views), which is what keeps its content from running.
    evidence = inspect_upload(upload("a.pdf", pdf_bytes() + SCRIPT))
    assert evidence.content_type == "application/pdf"


@pytest.mark.parametrize(("name", "make"), [("a.jpg", jpeg_bytes), ("a.png", png_bytes), ("a.webp", webp_bytes)])
def test_reencoding_applies_the_exif_orientation(name, make):
    # Orientation 6: the camera was turned; the picture must be rotated 90° to stand upright.
    data = make(size=(20, 10), exif=gps_exif(orientation=6))

    evidence = inspect_upload(upload(name, data))

    assert (evidence.width, evidence.height) == (10, 20)
    result = opened(evidence.content)
    assert result.size == (10, 20)
    assert ExifTags.Base.Orientation not in result.getexif()


def test_orientation_turns_the_pixels_not_only_the_size():
    image = Image.new("RGB", (20, 10), "white")
    image.paste((0, 0, 0), (0, 0, 10, 10))  # the left half is black
    out = io.BytesIO()
    image.save(out, format="PNG", exif=gps_exif(orientation=6))

    result = opened(inspect_upload(upload("a.png", out.getvalue())).content).convert("RGB")

    # Rotated 90° clockwise, the black left half becomes the top half.
    assert result.getpixel((5, 2)) == (0, 0, 0)
    assert result.getpixel((5, 17)) == (255, 255, 255)


# File names --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("C:\\Users\\anna\\Desktop\\photo.png", "photo.png"),
        ("/var/www/html/shell.php.png", "shell.php.png"),
        ("bill\x00.pdf", "bill.pdf"),
        ("bill\x1b[31mred\x1b[0m.pdf", "bill[31mred[0m.pdf"),
        ("photo\r\n.png", "photo.png"),
        ("\u202egnp.exe", "gnp.exe"),  # the right-to-left override that makes "exe.png" appear
        ("zero\u200bwidth.png", "zerowidth.png"),
        ("квитанция №5.pdf", "квитанция №5.pdf"),
        ("  spaced.png  ", "spaced.png"),
        ("", "file"),
        ("/", "file"),
        ("\x00\x01", "file"),
    ],
)
def test_file_names_are_cleaned(given, expected):
    assert clean_file_name(given) == expected


def test_non_utf8_file_names_are_cleaned():
    # Bytes that are not UTF-8, as Python hands them over (surrogate escapes).
    given = b"rechnung-\xff\xfe-m\xe4rz.pdf".decode("utf-8", "surrogateescape")

    cleaned = clean_file_name(given)

    cleaned.encode("utf-8")  # storable and printable
    assert cleaned.startswith("rechnung-")
    assert cleaned.endswith(".pdf")


def test_very_long_file_names_are_cut_and_keep_their_extension():
    cleaned = clean_file_name("a" * 300 + ".png")

    assert len(cleaned) == 100
    assert cleaned.endswith(".png")


def test_a_long_file_name_does_not_stop_a_good_file():
    evidence = inspect_upload(upload("Screenshot " + "x" * 250 + ".png", png_bytes()))

    assert len(evidence.original_name) <= 100
    assert evidence.original_name.startswith("Screenshot ")
    assert evidence.original_name.endswith(".png")


def test_the_cleaned_name_is_what_inspect_upload_keeps():
    evidence = inspect_upload(upload("../../\u202ephoto\x00.png", png_bytes()))

    assert evidence.original_name == "photo.png"
    assert "/" not in evidence.original_name
