"""Drag and drop: accepted types highlight the window, others are refused by name; text becomes a note."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from pytestqt.qtbot import QtBot

from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui.drops import refusal_reason
from ghostline_desktop.ui.main_window import MainWindow
from tests.ui.conftest import DialogRecorder, open_and_wait


def _mime(paths: list[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def _enter(window: MainWindow, mime: QMimeData) -> QDragEnterEvent:
    event = QDragEnterEvent(
        QPoint(100, 100), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    window.dragEnterEvent(event)
    return event


def _drop(window: MainWindow, mime: QMimeData) -> QDropEvent:
    event = QDropEvent(
        QPointF(100, 100), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(event)
    return event


def test_refusal_reasons(tmp_path: Path) -> None:
    assert refusal_reason(tmp_path / "a.PDF") is None
    assert refusal_reason(tmp_path / "memo.m4a") is None
    assert "'.exe' files" in (refusal_reason(tmp_path / "setup.exe") or "")
    assert "without an extension" in (refusal_reason(tmp_path / "README") or "")
    assert "folders" in (refusal_reason(tmp_path) or "")


def test_drag_enter_accepts_and_highlights(window: MainWindow, tmp_path: Path) -> None:
    event = _enter(window, _mime([tmp_path / "notes.md", tmp_path / "scan.tiff"]))
    assert event.isAccepted()
    assert window.drop_overlay.isVisible()
    assert "2 file(s)" in window.drop_overlay.text
    window.dragLeaveEvent(QDragLeaveEvent())
    assert not window.drop_overlay.isVisible()


def test_drag_enter_refuses_unknown_types_by_name(window: MainWindow, tmp_path: Path) -> None:
    event = _enter(window, _mime([tmp_path / "virus.exe"]))
    assert not event.isAccepted()
    assert not window.drop_overlay.isVisible()
    message = window.status.currentMessage()
    assert "virus.exe" in message and "not a supported source type" in message


def test_drop_adds_text_as_note_and_explains_the_rest(
    window: MainWindow,
    dialogs: DialogRecorder,
    qtbot: QtBot,
    tmp_path: Path,
    services: Services,
    user: UserInfo,
    run: Callable[[Any], Any],
) -> None:
    project = run(services.projects.create(user.id, "Drop book"))
    open_and_wait(window, project.id, qtbot)
    note = tmp_path / "Ideas.md"
    note.write_text("# Ideas\n\nA lighthouse keeper's diary, read aloud.", encoding="utf-8")
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    routed: list[list[Path]] = []
    window.sources.importRequested.connect(routed.append)
    _drop(window, _mime([note, pdf, tmp_path / "x.exe"]))
    assert routed == [[note, pdf]]  # the drop went through the source library panel
    assert dialogs.infos and "later version" in dialogs.infos[0].title
    assert "paper.pdf" in dialogs.infos[0].message
    assert "x.exe" in window.status.currentMessage()
    qtbot.waitUntil(lambda: window.sources.list.count() == 1, timeout=10_000)
    sources = run(services.sources.list_sources(project.id))
    assert [(s.title, s.material_type, s.original_filename) for s in sources] == [("Ideas", "MARKDOWN", "Ideas.md")]
    assert run(services.sources.get_text(sources[0].id)).startswith("# Ideas")


def test_drop_of_non_utf8_text_says_so(
    window: MainWindow,
    dialogs: DialogRecorder,
    qtbot: QtBot,
    tmp_path: Path,
    services: Services,
    user: UserInfo,
    run: Callable[[Any], Any],
) -> None:
    project = run(services.projects.create(user.id, "Latin-1 book"))
    open_and_wait(window, project.id, qtbot)
    bad = tmp_path / "old.txt"
    bad.write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    _drop(window, _mime([bad]))
    qtbot.waitUntil(lambda: bool(dialogs.errors), timeout=10_000)
    assert "old.txt" in dialogs.errors[0].message and "UTF-8" in dialogs.errors[0].message
    assert run(services.sources.list_sources(project.id)) == []


def test_drop_without_project_explains(window: MainWindow, dialogs: DialogRecorder, tmp_path: Path) -> None:
    _drop(window, _mime([tmp_path / "a.txt"]))
    assert dialogs.infos and "Open a project first" in dialogs.infos[0].message
