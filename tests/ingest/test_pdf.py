"""PDF extraction: page numbers, encryption of every kind, damaged files, scans through OCR."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ghostline_desktop.ingest import ExtractionError, PasswordRequired, extract
from tests.ingest.makers import assert_reads, encrypt_pdf, scanned_pdf, text_image, text_pdf

pytestmark = pytest.mark.usefixtures("qapp")

PAGES = [
    "The first page speaks of harbours and grey water.",
    "The second page tells of the lighthouse keeper.",
    "The third page ends with a storm over the bay.",
]
# pypdf's names for the standard security handler's revisions: R2, R3, R4 (RC4 and AES), R5, R6.
ALGORITHMS = ["RC4-40", "RC4-128", "AES-128", "AES-256-R5", "AES-256"]


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def plain_pdf(tmp_path: Path) -> Path:
    return text_pdf(tmp_path / "plain.pdf", PAGES)


def test_pages_keep_their_numbers(plain_pdf: Path) -> None:
    result = extract(str(plain_pdf), "PDF")
    assert [segment.page for segment in result.segments] == [1, 2, 3]
    assert [_words(segment.text) for segment in result.segments] == PAGES
    assert result.metadata["pages"] == 3
    assert result.metadata["title"] == "Test document"
    assert "\t" not in result.text  # Qt places words one by one; pypdf's tabs between them become spaces
    assert not result.needs_ocr


def test_corpus_book_twenty_pages(tmp_path: Path, corpus_dir: Path) -> None:
    """Twenty pages of Moby-Dick: every page's own sentences come back under its number."""
    text = (corpus_dir / "melville-moby-dick.txt").read_text(encoding="utf-8")
    start = text.index("Call me Ishmael.")
    paragraphs = [p for p in (" ".join(block.split()) for block in text[start:].split("\n\n")) if p]
    pages: list[str] = []
    while len(pages) < 20:
        page = ""
        while paragraphs and len(page) + len(paragraphs[0]) < 2400:
            page += paragraphs.pop(0) + "\n\n"
        if not page:  # a paragraph longer than a page: cut it
            page, paragraphs[0] = paragraphs[0][:2400], paragraphs[0][2400:]
        pages.append(page.strip())
    pdf = text_pdf(tmp_path / "moby.pdf", pages)

    result = extract(str(pdf), "PDF")
    assert result.metadata["pages"] == 20
    assert [segment.page for segment in result.segments] == list(range(1, 21))
    for number, (segment, page) in enumerate(zip(result.segments, pages, strict=True), start=1):
        got = _words(segment.text)
        assert got[:60] == _words(page)[:60], f"page {number} starts differently"
        assert got[-40:] == _words(page)[-40:], f"page {number} ends differently"
    assert result.text.startswith("Call me Ishmael.")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_encrypted_pdf_asks_for_its_password(tmp_path: Path, plain_pdf: Path, algorithm: str) -> None:
    locked = encrypt_pdf(plain_pdf, tmp_path / "locked.pdf", algorithm)

    with pytest.raises(PasswordRequired) as asked:
        extract(str(locked), "PDF")
    assert asked.value.code == "password_required"
    assert "password" in str(asked.value)

    with pytest.raises(PasswordRequired) as wrong:
        extract(str(locked), "PDF", password="guess")
    assert wrong.value.code == "wrong_password"

    result = extract(str(locked), "PDF", password="secret")
    assert [_words(segment.text) for segment in result.segments] == PAGES
    assert result.metadata["encrypted"] is True
    # The owner password opens it too, as in every PDF reader.
    assert extract(str(locked), "PDF", password="owner-secret").segments[0].page == 1


def test_pdf_restricted_only_by_owner_password_opens_without_asking(tmp_path: Path, plain_pdf: Path) -> None:
    """Many PDFs are "encrypted" only to forbid printing: an empty user password opens them."""
    locked = encrypt_pdf(plain_pdf, tmp_path / "no-print.pdf", "AES-128", user_password="")
    assert [_words(s.text) for s in extract(str(locked), "PDF").segments] == PAGES
    assert [_words(s.text) for s in extract(str(locked), "PDF", password="anything").segments] == PAGES


@pytest.mark.parametrize("keep", [0.9, 0.6, 0.3, 0.05])
def test_truncated_pdf_is_reported_incomplete(tmp_path: Path, plain_pdf: Path, keep: float) -> None:
    """An interrupted download: a clear message, never a crash or a silent half-book."""
    data = plain_pdf.read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ExtractionError) as failed:
        extract(str(cut), "PDF")
    assert failed.value.code == "corrupt"
    assert str(failed.value) == "The file is an incomplete PDF: it ends early, as if a download or copy was cut short."


