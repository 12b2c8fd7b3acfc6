"""``ghostline project import-manuscript`` and ``ghostline chapter …`` as real subprocesses."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli import Cli, _assert_one_line_error

BOOK = (
    "# My Book\n\n"
    "## Chapter 1\n\nThe first chapter begins here. It has two sentences.\n\n"
    "## Chapter 2\n\nThe second chapter is short.\n\nIt has two paragraphs.\n\n"
    "## Chapter 3\n\nThe end of the story.\n"
)


@pytest.fixture
def cli(pg: Any, tmp_path: Path) -> Iterator[Cli]:
    name = pg.create_database()  # migrated, from the template
    yield Cli(tmp_path, pg.url(name))
    pg.drop_database(name)


@pytest.fixture
def imported(cli: Cli, tmp_path: Path) -> dict[str, Any]:
    book = tmp_path / "my-book.md"
    book.write_text(BOOK, encoding="utf-8")
    return dict(cli.json("project", "import-manuscript", str(book), "--title", "Imported Book", "--target-words", "50"))


def test_import_manuscript_prints_the_project_and_chapters(cli: Cli, tmp_path: Path) -> None:
    book = tmp_path / "my-book.md"
    book.write_text(BOOK, encoding="utf-8")
    out = cli("project", "import-manuscript", str(book), "--title", "Plain Output").stdout
    first, *rest = out.splitlines()
    assert first.startswith("Imported my-book.md as project ") and "Plain Output (3 chapters, 23 words)" in first
    assert rest[:3] == ["   1. Chapter 1 (9 words)", "   2. Chapter 2 (9 words)", "   3. Chapter 3 (5 words)"]


def test_import_json_and_chapter_list(cli: Cli, imported: dict[str, Any]) -> None:
    assert imported["title"] == "Imported Book" and imported["format"] == "MARKDOWN"
    assert [(c["position"], c["title"], c["words"]) for c in imported["chapters"]] == [
        (1, "Chapter 1", 9),
        (2, "Chapter 2", 9),
        (3, "Chapter 3", 5),
    ]
    listed = cli.json("chapter", "list", "--project", imported["project_id"])
    assert (listed["words"], listed["target_words"]) == (23, 50)
    assert [(c["title"], c["status"], c["revisions"], c["in_outline"]) for c in listed["chapters"]] == [
        ("Chapter 1", "DRAFT", 1, True),
        ("Chapter 2", "DRAFT", 1, True),
        ("Chapter 3", "DRAFT", 1, True),
    ]
    text = cli("chapter", "list", "--project", imported["project_id"]).stdout
    assert text.splitlines()[0] == "3 chapter(s), 23 of 50 words"


def test_show_save_revision_and_diff(cli: Cli, imported: dict[str, Any], tmp_path: Path) -> None:
    project = imported["project_id"]
    shown = cli.json("chapter", "show", "2", "--project", project)
    assert shown["content"] == "The second chapter is short.\n\nIt has two paragraphs."
    assert [(h["revision"], h["origin"], h["working"]) for h in shown["history"]] == [(1, "IMPORT", False)]
    assert cli("chapter", "show", "2", "--project", project).stdout.startswith("# Chapter 2 (revision 1, draft)")

    edited = tmp_path / "edited.md"
    edited.write_text("The second chapter is rather long.\n\nIt has two paragraphs.\n\nA new one.", encoding="utf-8")
    saved = cli.json("chapter", "save-revision", "2", "--project", project, "--file", str(edited), "--note", "longer")
    assert (saved["revision"], saved["revision_made"], saved["revisions"]) == (2, True, 2)
    again = cli("chapter", "save-revision", "2", "--project", project).stdout
    assert "unchanged since revision 2" in again

    diff = cli("chapter", "diff", "2", "--project", project).stdout.splitlines()
    assert diff[0] == "'Chapter 2': revision 1 → 2"
    assert "~ The second chapter is [-short-]{+rather long+}." in diff
    assert "+ A new one." in diff
    assert diff[-1] == "+5 / -1 words; paragraphs: 1 changed, 1 added, 0 removed, 0 moved"
    as_json = cli.json("chapter", "diff", "2", "--project", project, "--from", "1", "--to", "2")
    assert as_json["summary"]["words_added"] == 5 and as_json["from"] == 1 and as_json["ops"]
    same = cli("chapter", "diff", "2", "--project", project, "--from", "2", "--to", "2").stdout
    assert same.strip() == "'Chapter 2': revision 2 → 2: no differences"

    # Standard input works for scripts.
    proc = subprocess.run(
        [sys.executable, "-m", "ghostline_desktop.cli", "chapter", "save-revision", "3", "--project", project,
         "--file", "-", "--json"],
        input="Piped text.", env=cli.env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert cli.json("chapter", "show", "3", "--project", project)["content"] == "Piped text."


def test_errors_are_one_readable_line(cli: Cli, imported: dict[str, Any], tmp_path: Path) -> None:
    project = imported["project_id"]
    _assert_one_line_error(cli("chapter", "show", "9", "--project", project, ok=False), "no chapter 9", "has 3")
    _assert_one_line_error(cli("chapter", "list", "--project", "nope", ok=False), "not a project id")
    _assert_one_line_error(
        cli("chapter", "diff", "1", "--project", project, "--from", "1", "--to", "7", ok=False), "Revision 7"
    )
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    _assert_one_line_error(cli("project", "import-manuscript", str(pdf), ok=False), "book.pdf", "DOCX")
