"""The one check every uploaded document goes through, at the desk and in the portal (issue 18).

What reaches the disk is decided by the content, never by the name the browser sent: the type
is read by libmagic, images are decoded and re-encoded by Pillow (whatever followed the image —
an HTML page, a script — is not copied), PDFs are parsed by pypdf and refused if they carry
JavaScript, launch actions or embedded files. The result is a new file named after the detected
type (`document.png`), so the stored extension, the content type and the download name agree.
"""

import io
import re
import unicodedata
import warnings
from pathlib import PurePath

import magic
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# The types a desk scans or photographs, and the one extension each is stored and served with.
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# A 10 MB file can still unpack to a huge bitmap (a "decompression bomb"): a 600 dpi A4 scan
# is about 35 megapixels, so 60 leaves room and keeps one decode within a few hundred MB.
MAX_IMAGE_PIXELS = 60_000_000
# Objects walked in a PDF before giving up: a scanned letter has a few hundred.
MAX_PDF_OBJECTS = 50_000
# The shown name: what is left of hers after cleaning, shortened (stored at most 200).
MAX_NAME_CHARS = 80

DOCUMENT_TYPE_REFUSED = _("Only PDF, JPEG or PNG files are accepted; this file is something else.")
DOCUMENT_TOO_LARGE = _("The file is larger than 10 MB; scan it at a lower resolution.")
DOCUMENT_UNREADABLE = _("This file is damaged or cannot be read; scan or photograph it again.")
DOCUMENT_ACTIVE_CONTENT = _(
    "This PDF contains scripts or attached files, which are not accepted; "
    "print it to a new PDF or scan the paper."
)
DOCUMENT_ENCRYPTED = _("This PDF is password-protected; save it without a password and retry.")

# PDF keys that run something or carry a file: JavaScript, actions that launch programs or open
# links by themselves, embedded files and rich media.
_ACTIVE_PDF_KEYS = {
    "/JS",
    "/JavaScript",
    "/Launch",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/RichMedia",
    "/XFA",
}
_ACTIVE_PDF_VALUES = {"/JavaScript", "/Launch", "/EmbeddedFile", "/FileAttachment", "/RichMedia"}


def checked_upload(file: UploadedFile) -> SimpleUploadedFile:
    """The upload as it will be stored: detected type, clean content, a name of that type.

    The result's `.content_type` is the detected type and its `.name` is `document.<ext>`;
    `.original_name` is her file name cleaned for display. Raises ValidationError with one of
    the messages above.
    """
    if file.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(DOCUMENT_TOO_LARGE, code="size")
    file.seek(0)
    data = file.read(MAX_DOCUMENT_BYTES + 1)
    file.seek(0)
    content_type = magic.from_buffer(data[:4096], mime=True)
    if content_type not in EXTENSIONS:
        raise ValidationError(DOCUMENT_TYPE_REFUSED, code="type")
    if content_type == "application/pdf":
        _check_pdf(data)
    else:
        data = _reencoded_image(data, content_type)
    clean = SimpleUploadedFile(f"document{EXTENSIONS[content_type]}", data, content_type)
    clean.original_name = display_name(file.name or "", content_type)
    return clean


def display_name(name: str, content_type: str) -> str:
    """Her file name as the file page shows it: control and direction characters removed, the
    client's extension(s) replaced by the detected one, shortened — replaced, never refused."""
    text = "".join(ch for ch in str(name) if unicodedata.category(ch)[0] != "C")
    stem = PurePath(text.replace("\\", "/")).name.split(".")[0]
    stem = re.sub(r"\s+", " ", stem).strip()[:MAX_NAME_CHARS].strip() or "document"
    return stem + EXTENSIONS[content_type]


def _reencoded_image(data: bytes, content_type: str) -> bytes:
    """The image decoded and written again: only pixels survive (no trailer, no metadata —
    EXIF can hold the GPS position of her home)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format != PILLOW_FORMATS[content_type]:
                raise ValidationError(DOCUMENT_TYPE_REFUSED, code="type")
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError(DOCUMENT_TOO_LARGE, code="pixels")
            image = ImageOps.exif_transpose(image)  # a phone photo stays upright without EXIF
            output = io.BytesIO()
            if content_type == "image/jpeg":
                if image.mode not in ("RGB", "L", "CMYK"):
                    image = image.convert("RGB")
                image.save(output, format="JPEG", quality=90, optimize=True)
            else:
                image.save(output, format="PNG", optimize=True)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(DOCUMENT_UNREADABLE, code="unreadable") from exc
    except (Image.DecompressionBombWarning, MemoryError) as exc:
        raise ValidationError(DOCUMENT_TOO_LARGE, code="pixels") from exc
    return output.getvalue()


def _check_pdf(data: bytes) -> None:
    """Refuse a PDF that pypdf cannot read, that is encrypted, or that carries active content."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(DOCUMENT_ENCRYPTED, code="encrypted")
        if _has_active_content(reader.trailer):
            raise ValidationError(DOCUMENT_ACTIVE_CONTENT, code="active")
    except ValidationError:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise ValidationError(DOCUMENT_UNREADABLE, code="unreadable") from exc


def _has_active_content(root: DictionaryObject) -> bool:
    """Walk every object reachable from the trailer (what a viewer can reach), once each."""
    seen: set[tuple[int, int]] = set()
    stack: list = [root]
    walked = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        walked += 1
        if walked > MAX_PDF_OBJECTS:
            raise ValueError("too many PDF objects")
        if isinstance(node, DictionaryObject):
            if _ACTIVE_PDF_KEYS.intersection(node.keys()):
                return True
            kinds = {str(node.get(name)) for name in ("/S", "/Subtype", "/Type")}
            if kinds & _ACTIVE_PDF_VALUES:
                return True
            stack.extend(node.values())
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return False