def test_garbage_after_pdf_header_is_corrupt(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    with pytest.raises(ExtractionError) as failed:
        extract(str(broken), "PDF")
    assert failed.value.code == "corrupt"
    assert str(failed.value).startswith("The file is a damaged PDF")


def test_not_a_pdf_at_all(tmp_path: Path) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_text("just some words, saved with the wrong name\n")
    with pytest.raises(ExtractionError, match="not a PDF") as failed:
        extract(str(fake), "PDF")
    assert failed.value.code == "corrupt"


def test_scanned_pdf_goes_through_ocr(tmp_path: Path) -> None:
    pdf = scanned_pdf(
        tmp_path / "scan.pdf", [["The lighthouse keeper", "wrote every night"], ["Storm warning at noon"]]
    )
    result = extract(str(pdf), "PDF")
    assert result.metadata["ocr_pages"] == [1, 2]
    assert [segment.page for segment in result.segments] == [1, 2]
    assert_reads(result.segments[0].text, "The lighthouse keeper wrote every night")
    assert_reads(result.segments[1].text, "Storm warning at noon")


def test_pdf_with_no_text_and_a_blank_picture_says_so(tmp_path: Path) -> None:
    from PySide6.QtGui import QColor, QImage, QPageSize, QPainter, QPdfWriter

    path = tmp_path / "blank.pdf"
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    painter = QPainter(writer)
    image = QImage(400, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("lightgray"))
    painter.drawImage(0, 0, image)
    painter.end()
    with pytest.raises(ExtractionError) as failed:
        extract(str(path), "PDF")
    assert failed.value.code == "no_text"


def test_mixed_text_and_scanned_pages_stay_in_page_order(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    text = text_pdf(tmp_path / "text.pdf", ["Typed page one.", "Typed page three."])
    scan = scanned_pdf(tmp_path / "scan.pdf", [["Handwritten page two"]])
    writer = PdfWriter()
    writer.add_page(PdfReader(text).pages[0])
    writer.add_page(PdfReader(scan).pages[0])
    writer.add_page(PdfReader(text).pages[1])
    mixed = tmp_path / "mixed.pdf"
    with open(mixed, "wb") as fh:
        writer.write(fh)

    result = extract(str(mixed), "PDF")
    assert [segment.page for segment in result.segments] == [1, 2, 3]
    assert result.metadata["ocr_pages"] == [2]
    assert_reads(result.segments[1].text, "Handwritten page two")


def test_form_fields_and_uncompressed_odd_filters(tmp_path: Path, plain_pdf: Path) -> None:
    """A PDF with an AcroForm and content streams re-encoded with ASCIIHex/ASCII85 filters (as
    old tools write them) reads the same."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(plain_pdf))
    field = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject("reader_name"),
            NameObject("/V"): TextStringObject("Ishmael"),
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/Rect"): ArrayObject([NumberObject(50), NumberObject(50), NumberObject(200), NumberObject(70)]),
        }
    )
    ref = writer._add_object(field)
    writer.pages[0][NameObject("/Annots")] = ArrayObject([ref])
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): ArrayObject([ref])})
    for page, filter_name in zip(writer.pages, ["/ASCIIHexDecode", "/ASCII85Decode", "/ASCIIHexDecode"], strict=True):
        _reencode(page, filter_name)
    odd = tmp_path / "form.pdf"
    with open(odd, "wb") as fh:
        writer.write(fh)
    raw = odd.read_bytes()
    assert b"/ASCII85Decode" in raw and b"/AcroForm" in raw

    result = extract(str(odd), "PDF")
    assert [_words(segment.text) for segment in result.segments] == PAGES


def _reencode(page: object, filter_name: str) -> None:
    import base64

    from pypdf.generic import NameObject, StreamObject

    contents = page.get_contents()  # type: ignore[attr-defined]
    data = contents.get_data()
    encoded = data.hex().encode() + b">" if filter_name == "/ASCIIHexDecode" else base64.a85encode(data) + b"~>"
    stream = StreamObject()
    stream.set_data(encoded)
    stream[NameObject("/Filter")] = NameObject(filter_name)
    page[NameObject("/Contents")] = page.indirect_reference.pdf._add_object(stream)  # type: ignore[attr-defined,index]


def test_text_never_holds_nul_characters(tmp_path: Path) -> None:
    pdf = text_pdf(tmp_path / "nul.pdf", ["Before\x00after the nul."])
    result = extract(str(pdf), "PDF")
    assert "\x00" not in result.text
    assert re.sub(r"\s", "", result.text).startswith("Before")


def test_jpeg_named_pdf_is_not_read_as_pdf(tmp_path: Path) -> None:
    from tests.ingest.makers import image_bytes

    photo = tmp_path / "scan.pdf"
    photo.write_bytes(image_bytes(text_image(["Not a PDF"]), "JPEG"))
    with pytest.raises(ExtractionError, match="not a PDF"):
        extract(str(photo), "PDF")
