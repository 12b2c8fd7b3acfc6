"""Real files for the extractor tests, made the way other programs make them: PDFs with Qt's PDF
writer (text layer) or as a picture only (a scan), encrypted with pypdf; DOCX with python-docx;
EPUB with ebooklib; PNGs of rendered text; WAV with the standard library.

The Qt helpers need a QGuiApplication (pytest-qt's ``qapp`` fixture)."""

from __future__ import annotations

import difflib
import math
import re
import struct
import wave
import zipfile
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPageSize, QPainter, QPdfWriter


def text_pdf(path: Path, pages: list[str], *, point_size: int = 10) -> Path:
    """A PDF with one page per string, word-wrapped on A4, with a real text layer."""
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setResolution(72)
    writer.setTitle("Test document")
    painter = QPainter(writer)
    font = QFont("DejaVu Serif")
    font.setPointSize(point_size)
    painter.setFont(font)
    area = QRectF(0, 0, writer.width(), writer.height())
    for index, text in enumerate(pages):
        if index:
            writer.newPage()
        painter.drawText(area, int(Qt.TextFlag.TextWordWrap), text)
    painter.end()
    return path


def text_image(lines: list[str], *, width: int = 1400, pixel_size: int = 56) -> QImage:
    """Dark text on white, large enough for OCR to read exactly."""
    height = 80 + len(lines) * int(pixel_size * 1.8)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    font = QFont("DejaVu Sans")
    font.setPixelSize(pixel_size)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    for index, line in enumerate(lines):
        painter.drawText(40, 40 + pixel_size + index * int(pixel_size * 1.8), line)
    painter.end()
    return image


def image_bytes(image: QImage, fmt: str = "PNG") -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, fmt)
    buffer.close()
    return bytes(data.data())


def scanned_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A PDF whose pages hold only a picture of text, as a scanner makes: no text layer."""
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setResolution(150)
    painter = QPainter(writer)
    for index, lines in enumerate(pages):
        if index:
            writer.newPage()
        image = text_image(lines)
        target = QRectF(0, 0, writer.width(), writer.width() * image.height() / image.width())
        painter.drawImage(target, image)
    painter.end()
    return path


def encrypt_pdf(source: Path, target: Path, algorithm: str, user_password: str = "secret") -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password="owner-" + user_password, algorithm=algorithm)
    with open(target, "wb") as fh:
        writer.write(fh)
    return target


def rewrite_zip(path: Path, *, drop: tuple[str, ...] = (), add: dict[str, bytes] | None = None) -> None:
    """Rewrite a ZIP container in place, dropping and adding/replacing members."""
    add = add or {}
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            if info.filename in drop or info.filename in add:
                continue
            target.writestr(info, data)
        for name, data in add.items():
            target.writestr(name, data)


_W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def add_footnotes(path: Path, notes: dict[int, str], anchor_text: str) -> None:
    """Give a python-docx document real footnotes (python-docx cannot write them): the part, its
    relationship and content type, and a reference run after ``anchor_text``'s paragraph text."""
    separators = (
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
        "</w:p></w:footnote>"
    )
    bodies = "".join(
        f'<w:footnote w:id="{note_id}"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {text}'
        "</w:t></w:r></w:p></w:footnote>"
        for note_id, text in notes.items()
    )
    footnotes = f'<?xml version="1.0" encoding="UTF-8"?><w:footnotes {_W_NS}>{separators}{bodies}</w:footnotes>'
    with zipfile.ZipFile(path) as archive:
        document = archive.read("word/document.xml").decode()
        rels = archive.read("word/_rels/document.xml.rels").decode()
        types = archive.read("[Content_Types].xml").decode()
    reference = "".join(f'<w:r><w:footnoteReference w:id="{note_id}"/></w:r>' for note_id in notes)
    document = re.sub(rf"({re.escape(anchor_text)}</w:t></w:r>)", rf"\1{reference}", document, count=1)
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdFootnotes" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'footnotes" Target="footnotes.xml"/></Relationships>',
    )
    types = types.replace(
        "</Types>",
        '<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.footnotes+xml"/></Types>',
    )
    rewrite_zip(
        path,
        add={
            "word/document.xml": document.encode(),
            "word/_rels/document.xml.rels": rels.encode(),
            "[Content_Types].xml": types.encode(),
            "word/footnotes.xml": footnotes.encode(),
        },
    )


def zip_bomb_docx(source: Path, target: Path, gigabytes: float = 1.0) -> Path:
    """A real DOCX plus one member of zeros that inflates to ``gigabytes`` GB, streamed so
    neither memory nor the file grows (level-1 deflate keeps it under 5 MB and 2 s)."""
    block = bytes(1 << 20)
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
    ):
        for info in original.infolist():
            out.writestr(info, original.read(info))
        with out.open("word/media/image1.bin", "w", force_zip64=True) as member:
            for _ in range(int(gigabytes * 1024)):
                member.write(block)
    return target


def sine_wav(path: Path, seconds: float, rate: int = 8000, frequency: float = 440.0) -> Path:
    frames = int(seconds * rate)
    samples = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * frequency * i / rate))) for i in range(frames)
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples)
    return path


def epub_book(path: Path, chapters: list[tuple[str, str]], *, spine_order: list[int] | None = None) -> Path:
    """An EPUB 3 (with NCX) of (title, body HTML) chapters; ``spine_order`` lists chapter indexes
    in reading order when it should differ from the order they were added to the package."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("test-book")
    book.set_title("A Test Book")
    book.set_language("en")
    items = []
    for index, (title, body) in enumerate(chapters):
        item = epub.EpubHtml(title=title, file_name=f"chap_{index + 1}.xhtml", lang="en")
        item.content = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
        book.add_item(item)
        items.append(item)
    order = [items[i] for i in (spine_order or range(len(items)))]
    book.toc = [epub.Link(item.file_name, item.title, f"toc{n}") for n, item in enumerate(order)]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *order]
    epub.write_epub(str(path), book)
    return path


def assert_reads(recognised: str, expected: str) -> None:
    """OCR of a JPEG-compressed scan may garble a letter (``every1``), as any OCR does; what
    matters is that the words come through: nearly the same text, and most words exact."""
    got = " ".join(recognised.split()).lower()
    want = " ".join(expected.split()).lower()
    ratio = difflib.SequenceMatcher(None, got, want).ratio()
    assert ratio >= 0.9, f"OCR read {got!r}, expected {want!r}"
    found = set(got.split())
    missing = [word for word in want.split() if word not in found]
    assert len(missing) <= len(want.split()) // 4, f"OCR missed {missing} in {got!r}"
