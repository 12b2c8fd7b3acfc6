"""The `ghostline` command line, run as a real subprocess against real databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from sqlalchemy.engine import make_url

from ghostline_desktop.db import migrate
from tests.db import support
from tests.db.support import give_database_to

limited_role = support.limited_role  # fixtures shared with tests/db
server_dir = support.server_dir


def all_revisions() -> list[str]:
    """Every migration, oldest first (the chain is linear)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(Config(str(Path(__file__).resolve().parents[1] / "alembic.ini")))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


class Cli:
    def __init__(self, home: Path, database_url: str | None = None) -> None:
        self.home = home
        self.env = {k: v for k, v in os.environ.items() if k != "GHOSTLINE_DATABASE_URL"}
        self.env["GHOSTLINE_DATA_DIR"] = str(home / "data")
        self.env["GHOSTLINE_CONFIG_DIR"] = str(home / "config")
        if database_url:
            self.env["GHOSTLINE_DATABASE_URL"] = database_url

    def __call__(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "ghostline_desktop.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if ok:
            assert proc.returncode == 0, proc.stderr
            assert proc.stderr == "", proc.stderr
        return proc

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)

    @property
    def log_file(self) -> Path:
        return self.home / "data" / "logs" / "ghostline-cli.log"


def _assert_one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


@pytest.fixture
def empty_db(pg: Any) -> Iterator[str]:
    name = pg.create_database(template=None)
    yield pg.url(name)
    pg.drop_database(name)


def test_embedded_default(server_dir: Path) -> None:
    cli = Cli(server_dir)
    status = cli.json("db", "status")
    assert status["embedded"] is True and status["current"] is None  # `db` commands never auto-migrate
    assert status["pending"] == all_revisions()

    created = cli.json("project", "create", "--title", "Embedded book", "--genre", "fantasy", "--target-words", "1000")
    assert uuid.UUID(created["id"]) and created["genre"] == "FANTASY" and created["target_word_count"] == 1000

    listed = cli("project", "list")  # human output
    assert created["id"] in listed.stdout and "Embedded book" in listed.stdout
    assert cli.json("db", "status")["up_to_date"] is True

    pgdata = str((server_dir / "data" / "pgdata").resolve())
    assert not [
        p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] and pgdata in " ".join(p.info["cmdline"])
    ], "the CLI left the embedded server running"


def test_external_url_project_commands(tmp_path: Path, empty_db: str) -> None:
    # The socket form people paste: postgresql://user@/db?host=/socket/dir&port=…
    cli = Cli(tmp_path, empty_db.replace("postgresql+psycopg://", "postgresql://"))
    created = cli.json("project", "create", "--title", "External book")
    pid = created["id"]
    assert migrate.status(empty_db).up_to_date  # project commands migrate a fresh server first

    fork = cli.json("project", "fork", pid, "--title", "External book, 2nd ed.")
    assert fork["forked_from_project_id"] == pid and fork["edition"] == 2 and fork["id"] != pid

    assert cli.json("project", "rename", pid, "--title", "Renamed")["title"] == "Renamed"
    assert cli.json("project", "archive", pid)["archived"] is True
    assert [p["id"] for p in cli.json("project", "list")] == [fork["id"]]
    assert {p["id"] for p in cli.json("project", "list", "--all")} == {pid, fork["id"]}
    assert cli.json("project", "restore", pid)["archived"] is False

    deleted = cli.json("project", "delete", pid)
    assert deleted == {"id": pid, "title": "Renamed", "deleted": True}
    remaining = cli.json("project", "list")
    assert [p["id"] for p in remaining] == [fork["id"]] and remaining[0]["forked_from_project_id"] is None

    missing = cli("project", "delete", pid, ok=False)
    assert missing.returncode == 1
    _assert_one_line_error(missing, "no longer exists")


