"""``ghostline voice build|score|show`` as real subprocesses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ghostline_desktop.cli_voice import parse_positions
from ghostline_desktop.core.style_eval import book_body
from ghostline_desktop.core.style_features import split_paragraphs
from ghostline_desktop.errors import ValidationError
from tests.test_cli import Cli, _assert_one_line_error


def _passage(book: Path, skip: int, words: int) -> str:
    out, count, seen = [], 0, 0
    for p in split_paragraphs(book_body(book.read_text(encoding="utf-8"))):
        if p.lower().startswith("chapter"):  # the book's own headings would split our chapters
            continue
        seen += len(p.split())
        if seen <= skip:
            continue
        out.append(p)
        count += len(p.split())
        if count >= words:
            break
    return "\n\n".join(out)


@pytest.fixture
def cli(pg: Any, tmp_path: Path) -> Iterator[Cli]:
    name = pg.create_database()
    yield Cli(tmp_path, pg.url(name))
    pg.drop_database(name)


def test_positions() -> None:
    assert parse_positions("1-5") == [1, 2, 3, 4, 5]
    assert parse_positions("1-3, 7,2") == [1, 2, 3, 7]
    for bad in ("", "x", "3-1", "0-2"):
        with pytest.raises(ValidationError):
            parse_positions(bad)


def test_build_from_files_and_chapters_then_score(cli: Cli, tmp_path: Path, corpus_dir: Path) -> None:
    austen = corpus_dir / "austen-pride-and-prejudice.txt"
    chapters = "\n\n".join(f"## Chapter {i + 1}\n\n{_passage(austen, 10_000 + i * 2000, 2000)}" for i in range(4))
    book = tmp_path / "book.md"
    book.write_text(chapters, encoding="utf-8")
    project = cli.json("project", "import-manuscript", str(book), "--title", "Voice CLI")["project_id"]

    built = cli.json("voice", "build", "--project", project, "--from-chapters", "1-4")
    assert built["words"] >= 7000 and built["built_from"]["chapters"] == 4
    assert set(built["score_range"]) == {"low", "mean", "std"}
    assert built["rescore"].startswith("Scored ")

    mine = tmp_path / "mine.txt"
    mine.write_text(_passage(austen, 50_000, 2000), encoding="utf-8")
    other = tmp_path / "other.txt"
    other.write_text(_passage(corpus_dir / "doyle-adventures-of-sherlock-holmes.txt", 30_000, 2000), encoding="utf-8")
    a = cli.json("voice", "score", "--project", project, str(mine))
    b = cli.json("voice", "score", "--project", project, str(other))
    assert a["score"] > 0.6 > b["score"]
    assert b["reasons"] and "sentence_length" in b["z"] and "sentence_length" in b["values"]
    text = cli("voice", "score", "--project", project, str(other)).stdout
    assert text.startswith("Voice match ") and "below your usual range" in text
    # A word or two says nothing about a voice (it scored 100% "close on every measure").
    short = tmp_path / "short.txt"
    short.write_text("Tiny.", encoding="utf-8")
    assert cli.json("voice", "score", "--project", project, str(short))["score"] is None
    text = cli("voice", "score", "--project", project, str(short)).stdout
    assert text.startswith("Voice match — (1 word)") and "too short to compare" in text

    files = cli.json("voice", "build", "--project", project, "--from-file", str(book), "--name", "From file")
    assert files["name"] == "From file" and files["built_from"]["pasted_words"] >= 7000
    shown = cli("voice", "show", "--project", project).stdout
    assert "From file" in shown and "Sentences average" in shown


def test_too_little_text_is_one_clear_line(cli: Cli, tmp_path: Path) -> None:
    project = cli.json("project", "create", "--title", "Short")["id"]
    f = tmp_path / "short.txt"
    f.write_text("Just a few words of my own.", encoding="utf-8")
    _assert_one_line_error(
        cli("voice", "build", "--project", project, "--from-file", str(f), ok=False), "at least 3,000 words"
    )
    _assert_one_line_error(cli("voice", "score", "--project", project, str(f), ok=False), "no voice profile")
