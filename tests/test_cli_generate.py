"""``ghostline generate outline|chapter|revise`` as real subprocesses against the OpenAI test
server (configured only through OPENAI_BASE_URL / OPENAI_API_KEY, as a user would)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.openai_fixture import TEST_API_KEY
from tests.support.openai_server import OpenAITestServer
from tests.test_cli import Cli

pytestmark = pytest.mark.timeout(300)

BOOK = (
    "# Harbour Lights\n\n"
    "## The Keeper\n\nGrandfather climbed the steps every night.\n\n"
    "## Herring Town\n\nThe boats went out before dawn.\n\n"
    "## Letters\n\nPatrick wrote from Boston.\n"
)
NOTES = (
    "My grandfather kept the lighthouse at Skerry Point for thirty years. In the storm of 1953 he kept "
    "the lamp burning for three days. The harbour town of Kilrush lived on herring."
)
OUTLINE = {
    "title": "Harbour Lights",
    "parts": [{"title": "One", "chapters": [{"title": "The Keeper", "scenes": ["The storm"]}, {"title": "Kilrush"}]}],
}


@pytest.fixture
def cli(pg: Any, tmp_path: Path, openai_server: OpenAITestServer) -> Iterator[Cli]:
    name = pg.create_database()
    c = Cli(tmp_path, pg.url(name))
    c.env["OPENAI_BASE_URL"] = openai_server.base_url
    c.env["OPENAI_API_KEY"] = TEST_API_KEY
    openai_server.require_api_key = TEST_API_KEY
    yield c
    pg.drop_database(name)


@pytest.fixture
def project(cli: Cli, tmp_path: Path) -> str:
    book = tmp_path / "harbour.md"
    book.write_text(BOOK, encoding="utf-8")
    project_id = str(cli.json("project", "import-manuscript", str(book))["project_id"])
    notes = tmp_path / "skerry-notes.txt"
    notes.write_text(NOTES, encoding="utf-8")
    imported = cli.json("import", str(notes), "--project", project_id)
    assert "skerry" in json.dumps(imported).lower()
    return project_id


def test_generate_outline_json(cli: Cli, project: str, openai_server: OpenAITestServer) -> None:
    openai_server.queue_reply(OUTLINE, prompt_tokens=300, completion_tokens=40)
    out = cli.json("generate", "outline", "--project", project)
    assert (out["status"], out["agent"], out["total_tokens"]) == ("COMPLETED", "outline_generation", 340)
    assert out["outline"]["status"] == "DRAFT" and out["outline"]["title"] == "Harbour Lights"
    assert [c["title"] for c in out["outline"]["structure"]["parts"][0]["chapters"]] == ["The Keeper", "Kilrush"]
    # Plain output: the message, the tree, the tokens.
    openai_server.queue_reply(OUTLINE, prompt_tokens=300, completion_tokens=40)
    text = cli("generate", "outline", "--project", project).stdout.splitlines()
    assert text[0].startswith("Outline version ") and "  - The Keeper (1 scenes)" in text
    assert text[-1] == "Tokens: 300 prompt + 40 completion = 340 (gpt-4o-mini)"


def test_generate_chapter_streams_and_revise(cli: Cli, project: str, openai_server: OpenAITestServer) -> None:
    openai_server.queue_reply("Grandfather wrote the summary.")  # summary of chapter 1
    openai_server.queue_reply("The herring boats went out in the dark.", prompt_tokens=500, completion_tokens=9)
    proc = cli("generate", "chapter", "--project", project, "--chapter", "2", "--stream")
    lines = proc.stdout.splitlines()
    assert lines[0] == "The herring boats went out in the dark."  # streamed text first
    assert "Revision 2 written" in proc.stdout and "Drawn from: skerry-notes" in proc.stdout
    shown = cli.json("chapter", "show", "2", "--project", project)
    assert shown["content"] == "The herring boats went out in the dark."

    openai_server.queue_reply("The herring boats went out in the cold dark.")
    revision_id = cli.json("generate", "chapter", "--project", project, "--chapter", "2")["revision"]["id"]
    openai_server.queue_reply("The boats went out. It was cold.")
    out = cli.json("generate", "revise", "--revision", revision_id, "--feedback", "Shorter sentences.")
    assert out["status"] == "COMPLETED" and out["revision"]["source"] == "AI_REVISION"
    assert out["revision"]["revision"] == 4 and not out["revision"]["incomplete"]


def test_generate_chapter_stream_json_lines(cli: Cli, project: str, openai_server: OpenAITestServer) -> None:
    openai_server.queue_reply("Only a few words here.")
    proc = cli("generate", "chapter", "--project", project, "--chapter", "1", "--stream", "--json")
    first, *rest = proc.stdout.split("\n{\n", 1)[0].splitlines()
    deltas = [json.loads(line)["delta"] for line in [first, *rest]]
    assert "".join(deltas) == "Only a few words here."
    result = json.loads("{\n" + proc.stdout.split("\n{\n", 1)[1])
    assert result["status"] == "COMPLETED" and result["revision"]["revision"] == 2


def test_failed_task_exits_non_zero_and_keeps_the_partial(
    cli: Cli, project: str, openai_server: OpenAITestServer
) -> None:
    openai_server.fail("chat", "cut_stream", after_chunks=3)
    openai_server.queue_reply("One two three four five six.")
    proc = cli("generate", "chapter", "--project", project, "--chapter", "1", "--json", ok=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "ghostline: The AI provider's reply broke off midway. The text that arrived is kept as revision 2, "
        "marked incomplete."
    )
    out = json.loads(proc.stdout)
    assert out["status"] == "FAILED" and out["revision"]["incomplete"] and out["total_tokens"] == 0
    assert cli.json("chapter", "show", "1", "--project", project)["content"] == "One two three "


def test_bad_key_and_no_such_chapter(cli: Cli, project: str, openai_server: OpenAITestServer) -> None:
    openai_server.fail("chat", "bad_key")
    proc = cli("generate", "chapter", "--project", project, "--chapter", "1", ok=False)
    assert proc.returncode == 1 and "refused the API key" in proc.stderr and TEST_API_KEY not in proc.stderr
    proc = cli("generate", "chapter", "--project", project, "--chapter", "9", ok=False)
    assert proc.returncode == 1 and proc.stderr.strip() == "ghostline: There is no chapter 9; the book has 3."


def test_preview_sends_nothing(cli: Cli, project: str, openai_server: OpenAITestServer) -> None:
    out = cli.json("generate", "chapter", "--project", project, "--chapter", "2", "--preview")
    assert out["agent"] == "CHAPTER_GENERATION" and out["estimate"] > 0
    assert out["passages"][0]["source_title"] == "skerry-notes" and "Herring Town" in out["instructions"]
    assert out["note"] is not None  # chapter 1's summary is made first when drafting
    text = cli("generate", "outline", "--project", project, "--preview").stdout
    assert "nothing was sent" in text.splitlines()[0] and "## System" in text
    assert openai_server.requests_to("chat") == []


def test_offline_says_what_to_configure(cli: Cli, project: str) -> None:
    del cli.env["OPENAI_BASE_URL"], cli.env["OPENAI_API_KEY"]
    proc = cli("generate", "outline", "--project", project, ok=False)
    assert proc.returncode == 1 and "No AI provider is configured" in proc.stderr and proc.stdout == ""
