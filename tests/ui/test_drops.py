"""Drag and drop: every type ingestion reads (and folders) highlights the window, others are refused by name;
dropped files go through the ingestion pipeline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from pytestqt.qtbot import QtBot

from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.services.ingestion import KNOWN_SUFFIXES
from ghostline_desktop.ui.drops import accepted_suffixes, refusal_reason
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
    assert refusal_reason(tmp_path / "page.html") is None
    assert refusal_reason(tmp_path) is None  # folders are imported recursively
    assert "'.exe' files" in (refusal_reason(tmp_path / "setup.exe") or "")
    assert "without an extension" in (refusal_reason(tmp_path / "README") or "")
    # The window accepts exactly what ingestion reads.
    assert accepted_suffixes() == frozenset(KNOWN_SUFFIXES)
    assert all(refusal_reason(tmp_path / f"x{suffix}") is None for suffix in KNOWN_SUFFIXES)


def test_drag_enter_accepts_and_highlights(window: MainWindow, tmp_path: Path) -> None:
    event = _enter(window, _mime([tmp_path / "notes.md", tmp_path / "scan.tiff"]))
    assert event.isAccepted()
    assert window.drop_overlay.isVisible()
    assert "2 file(s)" in window.drop_overlay.text
    window.dragLeaveEvent(QDragLeaveEvent())
    assert not window.drop_overlay.isVisible()
    folder = tmp_path / "research"
    folder.mkdir()
    event = _enter(window, _mime([folder]))
    assert event.isAccepted() and "1 folder(s)" in window.drop_overlay.text
    window.dragLeaveEvent(QDragLeaveEvent())


def test_drag_enter_refuses_unknown_types_by_name(window: MainWindow, tmp_path: Path) -> None:
    event = _enter(window, _mime([tmp_path / "virus.exe"]))
    assert not event.isAccepted()
    assert not window.drop_overlay.isVisible()
    message = window.status.currentMessage()
    assert "virus.exe" in message and "not a supported source type" in message


def test_drop_imports_through_the_pipeline_and_explains_the_rest(
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
    pdf.write_bytes(b"%PDF-1.4\n")  # a truncated PDF: fails with a reason, the note is unaffected
    routed: list[list[Path]] = []
    window.sources.importRequested.connect(routed.append)
    _drop(window, _mime([note, pdf, tmp_path / "x.exe"]))
    assert routed == [[note, pdf]]  # the drop went through the source library panel
    assert "x.exe" in window.status.currentMessage()

    def settled() -> bool:
        rows = {r.title: r for r in window.sources.rows}
        return (
            set(rows) == {"Ideas", "paper"}
            and rows["Ideas"].processing_status == "READY"
            and rows["paper"].processing_status == "FAILED"
        )

    qtbot.waitUntil(settled, timeout=90_000)
    sources = {s.title: s for s in run(services.sources.list_sources(project.id))}
    assert (sources["Ideas"].material_type, sources["Ideas"].original_filename) == ("MARKDOWN", "Ideas.md")
    assert run(services.sources.get_text(sources["Ideas"].id)).startswith("# Ideas")
    failed = sources["paper"]
    assert failed.error_message and "PDF" in failed.error_message
    assert failed.error_message in window.sources.items[failed.id].text()


def test_drop_of_non_utf8_text_is_read_in_its_encoding(
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
    old = tmp_path / "old.txt"
    old.write_bytes("Le caf\xe9 cr\xe8me du matin, servi tr\xe8s chaud au comptoir de la gare.".encode("cp1252"))
    _drop(window, _mime([old]))
    qtbot.waitUntil(lambda: [r.processing_status for r in window.sources.rows] == ["READY"], timeout=90_000)
    assert "café crème" in run(services.sources.get_text(window.sources.rows[0].id))
    assert not dialogs.errors


def test_drop_without_project_explains(window: MainWindow, dialogs: DialogRecorder, tmp_path: Path) -> None:
    _drop(window, _mime([tmp_path / "a.txt"]))
    assert dialogs.infos and "Open a project first" in dialogs.infos[0].message