def test_db_downgrade_and_upgrade(tmp_path: Path, empty_db: str) -> None:
    cli = Cli(tmp_path, empty_db)
    up = cli.json("db", "upgrade")
    assert up["previous"] is None and up["current"] == migrate.heads() and up["applied"] == all_revisions()
    down = cli.json("--json", "db", "downgrade", "base")  # --json accepted before the command too
    assert down["previous"] == migrate.heads() and down["current"] is None and not down["up_to_date"]
    assert "base" in cli("db", "status").stdout

    bad = cli("db", "downgrade", "no-such-revision", ok=False)
    _assert_one_line_error(bad, "no-such-revision")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["project", "fork", "not-an-id", "--title", "x"], "not a project id"),
        (["project", "create", "--title", "x", "--genre", "space opera"], "not a genre"),
        (["project", "create", "--title", "   "], "needs a title"),
        (["project", "rename", str(uuid.UUID(int=1)), "--title", "x"], "no longer exists"),
        (["screenshot", "out.png", "--size", "big"], "not a size"),
    ],
)
def test_typed_errors_are_one_line(tmp_path: Path, empty_db: str, args: list[str], needle: str) -> None:
    proc = Cli(tmp_path, empty_db)(*args, ok=False)
    assert proc.returncode == 1
    _assert_one_line_error(proc, "ghostline:", needle)


def test_bad_database_url_is_one_line(tmp_path: Path) -> None:
    proc = Cli(tmp_path, "mysql://root@localhost/db")("project", "list", ok=False)
    _assert_one_line_error(proc, "not a PostgreSQL URL")


def test_unreachable_server_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql://postgres@/ghostline?host={tmp_path / 'no-socket-here'}&port=5432"
    proc = Cli(tmp_path, url)("db", "status", ok=False)
    _assert_one_line_error(proc, "Could not connect")


def test_usage_error_exits_2(tmp_path: Path) -> None:
    proc = Cli(tmp_path)("project", "create", ok=False)  # --title missing
    assert proc.returncode == 2 and "--title" in proc.stderr


def test_missing_pgvector_permission_names_what_to_do(
    tmp_path: Path, pg: Any, empty_db: str, limited_role: str
) -> None:
    """A role that may not CREATE EXTENSION vector on a fresh database: a clear, typed error."""
    give_database_to(pg, str(make_url(empty_db).database), limited_role)
    url = empty_db.replace("postgres@", f"{limited_role}@")
    proc = Cli(tmp_path, url)("project", "list", ok=False)
    line = _assert_one_line_error(proc, "vector")
    assert "CREATE EXTENSION vector" in line and "pgvector" in line


def test_unexpected_error_logs_traceback(tmp_path: Path, pg: Any, db_url: str, limited_role: str) -> None:
    """Permission denied on the tables is not a case we type: one line, traceback in the log."""
    cli = Cli(tmp_path, db_url.replace("postgres@", f"{limited_role}@"))
    proc = cli("project", "list", ok=False)
    line = _assert_one_line_error(proc, "unexpected error", "permission denied", str(cli.log_file))
    assert proc.returncode == 3, line
    assert "Traceback (most recent call last)" in cli.log_file.read_text()


def test_demo_then_fork_and_screenshot(tmp_path: Path, empty_db: str) -> None:
    cli = Cli(tmp_path, empty_db)
    demo = cli.json("demo")
    assert uuid.UUID(demo["id"]) and demo["chapter_count"] > 0 and demo["source_count"] > 0
    fork = cli.json("project", "fork", demo["id"], "--title", "Demo, 2nd ed.")
    assert (fork["chapter_count"], fork["source_count"], fork["word_count"]) == (
        demo["chapter_count"],
        demo["source_count"],
        demo["word_count"],
    )

    out = tmp_path / "shot.png"
    proc = cli(
        "screenshot", str(out), "--project", demo["id"], "--size", "1200x800", "--theme", "dark", "--json", ok=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # Qt's offscreen-plugin chatter goes to the log, not the terminal
    assert json.loads(proc.stdout)["path"] == str(out)
    header = out.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
    assert (width, height) in {(1200, 800), (2400, 1600)}  # 2x on a high-dpi screen
