"""After real use, the API key and the database password are nowhere they should not be.

The CLI runs in subprocesses exactly as an author would run it — an API key and a database URL
with a password in the environment, a real OpenAI-compatible server (the test server), a real
PostgreSQL — importing a source (embedded through the provider), searching, and failing once with
a refused key. The app's shutdown save is done as the app does it. Then every file in the
settings folder and the data folder (logs included), everything the CLI printed, and every row of
every table in the database are searched for the key and the password (and their distinctive
halves, in case something cut them).

A second round keeps the password where Preferences puts it — the keyring (a file-backed test
backend shared with the subprocess) — with only the bare URL in settings.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ghostline_desktop.config import (
    database_url_with_password,
    load_settings,
    save_settings,
)
from tests.conftest import PgServer
from tests.support import file_keyring
from tests.support.openai_server import OpenAITestServer

REPO = Path(__file__).resolve().parents[1]
API_KEY = "sk-proj-SCANscanSCAN0123456789abcdefXYZ"
DB_PASSWORD = "pw-Zq7-scan-8841-secret"
SOURCE_TEXT = (
    "The lighthouse keeper counted the ships each night. In the winter of the great storm, "
    "a schooner called the Meridian ran aground on the northern rocks, and the keeper rowed out alone."
)


def needles() -> list[str]:
    return [API_KEY, DB_PASSWORD, API_KEY[8:24], DB_PASSWORD[3:15]]


@pytest.fixture
def scan_db(pg: PgServer) -> Iterator[tuple[str, str]]:
    """A fresh migrated database; (its name, its URL with the password put in)."""
    name = pg.create_database()
    url = database_url_with_password(pg.url(name), DB_PASSWORD)
    yield name, url
    pg.drop_database(name)


def cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ghostline_desktop.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env=env,
    )


def base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "GHOSTLINE_"))}
    env.update(
        GHOSTLINE_CONFIG_DIR=str(tmp_path / "config"),
        GHOSTLINE_DATA_DIR=str(tmp_path / "data"),
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND=file_keyring.BACKEND,
        GHOSTLINE_TEST_KEYRING=str(tmp_path / "keyring.json"),
        PYTHONPATH=str(REPO),
    )
    return env


def scan_files(*roots: Path, skip: tuple[Path, ...] = ()) -> list[str]:
    found = []
    for root in roots:
        for path in root.rglob("*") if root.is_dir() else [root]:
            if not path.is_file() or path in skip:
                continue
            data = path.read_bytes()
            found += [f"{path}: {n!r}" for n in needles() if n.encode() in data]
    return found


def scan_database(pg: PgServer, name: str) -> tuple[list[str], int]:
    """Hits, and how many rows were read (so an empty database cannot pass by accident)."""
    found: list[str] = []
    rows = 0
    with psycopg.connect(pg.url(name).replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT quote_ident(table_name) FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        for table in tables:
            for (text,) in conn.execute(f"SELECT t::text FROM {table} t"):
                rows += 1
                found += [f"{table}: {n!r}" for n in needles() if n in text]
    return found, rows


def run_session(env: dict[str, str], tmp_path: Path, server: OpenAITestServer) -> list[str]:
    """Create a project, import a source (embedded by the provider), search, fail once on a refused key."""
    outputs: list[str] = []
    created = cli(["--json", "project", "create", "--title", "Scan test"], env)
    outputs += [created.stdout, created.stderr]
    assert created.returncode == 0, created.stderr
    project_id = json.loads(created.stdout)["id"]
    source = tmp_path / "lighthouse.txt"
    source.write_text(SOURCE_TEXT, encoding="utf-8")
    imported = cli(["import", "--project", project_id, str(source)], env)
    outputs += [imported.stdout, imported.stderr]
    assert imported.returncode == 0, imported.stderr
    searched = cli(["search", "--project", project_id, "schooner aground"], env)
    outputs += [searched.stdout, searched.stderr]
    assert searched.returncode == 0, searched.stderr
    assert server.requests_to("embeddings"), "the provider was never called: nothing was scanned for"
    assert all(r.api_key == API_KEY for r in server.requests_to("embeddings"))
    # The server now refuses the key (echoing it back, as a careless server does): the author sees an
    # error, and neither it nor the log carries the key.
    server.require_api_key = "sk-some-other-key-entirely-000000"
    refused = cli(["search", "--project", project_id, "keeper rowed"], env)
    outputs += [refused.stdout, refused.stderr]
    return outputs


def test_environment_key_and_database_password_leak_nowhere(
    tmp_path: Path, pg: PgServer, scan_db: tuple[str, str], openai_server: OpenAITestServer
) -> None:
    name, url = scan_db
    openai_server.require_api_key = API_KEY
    env = base_env(tmp_path)
    env.update(OPENAI_API_KEY=API_KEY, OPENAI_BASE_URL=openai_server.base_url, GHOSTLINE_DATABASE_URL=url)
    outputs = run_session(env, tmp_path, openai_server)
    # A database that cannot be reached: the error names the server, never the password.
    unreachable = dict(env, GHOSTLINE_DATABASE_URL=url.replace(f"port={pg.info.port}", "port=1"))
    failed = cli(["project", "list"], unreachable)
    assert failed.returncode != 0 and failed.stderr
    outputs += [failed.stdout, failed.stderr]

    # The app's shutdown: load with this environment, save (the app always saves at exit).
    saved_env = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        save_settings(load_settings())
    finally:
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    settings_text = (tmp_path / "config" / "settings.json").read_text()
    assert "sk-proj" not in settings_text and name not in settings_text  # nothing of the environment
    logs = list((tmp_path / "data" / "logs").glob("*.log"))
    assert logs and any("search" in p.read_text() for p in logs)  # the CLI did log its work
    assert scan_files(tmp_path / "config", tmp_path / "data") == []
    assert [n for text in outputs for n in needles() if n in text] == []
    found, rows = scan_database(pg, name)
    assert rows > 5 and found == []
    assert not (tmp_path / "keyring.json").exists()  # an environment secret is never copied into the keyring


def test_keyring_password_and_key_leak_nowhere(
    tmp_path: Path, pg: PgServer, scan_db: tuple[str, str], openai_server: OpenAITestServer, monkeypatch: Any
) -> None:
    """As after Preferences: the key and the database password in the keyring, the bare URL in the file."""
    name, url = scan_db
    openai_server.require_api_key = API_KEY
    env = base_env(tmp_path)
    for key in ("PYTHON_KEYRING_BACKEND", "GHOSTLINE_TEST_KEYRING", "GHOSTLINE_CONFIG_DIR", "GHOSTLINE_DATA_DIR"):
        monkeypatch.setenv(key, env[key])
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "GHOSTLINE_DATABASE_URL"):
        monkeypatch.delenv(key, raising=False)
    import keyring

    from ghostline_desktop import secrets
    from ghostline_desktop.config import AISettings

    previous = keyring.get_keyring()
    keyring.set_keyring(file_keyring.FileKeyring())
    try:
        secrets.set_api_key(API_KEY, secrets.key_account("custom", openai_server.base_url))
        bare = secrets.store_database_password(url)
        settings = load_settings().with_changes(
            database_url=bare, ai=AISettings(preset="custom", base_url=openai_server.base_url)
        )
        save_settings(settings)
    finally:
        keyring.set_keyring(previous)
    assert DB_PASSWORD not in (tmp_path / "config" / "settings.json").read_text()

    outputs = run_session(env, tmp_path, openai_server)
    save_settings(load_settings())  # the app's shutdown save again

    keyring_file = tmp_path / "keyring.json"
    assert scan_files(tmp_path / "config", tmp_path / "data", skip=(keyring_file,)) == []
    assert [n for text in outputs for n in needles() if n in text] == []
    found, rows = scan_database(pg, name)
    assert rows > 5 and found == []
    assert DB_PASSWORD in keyring_file.read_text()  # it is where it belongs
