"""Word documents: headings as sections, tables, footnotes, and the files Word users really have."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
import pytest

from ghostline_desktop.ingest import ExtractionError, extract
from ghostline_desktop.ingest.files import MAX_ENTRIES
from tests.ingest.makers import add_footnotes, rewrite_zip, zip_bomb_docx


def _manuscript(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("Notes for the novel", style="Title")
    document.add_paragraph("Written on the ferry.")
    document.add_heading("The Harbour", level=1)
    document.add_paragraph("Grey water slapped the pilings.")
    document.add_paragraph("Gulls argued over the nets.")
    document.add_heading("Characters", level=2)
    table = document.add_table(rows=3, cols=2)
    for row, (name, role) in zip(table.rows, [("Name", "Role"), ("Ada", "keeper"), ("Tom", "ferryman")], strict=True):
        row.cells[0].text = name
        row.cells[1].text = role
    document.add_paragraph("After the table, the storm.")
    document.save(str(path))
    return path


def test_paragraphs_headings_and_tables(tmp_path: Path) -> None:
    result = extract(str(_manuscript(tmp_path / "notes.docx")), "DOCX")
    sections = [(segment.section, segment.text) for segment in result.segments]
    assert sections == [
        ("Notes for the novel", "Notes for the novel\n\nWritten on the ferry."),
        ("The Harbour", "The Harbour\n\nGrey water slapped the pilings.\n\nGulls argued over the nets."),
        ("Characters", "Characters\n\nName\tRole\nAda\tkeeper\nTom\tferryman\n\nAfter the table, the storm."),
    ]


def test_footnotes_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "footnoted.docx"
    document = docx.Document()
    document.add_heading("Sources", level=1)
    document.add_paragraph("The lighthouse was built in 1821.")
    document.save(str(path))
    add_footnotes(path, {1: "Harbour board minutes, vol. 3.", 2: "Letter from the keeper's widow."}, "1821.")

    result = extract(str(path), "DOCX")
    assert result.segments[0].text == "Sources\n\nThe lighthouse was built in 1821.[1][2]"
    assert result.segments[-1].section == "Footnotes"
    assert result.segments[-1].text == "[1] Harbour board minutes, vol. 3.\n[2] Letter from the keeper's widow."
    assert result.metadata["footnotes"] == 2


def test_word_file_without_a_styles_part(tmp_path: Path) -> None:
    """Files written by other tools often lack word/styles.xml; headings still become sections."""
    path = _manuscript(tmp_path / "bare.docx")
    with zipfile.ZipFile(path) as archive:
        rels = archive.read("word/_rels/document.xml.rels").decode()
        types = archive.read("[Content_Types].xml").decode()
    rels = re.sub(r'<Relationship [^>]*Target="styles.xml"/>', "", rels)
    types = re.sub(r'<Override PartName="/word/styles.xml"[^>]*/>', "", types)
    rewrite_zip(
        path,
        drop=("word/styles.xml",),
        add={"word/_rels/document.xml.rels": rels.encode(), "[Content_Types].xml": types.encode()},
    )
    result = extract(str(path), "DOCX")
    assert [segment.section for segment in result.segments] == ["Notes for the novel", "The Harbour", "Characters"]
    assert "Tom\tferryman" in result.text


def test_word_file_linking_to_a_missing_part(tmp_path: Path) -> None:
    """styles.xml deleted but still linked (as careless tools leave it): read anyway."""
    path = _manuscript(tmp_path / "dangling.docx")
    rewrite_zip(path, drop=("word/styles.xml",))
    with zipfile.ZipFile(path) as archive:
        assert "word/styles.xml" not in archive.namelist()
        assert b"styles.xml" in archive.read("word/_rels/document.xml.rels")
    result = extract(str(path), "DOCX")
    assert [segment.section for segment in result.segments] == ["Notes for the novel", "The Harbour", "Characters"]


def test_tracked_insertions_and_content_controls_are_read(tmp_path: Path) -> None:
    """python-docx's own Paragraph.text skips runs inside <w:ins> and <w:sdt>; authors' text is there."""
    path = tmp_path / "tracked.docx"
    document = docx.Document()
    document.add_paragraph("Kept text.")
    document.save(str(path))
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode()
    extra = (
        '<w:p><w:r><w:t xml:space="preserve">Before </w:t></w:r>'
        '<w:ins w:id="1" w:author="Ed" w:date="2026-01-01T00:00:00Z"><w:r><w:t>inserted</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="Ed" w:date="2026-01-01T00:00:00Z"><w:r><w:delText>deleted</w:delText></w:r></w:del>'
        "</w:p>"
        "<w:sdt><w:sdtPr/><w:sdtContent>"
        "<w:p><w:r><w:t>Inside a content control.</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"
    )
    xml = xml.replace("<w:sectPr", extra + "<w:sectPr", 1)
    rewrite_zip(path, add={"word/document.xml": xml.encode()})

    text = extract(str(path), "DOCX").text
    assert text == "Kept text.\n\nBefore inserted\n\nInside a content control."


def test_macro_enabled_document_is_read(tmp_path: Path) -> None:
    path = _manuscript(tmp_path / "macros.docm")
    with zipfile.ZipFile(path) as archive:
        types = archive.read("[Content_Types].xml").decode()
    types = types.replace(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
    )
    rewrite_zip(path, add={"[Content_Types].xml": types.encode()})
    assert "The Harbour" in [segment.section for segment in extract(str(path), "DOCX").segments]


def test_docx_that_is_not_a_zip(tmp_path: Path) -> None:
    fake = tmp_path / "letter.docx"
    fake.write_text("Dear editor, this was saved as text with the wrong name.")
    with pytest.raises(ExtractionError) as failed:
        extract(str(fake), "DOCX")
    assert failed.value.code == "corrupt"
    assert str(failed.value) == "The file is not a Word document (it is not a ZIP container)."


def test_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    path = tmp_path / "photos.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("holiday.txt", "not a document")
    with pytest.raises(ExtractionError, match="not a Word document") as failed:
        extract(str(path), "DOCX")
    assert failed.value.code == "corrupt"


def test_damaged_document_xml(tmp_path: Path) -> None:
    path = _manuscript(tmp_path / "damaged.docx")
    rewrite_zip(path, add={"word/document.xml": b"<w:document><w:body><w:p>"})
    with pytest.raises(ExtractionError, match="damaged Word document") as failed:
        extract(str(path), "DOCX")
    assert failed.value.code == "corrupt"


def test_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    good = _manuscript(tmp_path / "good.docx")
    bomb = zip_bomb_docx(good, tmp_path / "bomb.docx", gigabytes=1.0)
    assert bomb.stat().st_size < 8 * 1024 * 1024  # small on disk, 1 GB inside
    with pytest.raises(ExtractionError) as failed:
        extract(str(bomb), "DOCX")
    assert failed.value.code == "zip_bomb"
    assert "zip bomb" in str(failed.value)


def test_zip_with_too_many_parts_is_refused(tmp_path: Path) -> None:
    path = _manuscript(tmp_path / "many.docx")
    with zipfile.ZipFile(path, "a") as archive:
        for index in range(MAX_ENTRIES + 1):
            archive.writestr(f"extra/part{index}.xml", b"")
    with pytest.raises(ExtractionError) as failed:
        extract(str(path), "DOCX")
    assert failed.value.code == "zip_bomb"


def test_empty_word_document_has_no_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    with pytest.raises(ExtractionError) as failed:
        extract(str(path), "DOCX")
    assert failed.value.code == "no_text"
