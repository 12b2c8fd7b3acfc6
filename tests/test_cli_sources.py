"""`ghostline import`, `ghostline search` and `ghostline reembed` as real subprocesses."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.files import write_pdf
from tests.test_cli import Cli


def test_import_reports_each_file_and_fails_when_one_failed(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    project = cli.json("project", "create", "--title", "Research")["id"]
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "whaling.md").write_text(
        "# Whaling\n\nThe harpooneer Queequeg stood in the bow with his harpoon raised.", encoding="utf-8"
    )
    write_pdf(notes / "log.pdf", ["The ship's log for the month of March, page one."] * 2)
    empty = tmp_path / "empty.txt"
    empty.touch()

    ok = cli("import", str(notes), "--project", project, "--json")
    data = json.loads(ok.stdout)
    assert data["failed"] == 0
    assert sorted((f["file"], f["status"]) for f in data["files"]) == [("log.pdf", "READY"), ("whaling.md", "READY")]

    bad = cli("import", str(empty), str(notes / "whaling.md"), "--project", project, ok=False)
    assert bad.returncode == 1
    assert "REFUSED" in bad.stdout and "empty.txt" in bad.stdout and "DUPLICATE" in bad.stdout

    found = cli.json("search", "harpooneer Queequeg", "--project", project, "--limit", "3")
    top = found["results"][0]
    assert top["source"] == "whaling" and "Queequeg" in top["text"] and top["score"] > 0
    assert {"snippet", "page", "section", "chunk_index"} <= set(top)
    pdf_hit = cli.json("search", "ship's log March", "--project", project)["results"][0]
    assert pdf_hit["source"] == "log" and pdf_hit["page"] == 1

    plain = cli("search", "harpooneer", "--project", project).stdout
    assert "whaling" in plain and "result" in plain

    again = cli.json("reembed", "--project", project)
    assert again["status"] == "COMPLETED"


def test_import_into_a_missing_project_is_a_one_line_error(tmp_path: Path) -> None:
    cli = Cli(tmp_path)
    proc = cli("import", str(tmp_path), "--project", "00000000-0000-0000-0000-000000000000", ok=False)
    assert proc.returncode == 1 and len(proc.stderr.splitlines()) == 1
