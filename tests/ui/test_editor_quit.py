"""A polite kill is a quit: SIGTERM/SIGHUP/SIGINT reach the Qt loop through a socket pair, and the
app then flushes the editor's working text (keeping both texts of a conflict, asking nobody),
closes the window and shuts down like File ▸ Quit. The subprocess version (real ``main.py``, its own
embedded server) is ``tests/e2e/test_editor_crash.py``."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import SIGNAL
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ghostline_desktop.app import GhostlineApp
from ghostline_desktop.config import Settings, normalize_database_url
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.panels import editor_conflict
from ghostline_desktop.ui.quit_signals import QuitSignals, polite_signals
from tests.ui.conftest import WAIT_MS, DialogRecorder
from tests.ui.test_editor import Run, make_book, type_at_end, wait_loaded


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="SIGHUP exists on POSIX only")
def test_signals_arrive_in_the_qt_loop_and_handlers_are_restored(qtbot: QtBot) -> None:
    before = {sig: signal.getsignal(sig) for sig in polite_signals()}
    signals = QuitSignals()
    try:
        assert {s.name for s in polite_signals()} == {"SIGTERM", "SIGHUP", "SIGINT"}
        with qtbot.waitSignal(signals.received, timeout=WAIT_MS) as got:
            os.kill(os.getpid(), signal.SIGHUP)  # handled: the test process goes on
        assert got.args == [int(signal.SIGHUP)]
        with qtbot.waitSignal(signals.received, timeout=WAIT_MS) as got:
            os.kill(os.getpid(), signal.SIGINT)  # no KeyboardInterrupt either
        assert got.args == [int(signal.SIGINT)]
    finally:
        signals.uninstall()
    assert {sig: signal.getsignal(sig) for sig in polite_signals()} == before


def _app(tmp_path: Path, db_url: str, project_id: uuid.UUID) -> GhostlineApp:
    settings = Settings(
        data_dir=tmp_path / "data",
        config_dir=tmp_path / "config",
        database_url=normalize_database_url(db_url),
        theme="light",
        last_project_id=str(project_id),
        recent_project_ids=(str(project_id),),
    )
    return GhostlineApp(settings, persist=False)


def test_sigterm_saves_the_text_typed_just_before_and_keeps_both_texts_of_a_conflict(
    qloop: qasync.QEventLoop,
    qapp: QApplication,
    qtbot: QtBot,
    tmp_path: Path,
    db_url: str,
    services: Services,
    user: UserInfo,
    run: Run,
    dialogs: DialogRecorder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[Any] = []
    monkeypatch.setattr(editor_conflict, "ask_conflict", lambda *a: asked.append(a))
    project, [one, two] = make_book(services, user, run, "One.", "Two.")
    ctl = _app(tmp_path, db_url, project.id)
    ctl.install_quit_signals(qapp)
    ctl.window.show()
    try:
        with qtbot.waitSignal(ctl.projectReady, timeout=20_000):
            assert qloop.run_until_complete(ctl.start()) is True
        editor = ctl.window.editor
        wait_loaded(ctl.window, one.id, qtbot)
        # Chapter two: left while its text conflicts with a save made elsewhere.
        editor.open_chapter(two.id)
        wait_loaded(ctl.window, two.id, qtbot)
        ctl.window.bridge.detach()  # their save triggers no reload: the quit finds the conflict
        type_at_end(editor, qtbot, " Mine in two.")
        base = run(services.chapters.get(two.id)).base
        run(services.chapters.autosave(two.id, "Theirs in two.", base=base))
        editor.save_now()
        qtbot.waitUntil(lambda: two.id in editor.conflicts, timeout=WAIT_MS)
        asked.clear()
        editor.open_chapter(one.id)
        wait_loaded(ctl.window, one.id, qtbot)
        type_at_end(editor, qtbot, " Typed a moment before the kill.")
        os.kill(os.getpid(), signal.SIGTERM)
        qtbot.waitUntil(lambda: not ctl.window.isVisible(), timeout=WAIT_MS)
    finally:
        ctl.window.close()
        ctl.shutdown()
        if ctl.quit_signals is not None:
            ctl.quit_signals.uninstall()
    assert not ctl.service_loop.running and not ops.installed()
    assert asked == [] and dialogs.errors == []  # nobody was asked anything
    assert run(services.chapters.get(one.id)).content == "One. Typed a moment before the kill."
    assert run(services.chapters.get(two.id)).content == "Two. Mine in two."
    history = run(services.chapters.list_revisions(two.id))
    assert [r.sealed for r in history] == [True, True, True]
    assert run(services.chapters.get_revision(two.id, 2)).content == "Theirs in two."


def test_session_end_quits_like_file_quit(
    qloop: qasync.QEventLoop,
    qapp: QApplication,
    qtbot: QtBot,
    tmp_path: Path,
    db_url: str,
    services: Services,
    user: UserInfo,
    run: Run,
) -> None:
    project, [one] = make_book(services, user, run, "Logout.")
    ctl = _app(tmp_path, db_url, project.id)
    ctl.install_quit_signals(qapp)
    ctl.window.show()
    try:
        with qtbot.waitSignal(ctl.projectReady, timeout=20_000):
            assert qloop.run_until_complete(ctl.start()) is True
        wait_loaded(ctl.window, one.id, qtbot)
        type_at_end(ctl.window.editor, qtbot, " Saved at logout.")
        # What the session manager sends at logout (emitting it needs a QSessionManager, which only
        # a real session provides): the slot connected to it.
        assert qapp.receivers(SIGNAL("commitDataRequest(QSessionManager&)")) >= 1
        ctl.session_ending(None)
        assert not ctl.window.isVisible()
    finally:
        ctl.window.close()
        ctl.shutdown()
        if ctl.quit_signals is not None:
            ctl.quit_signals.uninstall()
    assert run(services.chapters.get(one.id)).content == "Logout. Saved at logout."
