"""``ghostline export`` as a real subprocess: formats, chapter ranges, the QA gate."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli import Cli, _assert_one_line_error

BOOK = (
    "# My Book\n\n"
    "## Chapter 1\n\nThe first chapter begins *here*. It has two sentences.\n\n"
    "## Chapter 2\n\nThe second chapter is short.\n\n* * *\n\nIt has a scene break.\n\n"
    "## Chapter 3\n\nThe end of the story.\n"
)


@pytest.fixture
def cli(pg: Any, tmp_path: Path) -> Iterator[Cli]:
    name = pg.create_database()
    yield Cli(tmp_path, pg.url(name))
    pg.drop_database(name)


@pytest.fixture
def project_id(cli: Cli, tmp_path: Path) -> str:
    book = tmp_path / "my-book.md"
    book.write_text(BOOK, encoding="utf-8")
    return str(cli.json("project", "import-manuscript", str(book), "--title", "Exported Book")["project_id"])


def test_export_epub_and_docx_with_a_chapter_range(cli: Cli, project_id: str, tmp_path: Path) -> None:
    import docx
    from ebooklib import ITEM_DOCUMENT, epub

    out = tmp_path / "book.epub"
    data = cli.json("export", "--project", project_id, "--format", "epub", "-o", str(out), "--author", "Ada")
    assert (data["format"], data["version"], data["chapters"]) == ("EPUB", 1, 3)
    book = epub.read_epub(str(out))
    assert len([i for i in book.get_items_of_type(ITEM_DOCUMENT) if i.file_name.startswith("chapter-")]) == 3
    again = cli.json("export", "--project", project_id, "--format", "epub", "-o", str(out))
    assert again["version"] == 2

    out = tmp_path / "part.docx"
    text = cli("export", "--project", project_id, "--format", "docx", "-o", str(out), "--chapters", "2-3").stdout
    assert text.startswith(f"Wrote {out}") and "2 chapters" in text
    d = docx.Document(io.BytesIO(out.read_bytes()))
    assert [p.text for p in d.paragraphs if p.style is not None and p.style.name == "Heading 1"] == [
        "Chapter 2",
        "Chapter 3",
    ]


def test_export_errors_are_one_line(cli: Cli, project_id: str, tmp_path: Path) -> None:
    proc = cli(
        "export", "--project", project_id, "--format", "md", "-o", str(tmp_path / "x.md"), "--chapters", "2-9", ok=False
    )
    _assert_one_line_error(proc, "do not exist", "3 chapters")


def test_blocking_findings_refuse_the_export_and_are_listed(cli: Cli, tmp_path: Path) -> None:
    book = tmp_path / "tk.md"
    book.write_text("# TK Book\n\n## Chapter 1\n\nThe ferry left at TK o'clock.\n", encoding="utf-8")
    project_id = str(cli.json("project", "import-manuscript", str(book))["project_id"])
    cli("qa", "run", "--project", project_id, "--no-facts", ok=False)  # exit 1: blocking findings open
    out = tmp_path / "tk.pdf"
    proc = cli("export", "--project", project_id, "--format", "pdf", "-o", str(out), ok=False)
    assert proc.returncode == 1 and not out.exists()
    assert (
        "must be resolved or waived before exporting" in proc.stdout and "[HIGH]" in proc.stdout and "TK" in proc.stdout
    )
