"""``ghostline qa run`` / ``qa list`` as real subprocesses: exit status 1 while blocking findings are open."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli import Cli, _assert_one_line_error

BOOK = "# QA Book\n\n## Chapter 1\n\nAnna took the ferry at dawn. TK\n\n## Chapter 2\n\nBen waited on the quay.\n"


@pytest.fixture
def cli(pg: Any, tmp_path: Path) -> Iterator[Cli]:
    name = pg.create_database()
    yield Cli(tmp_path, pg.url(name))
    pg.drop_database(name)


def test_qa_run_and_list(cli: Cli, tmp_path: Path) -> None:
    book = tmp_path / "qa-book.md"
    book.write_text(BOOK, encoding="utf-8")
    project = cli.json("project", "import-manuscript", str(book))["project_id"]

    proc = cli("qa", "run", "--project", project, "--json", ok=False)
    assert proc.returncode == 1, proc.stderr  # a blocking placeholder is open
    data = json.loads(proc.stdout)
    assert data["scope"] == "book" and data["chapters"] == 2 and data["open_blocking"] >= 1
    (tk,) = [f for f in data["findings"] if f["type"] == "MISSING_CONTENT"]
    assert (tk["chapter"], tk["blocking"], tk["status"]) == ("Chapter 1", True, "OPEN")
    assert tk["end"] - tk["start"] == 2

    proc = cli("qa", "run", "--project", project, ok=False)
    assert proc.returncode == 1
    assert proc.stdout.startswith("QA of the book in ") and "BLOCKING" in proc.stdout

    listed = cli.json("qa", "list", "--project", project)
    assert tk["id"] in {f["id"] for f in listed}
    assert cli.json("qa", "list", "--project", project, "--status", "waived") == []
    assert "finding(s)" in cli("qa", "list", "--project", project, "--status", "all").stdout

    # The author removes the placeholder: the next run resolves it and exits 0 (if no other check blocks).
    text = tmp_path / "fixed.txt"
    text.write_text("Anna took the ferry at dawn.\n", encoding="utf-8")
    cli("chapter", "save-revision", "1", "--project", project, "--file", str(text))
    proc = cli("qa", "run", "--project", project, "--chapter", "1", "--json", ok=False)
    data = json.loads(proc.stdout)
    assert data["auto_resolved"] >= 1 and data["scope"] == "Chapter 1"
    assert proc.returncode == (1 if data["open_blocking"] else 0)
    resolved = cli.json("qa", "list", "--project", project, "--status", "RESOLVED")
    assert [f["resolution_note"] for f in resolved if f["id"] == tk["id"]] == ["fixed: no longer found"]


def test_qa_errors_are_one_line(cli: Cli) -> None:
    _assert_one_line_error(cli("qa", "run", "--project", "not-a-uuid", ok=False), "not-a-uuid")
    _assert_one_line_error(cli("qa", "list", "--project", "00000000-0000-0000-0000-000000000000", ok=False), "project")
