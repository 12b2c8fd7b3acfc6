"""What a file really is, from its first bytes: authors' files are often misnamed (a photo saved
as ``scan.pdf``, a web page saved as ``.txt``), and the extension alone would send them to the
wrong extractor with a baffling error."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ghostline_desktop.core.enums import MaterialType
from ghostline_desktop.core.text_files import TextDecodeProblem, guess_decode, looks_binary
from ghostline_desktop.ingest.base import ExtractionError
from ghostline_desktop.ingest.files import read_head

_MARKDOWN_EXT = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn"})
_HTML_EXT = frozenset({".html", ".htm", ".xhtml"})
# Extensions that promise a binary format: when the content is no format we know, the named
# format's extractor gives the precise complaint ("is not a PDF …") instead of a vague one.
_CLAIMED = {
    ".pdf": MaterialType.PDF,
    ".docx": MaterialType.DOCX,
    ".docm": MaterialType.DOCX,
    ".dotx": MaterialType.DOCX,
    ".epub": MaterialType.EPUB,
    **dict.fromkeys(
        (".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".webp", ".bmp", ".heic", ".heif"), MaterialType.IMAGE
    ),
    **dict.fromkeys((".mp3", ".m4a", ".wav", ".ogg", ".oga", ".opus", ".flac", ".aac", ".webm"), MaterialType.AUDIO),
}
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"})
_HTML_START = re.compile(
    r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL
)
_BMP_HEADERS = frozenset({12, 40, 52, 56, 64, 108, 124})
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_material(path: Path | str, filename: str | None = None) -> MaterialType:
    """The material type by content. ``filename`` is the author's original name (the stored
    copy has none); its extension only breaks ties (Markdown vs text) and names the format an
    unrecognisable file claimed to be. Raises ``ExtractionError`` ("empty", "unsupported",
    "corrupt") for files no extractor can read."""
    path = Path(path)
    head = read_head(path)
    ext = Path(filename or path.name).suffix.lower()
    kind = _binary_kind(path, head, ext)
    if kind is not None:
        return kind
    if looks_binary(head):
        if ext in _CLAIMED:
            return _CLAIMED[ext]
        raise ExtractionError("is not a kind of file GhostLine can read (it holds binary data)", "unsupported")
    if ext in _CLAIMED:
        return _CLAIMED[ext]
    if ext in _HTML_EXT or _looks_like_html(head):
        return MaterialType.HTML
    return MaterialType.MARKDOWN if ext in _MARKDOWN_EXT else MaterialType.TEXT


def _binary_kind(path: Path, head: bytes, ext: str) -> MaterialType | None:
    if head.startswith(b"%PDF-"):
        return MaterialType.PDF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(path, ext)
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")):
        return MaterialType.IMAGE
    if head.startswith(b"BM") and len(head) >= 18 and int.from_bytes(head[14:18], "little") in _BMP_HEADERS:
        return MaterialType.IMAGE  # "BM" alone is too weak: the DIB header size must be a real one
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return MaterialType.IMAGE
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return MaterialType.AUDIO
    if head[4:8] == b"ftyp":
        return MaterialType.IMAGE if head[8:12] in _HEIF_BRANDS else MaterialType.AUDIO  # M4A, MP4, 3GP
    if head.startswith((b"ID3", b"OggS", b"fLaC", b"#!AMR", b"\x1aE\xdf\xa3")):
        return MaterialType.AUDIO
    if head.startswith(b"FORM") and head[8:12] in (b"AIFF", b"AIFC"):
        return MaterialType.AUDIO
    if (
        len(head) >= 4
        and head[0] == 0xFF
        and head[1] & 0xE0 == 0xE0
        and (head[2] >> 4) != 0xF
        and not head.startswith(b"\xff\xfe")  # the UTF-16 LE byte-order mark looks like a frame sync
    ):
        return MaterialType.AUDIO  # an MP3 (or ADTS AAC) frame sync without an ID3 tag
    if b"%PDF-" in head[:1024]:  # some writers put junk before the header; readers accept it
        return MaterialType.PDF
    if head.startswith(_OLE2):
        raise ExtractionError(
            "is an old-format Office file (such as a .doc) or a password-protected Word document; "
            "open it in Word and save it as an unprotected .docx",
            "unsupported",
        )
    if head.startswith(b"{\\rtf"):
        raise ExtractionError("is an RTF document; save it as .docx or plain text to import it", "unsupported")
    return None


def _zip_kind(path: Path, ext: str) -> MaterialType:
    """DOCX or EPUB by the parts they must have; reads only the central directory."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = b""
            if "mimetype" in names:
                with archive.open("mimetype") as fh:
                    mimetype = fh.read(64)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        if ext in _CLAIMED:
            return _CLAIMED[ext]  # its extractor explains what is wrong with that format
        raise ExtractionError("is a damaged ZIP archive", "corrupt") from exc
    if "word/document.xml" in names:
        return MaterialType.DOCX
    if mimetype.strip() == b"application/epub+zip" or "META-INF/container.xml" in names:
        return MaterialType.EPUB
    if ext in (".docx", ".epub"):
        return _CLAIMED[ext]
    raise ExtractionError("is a ZIP archive, not a document; unpack it and import the files inside", "unsupported")


def _looks_like_html(head: bytes) -> bool:
    if b"<" not in head:
        return False
    try:
        text = guess_decode(head[:2048]).text
    except TextDecodeProblem:
        return False
    return _HTML_START.match(text) is not None
