"""Sniffing: the material type comes from the content, not the name."""

from __future__ import annotations

import codecs
import io
import random
import zipfile
from pathlib import Path

import docx
import pytest

from ghostline_desktop.core.enums import MaterialType
from ghostline_desktop.ingest import ExtractionError, sniff_material
from tests.ingest.makers import epub_book, image_bytes, sine_wav, text_image, text_pdf


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.usefixtures("qapp")
def test_documents_by_content(tmp_path: Path) -> None:
    pdf = text_pdf(tmp_path / "a.pdf", ["Hello"])
    assert sniff_material(pdf) is MaterialType.PDF
    # The stored copy has no extension; the original name is passed alongside.
    stored = _write(tmp_path, "3f2a9c", pdf.read_bytes())
    assert sniff_material(stored, "report.pdf") is MaterialType.PDF
    assert sniff_material(stored, "report.txt") is MaterialType.PDF

    word = tmp_path / "w.docx"
    docx.Document().save(str(word))
    assert sniff_material(_write(tmp_path, "blob", word.read_bytes())) is MaterialType.DOCX
    book = epub_book(tmp_path / "b.epub", [("One", "<p>x</p>")])
    assert sniff_material(_write(tmp_path, "blob2", book.read_bytes())) is MaterialType.EPUB


@pytest.mark.usefixtures("qapp")
def test_jpeg_named_pdf_is_an_image(tmp_path: Path) -> None:
    photo = _write(tmp_path, "scan.pdf", image_bytes(text_image(["Page one"]), "JPEG"))
    assert sniff_material(photo) is MaterialType.IMAGE


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "TIFF", "WEBP", "BMP"])
def test_images(tmp_path: Path, fmt: str) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), "white").save(buffer, fmt)
    assert sniff_material(_write(tmp_path, "picture", buffer.getvalue())) is MaterialType.IMAGE


def test_heic_by_its_brand(tmp_path: Path) -> None:
    heic = _write(tmp_path, "IMG_0001.HEIC", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64))
    assert sniff_material(heic) is MaterialType.IMAGE


@pytest.mark.parametrize(
    "head",
    [
        b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(100),  # MP3 with a tag
        b"\xff\xfb\x90\x64" + bytes(100),  # MP3 frame without a tag
        b"OggS\x00\x02" + bytes(100),
        b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + bytes(100),
        b"fLaC\x00\x00\x00\x22" + bytes(100),
    ],
    ids=["mp3-id3", "mp3-frame", "ogg", "m4a", "flac"],
)
def test_audio(tmp_path: Path, head: bytes) -> None:
    assert sniff_material(_write(tmp_path, "memo", head)) is MaterialType.AUDIO


def test_wav(tmp_path: Path) -> None:
    assert sniff_material(sine_wav(tmp_path / "memo.wav", 0.1)) is MaterialType.AUDIO


def test_text_markdown_and_html(tmp_path: Path) -> None:
    assert sniff_material(_write(tmp_path, "n.txt", b"Plain notes.")) is MaterialType.TEXT
    assert sniff_material(_write(tmp_path, "n.md", b"# Plan\n\nNotes.")) is MaterialType.MARKDOWN
    assert sniff_material(_write(tmp_path, "blob", b"# Plan"), "plan.markdown") is MaterialType.MARKDOWN
    page = b"<!-- saved --><!DOCTYPE html><html><body><p>Hi</p></body></html>"
    assert sniff_material(_write(tmp_path, "saved.txt", page)) is MaterialType.HTML
    assert sniff_material(_write(tmp_path, "frag.htm", b"<p>fragment</p>")) is MaterialType.HTML
    utf16 = codecs.BOM_UTF16_LE + "<html><body>Hi</body></html>".encode("utf-16-le")
    assert sniff_material(_write(tmp_path, "wide", utf16)) is MaterialType.HTML
    assert sniff_material(_write(tmp_path, "wide.txt", "Notes in UTF-16.".encode("utf-16-le"))) is MaterialType.TEXT
    assert sniff_material(_write(tmp_path, "w.txt", "Café".encode("cp1252"))) is MaterialType.TEXT


def test_zero_byte_file(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError) as failed:
        sniff_material(_write(tmp_path, "empty.pdf", b""))
    assert failed.value.code == "empty"
    assert str(failed.value) == "The file is empty (0 bytes)."


def test_random_binary_is_unsupported(tmp_path: Path) -> None:
    junk = random.Random(7).randbytes(8192)
    with pytest.raises(ExtractionError) as failed:
        sniff_material(_write(tmp_path, "data.bin", junk))
    assert failed.value.code == "unsupported"
    # Named as a format it is not, the junk goes to that format's extractor, which says what is wrong.
    assert sniff_material(_write(tmp_path, "data.docx", junk)) is MaterialType.DOCX


def test_text_named_docx_goes_to_the_word_extractor(tmp_path: Path) -> None:
    assert sniff_material(_write(tmp_path, "letter.docx", b"Dear editor")) is MaterialType.DOCX


def test_other_zip_archives_and_legacy_office(tmp_path: Path) -> None:
    archive_path = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("a.txt", "x")
    with pytest.raises(ExtractionError, match="ZIP archive") as failed:
        sniff_material(archive_path)
    assert failed.value.code == "unsupported"
    ole = _write(tmp_path, "old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(ExtractionError, match=r"\.doc") as failed:
        sniff_material(ole)
    assert failed.value.code == "unsupported"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="missing"):
        sniff_material(tmp_path / "gone.pdf")
