"""Start the real app (`python main.py`) as a subprocess over its own embedded database:
it reopens the last project, quits cleanly, and leaves no PostgreSQL running behind it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import psutil
import pytest

from ghostline_desktop.config import Settings, save_settings
from ghostline_desktop.db.bootstrap import prepare_database
from ghostline_desktop.db.database import Database
from ghostline_desktop.runtime.loop import ServiceLoop
from ghostline_desktop.services.container import Services
from ghostline_desktop.storage.local import LocalStore

REPO = Path(__file__).resolve().parents[2]


def _postgres_for(pgdata: Path) -> list[int]:
    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            cmd = " ".join(proc.info["cmdline"] or [])
        except (psutil.Error, TypeError):
            continue
        if "postgres" in cmd and str(pgdata) in cmd:
            found.append(proc.info["pid"])
    return found


def _seed(settings: Settings) -> tuple[str, str]:
    """Create a project with a chapter the way a previous session would have, then stop everything."""
    prepared = prepare_database(settings)
    loop = ServiceLoop("e2e-seed").start()
    try:
        services = Services.build(Database(prepared.url), LocalStore(settings.storage_dir))
        user = loop.run(services.accounts.ensure_local_user(), 60)
        project = loop.run(services.projects.create(user.id, "E2E Book"), 60)
        loop.run(services.chapters.create(project.id, "Chapter one", content="It begins."), 60)
        loop.run(services.close(), 60)
    finally:
        loop.stop()
        prepared.release()
    save_settings(settings.with_changes(last_project_id=str(project.id), recent_project_ids=(str(project.id),)))
    return str(project.id), project.title


@pytest.mark.slow
def test_app_starts_reopens_project_and_stops_its_server(tmp_path: Path) -> None:
    data, config = tmp_path / "data", tmp_path / "config"
    settings = Settings(data_dir=data, config_dir=config)
    project_id, title = _seed(settings)
    assert not _postgres_for(settings.pgdata_dir)

    env = {
        **os.environ,
        "GHOSTLINE_DATA_DIR": str(data),
        "GHOSTLINE_CONFIG_DIR": str(config),
        "QT_QPA_PLATFORM": "offscreen",
        "GHOSTLINE_AUTOQUIT_AFTER_LOAD": "1",
        "GHOSTLINE_TIMING": "1",
    }
    env.pop("GHOSTLINE_DATABASE_URL", None)
    proc = subprocess.run([sys.executable, "main.py"], cwd=REPO, env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert f"PROJECT_LOADED {project_id} {title}" in out, out + proc.stderr[-2000:]
    shown = re.search(r"^TIMING window_shown_ms=([\d.]+)$", out, re.M)
    loaded = re.search(r"^TIMING project_loaded_ms=([\d.]+)$", out, re.M)
    assert shown and loaded and float(shown.group(1)) <= float(loaded.group(1))
    assert "Traceback" not in proc.stderr

    # the embedded server stopped with the app
    assert not _postgres_for(settings.pgdata_dir)
    assert not (settings.pgdata_dir / "postmaster.pid").exists()
    log = (data / "logs" / "ghostline.log").read_text()
    assert "GhostLine stopped" in log


@pytest.mark.slow
def test_app_killed_with_sigkill_restarts_with_data_intact(tmp_path: Path) -> None:
    """kill -9 the running app: its server and handle file are left behind; the next start
    reuses or restarts the server, loads the project with its text, and stops it on quit."""
    import select
    import signal
    import time

    data, config = tmp_path / "data", tmp_path / "config"
    settings = Settings(data_dir=data, config_dir=config)
    project_id, title = _seed(settings)
    env = {
        **os.environ,
        "GHOSTLINE_DATA_DIR": str(data),
        "GHOSTLINE_CONFIG_DIR": str(config),
        "QT_QPA_PLATFORM": "offscreen",
        "GHOSTLINE_TIMING": "1",
    }
    env.pop("GHOSTLINE_DATABASE_URL", None)
    env.pop("GHOSTLINE_AUTOQUIT_AFTER_LOAD", None)

    app = subprocess.Popen(
        [sys.executable, "main.py"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        deadline = time.monotonic() + 120
        seen = ""
        assert app.stdout is not None
        while "project_loaded" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([app.stdout], [], [], 1.0)
            if ready:
                seen += app.stdout.readline()
        assert "project_loaded" in seen, seen
        assert _postgres_for(settings.pgdata_dir), "the app's server should be running"
        os.kill(app.pid, signal.SIGKILL)
        app.wait(10)
    finally:
        if app.poll() is None:
            app.kill()
    # The killed app's pid is still in the handle file and its server still runs.
    assert _postgres_for(settings.pgdata_dir)

    proc = subprocess.run(
        [sys.executable, "main.py"],
        cwd=REPO,
        env={**env, "GHOSTLINE_AUTOQUIT_AFTER_LOAD": "1"},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"PROJECT_LOADED {project_id} {title}" in proc.stdout, proc.stdout + proc.stderr[-2000:]
    # The dead handle did not keep the server alive after the last live app quit.
    assert not _postgres_for(settings.pgdata_dir)

    prepared = prepare_database(settings)
    loop = ServiceLoop("e2e-check").start()
    try:
        services = Services.build(Database(prepared.url), LocalStore(settings.storage_dir))
        chapters = loop.run(services.chapters.list_chapters(uuid.UUID(project_id)), 60)
        assert [c.title for c in chapters] == ["Chapter one"]
        assert loop.run(services.chapters.get(chapters[0].id), 60).content == "It begins."
        loop.run(services.close(), 60)
    finally:
        loop.stop()
        prepared.release()


@pytest.mark.slow
def test_quit_while_the_database_starts_leaves_no_server(tmp_path: Path) -> None:
    """Closing at once (before the first database start finished) still stops the server."""
    data, config = tmp_path / "data", tmp_path / "config"
    script = (
        "import sys; from PySide6.QtCore import QTimer; from PySide6.QtWidgets import QApplication; "
        "app = QApplication(sys.argv); QTimer.singleShot(0, app.quit); "
        "from ghostline_desktop.app import main; sys.exit(main())"
    )
    env = {**os.environ, "GHOSTLINE_DATA_DIR": str(data), "GHOSTLINE_CONFIG_DIR": str(config)}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("GHOSTLINE_DATABASE_URL", None)
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=180
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (data / "pgdata" / "PG_VERSION").exists()  # the first start did happen
    assert not _postgres_for(Settings(data_dir=data, config_dir=config).pgdata_dir)
