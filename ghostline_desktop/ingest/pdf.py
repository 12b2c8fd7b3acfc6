"""PDF: pypdf, page by page, a segment per page so every chunk keeps its page number.

Speed matters here (a 300-page book should cost little more than pypdf's own text extraction),
so the common path is exactly ``page.extract_text()`` per page with the default mode; images
are only looked at on pages that have no text layer at all (scans).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from ghostline_desktop.ingest.base import Extraction, ExtractionError, PasswordRequired, Segment, build_extraction
from ghostline_desktop.ingest.files import read_head

log = logging.getLogger(__name__)

# Typesetting artefacts that break search and word counts: ligature glyphs ("ﬁrst" must match
# "first") and tabs, which PDFs do not contain but pypdf emits for gaps between words placed one
# by one (Qt, Word and LaTeX place them so). One C-speed translate per page.
_PRESENTATION = str.maketrans(
    {
        "\t": " ",
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
    }
)


@dataclass(frozen=True)
class PdfPart:
    """The text of a run of pages, read by one worker (big PDFs are read by several at once)."""

    segments: tuple[Segment, ...]
    blank: tuple[int, ...]  # 1-based pages without a text layer
    unreadable: tuple[int, ...]


def extract_pdf(path: str | Path, password: str | None = None) -> Extraction:
    reader = open_pdf(path, password)
    count = page_count(reader, path)
    return finish_pdf(reader, count, [read_pages(reader, 0, count)])


def open_pdf(path: str | Path, password: str | None = None) -> PdfReader:
    head = read_head(path, 1024)
    if b"%PDF-" not in head:
        raise ExtractionError("is not a PDF (it does not start with a PDF header)", "corrupt")
    reader = _open(path, password)
    page_count(reader, path)
    return reader


def page_count(reader: PdfReader, path: str | Path) -> int:
    try:
        count = len(reader.pages)
    except FileNotDecryptedError as exc:  # pragma: no cover - _open decrypts or raises first
        raise PasswordRequired("is protected by a password", "password_required") from exc
    except Exception as exc:
        raise _damaged(exc, path) from exc
    if count == 0:
        raise ExtractionError("is a PDF without any pages", "no_text")
    return count


def read_pages(reader: PdfReader, start: int, stop: int) -> PdfPart:
    """Pages ``start`` to ``stop`` (0-based, end excluded)."""
    segments: list[Segment] = []
    blank: list[int] = []  # pages without a text layer: scans, or pictures only
    unreadable: list[int] = []
    for index in range(start, stop):
        try:
            text = reader.pages[index].extract_text()
        except DependencyError as exc:
            raise _unsupported(exc) from exc
        except Exception as exc:  # one broken page must not lose the rest of the book
            log.info("PDF page %d unreadable: %s", index + 1, exc)
            unreadable.append(index + 1)
            continue
        if text.strip():
            text = text.translate(_PRESENTATION)
            segments.append(Segment(text, page=index + 1))
        else:
            blank.append(index + 1)
    return PdfPart(tuple(segments), tuple(blank), tuple(unreadable))


def finish_pdf(reader: PdfReader, count: int, parts: list[PdfPart]) -> Extraction:
    """Join the parts (in page order), OCR the pages without text, and describe the file."""
    segments = [seg for part in parts for seg in part.segments]
    blank = [page for part in parts for page in part.blank]
    unreadable = [page for part in parts for page in part.unreadable]
    if len(unreadable) == count:
        raise ExtractionError("is a damaged PDF: none of its pages could be read", "corrupt")

    metadata: dict[str, Any] = {"pages": count}
    title = _title(reader)
    if title:
        metadata["title"] = title
    if reader.is_encrypted:
        metadata["encrypted"] = True
    if unreadable:
        metadata["unreadable_pages"] = unreadable
    needs_ocr = False
    if blank:
        ocr_segments, ocr_pages, needs_ocr = _ocr_pages(reader, blank)
        if ocr_segments:
            segments = sorted(segments + ocr_segments, key=lambda segment: segment.page or 0)
            metadata["ocr"] = True
            metadata["ocr_pages"] = ocr_pages
        if needs_ocr:
            metadata["pages_without_text"] = blank
        if not segments and not needs_ocr:
            raise ExtractionError(
                "is a PDF without a text layer, and no text could be recognised in its images", "no_text"
            )
    return build_extraction(segments, metadata, needs_ocr=needs_ocr)


def _open(path: str | Path, password: str | None) -> PdfReader:
    try:
        reader = PdfReader(path)
    except DependencyError as exc:
        raise _unsupported(exc) from exc
    except Exception as exc:
        raise _damaged(exc, path) from exc
    if not reader.is_encrypted:
        return reader
    try:
        # Many "encrypted" PDFs only restrict printing or copying and open with an empty user
        # password; those need no password from the author.
        if reader.decrypt("") != PasswordType.NOT_DECRYPTED:
            return reader
        if password is None:
            raise PasswordRequired("is protected by a password; enter it to import the file", "password_required")
        if reader.decrypt(password) == PasswordType.NOT_DECRYPTED:
            raise PasswordRequired("did not open with that password", "wrong_password")
    except DependencyError as exc:
        raise _unsupported(exc) from exc
    except ExtractionError:
        raise
    except Exception as exc:
        raise _damaged(exc, path) from exc
    return reader


def _ocr_pages(reader: PdfReader, pages: list[int]) -> tuple[list[Segment], list[int], bool]:
    """Recognise the text of the images on pages without a text layer. Returns the segments,
    the pages that yielded text, and whether OCR was needed but is unavailable here."""
    from ghostline_desktop.ingest.image import ocr_image

    segments: list[Segment] = []
    found: list[int] = []
    for number in pages:
        texts: list[str] = []
        try:
            images = list(reader.pages[number - 1].images)
        except Exception as exc:
            log.info("PDF page %d: images unreadable: %s", number, exc)
            continue
        for image in images:
            try:
                picture = image.image
            except Exception as exc:  # e.g. JBIG2 without its decoder: skip that image only
                log.info("PDF page %d: image %s unreadable: %s", number, image.name, exc)
                continue
            if picture is None:
                continue
            try:
                text = ocr_image(picture)
            except ExtractionError as exc:
                if exc.code == "needs_provider":
                    return segments, found, True
                raise
            if text.strip():
                texts.append(text)
        if texts:
            segments.append(Segment("\n\n".join(texts), page=number))
            found.append(number)
    return segments, found, False


def _title(reader: PdfReader) -> str | None:
    try:
        info = reader.metadata
        title = info.title if info is not None else None
    except Exception:  # broken document info is common and never worth failing for
        return None
    return str(title).strip() or None if title else None


def _damaged(exc: BaseException, path: str | Path) -> ExtractionError:
    if not _has_end_marker(path):
        return ExtractionError("is an incomplete PDF: it ends early, as if a download or copy was cut short", "corrupt")
    detail = str(exc).strip().rstrip(".") or type(exc).__name__
    return ExtractionError(f"is a damaged PDF and could not be read (technical detail: {detail})", "corrupt")


def _has_end_marker(path: str | Path) -> bool:
    """Every complete PDF ends with %%EOF (give or take trailing junk a few bytes long)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            fh.seek(max(0, fh.tell() - 2048))
            return b"%%EOF" in fh.read()
    except OSError:
        return True


def _unsupported(exc: BaseException) -> ExtractionError:
    return ExtractionError(f"uses a PDF feature that cannot be read on this computer ({exc})", "unsupported")
