"""The source library panel over real imports: rows move to Ready with their words, refused and
failed files say why, an encrypted PDF asks for its password on Retry, queued imports can be
cancelled, notes are written in the app, folders can be dropped, and rows can be deleted."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from ghostline_desktop.core.enums import TaskStatus, TaskType
from ghostline_desktop.core.words import count_words
from ghostline_desktop.runtime.jobs import JobContext, JobResult, JobSpec
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import JobInfo, ProjectSummary, SourceSummary, UserInfo
from ghostline_desktop.services.events import JobChanged
from ghostline_desktop.ui.main_window import MainWindow
from ghostline_desktop.ui.panels.source_rows import describe
from ghostline_desktop.ui.panels.sources import SourcesPanel
from tests.support.files import write_pdf
from tests.ui.conftest import DialogRecorder, open_and_wait

READY_MS = 90_000  # the first import loads the local embedder
DIARY = (
    "The lighthouse keeper counted the ships every evening and wrote their names in a blue ledger.\n\n"
    "When the harbour froze, she walked across the ice to the island and back before dark."
)


def row_titled(panel: SourcesPanel, title: str) -> SourceSummary | None:
    return next((r for r in panel.rows if r.title == title), None)


def wait_status(qtbot: QtBot, panel: SourcesPanel, title: str, status: str, timeout: int = READY_MS) -> SourceSummary:
    def check() -> bool:
        row = row_titled(panel, title)
        return row is not None and row.processing_status == status and row.id not in panel.jobs

    qtbot.waitUntil(check, timeout=timeout)
    row = row_titled(panel, title)
    assert row is not None
    return row


def select(panel: SourcesPanel, row: SourceSummary) -> None:
    panel.list.setCurrentItem(panel.items[row.id])
    panel.items[row.id].setSelected(True)


@pytest.fixture
def project(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> ProjectSummary:
    p = run(services.projects.create(user.id, f"Library {uuid.uuid4().hex[:6]}"))
    open_and_wait(window, p.id, qtbot)
    return p


def test_import_from_the_menu_shows_the_row_ready_with_its_words(
    window: MainWindow,
    dialogs: DialogRecorder,
    project: ProjectSummary,
    qtbot: QtBot,
    tmp_path: Path,
    services: Services,
    run: Callable[[Any], Any],
) -> None:
    path = tmp_path / "Keeper's diary.txt"
    path.write_text(DIARY, encoding="utf-8")
    dialogs.files = [path]
    assert window.menus.import_sources.isEnabled()
    assert window.menus.import_sources.shortcut().toString() == "Ctrl+Shift+I"
    window.menus.import_sources.trigger()
    panel = window.sources
    row = wait_status(qtbot, panel, "Keeper's diary", "READY")
    assert row.word_count == count_words(DIARY)
    text = panel.items[row.id].text()
    assert text.startswith("Keeper's diary\n") and f"Ready · {count_words(DIARY)} words" in text
    assert panel.count_label.text() == "1 source"
    assert run(services.sources.get_text(row.id)).strip() == DIARY


def test_empty_file_is_refused_with_the_reason(
    window: MainWindow, dialogs: DialogRecorder, project: ProjectSummary, qtbot: QtBot, tmp_path: Path
) -> None:
    empty = tmp_path / "blank.md"
    empty.write_bytes(b"")
    window.library.import_paths([empty])
    qtbot.waitUntil(lambda: "blank.md" in window.status.currentMessage(), timeout=10_000)
    assert "empty" in window.status.currentMessage()
    assert dialogs.infos and dialogs.infos[-1].title == "Nothing was imported"
    assert "blank.md" in dialogs.infos[-1].message
    assert window.sources.rows == []


def test_encrypted_pdf_fails_then_retry_asks_for_the_password(
    window: MainWindow, dialogs: DialogRecorder, project: ProjectSummary, qtbot: QtBot, tmp_path: Path
) -> None:
    pdf = write_pdf(
        tmp_path / "Sealed letters.pdf", ["Dear Ada, the harbour froze again this winter."], password="tide"
    )
    window.library.import_paths([pdf])
    panel = window.sources
    row = wait_status(qtbot, panel, "Sealed letters", "FAILED")
    assert row.error_code == "password_required"
    view = describe(row)
    assert view.error and view.detail and "password" in view.detail
    assert view.detail in panel.items[row.id].text()

    # Retry from the panel's button: the password prompt; a wrong password fails again and says so.
    select(panel, row)
    assert panel.retry_button.isEnabled() and not panel.cancel_button.isVisible()
    dialogs.passwords = ["wrong"]
    panel.retry_button.click()
    assert dialogs.password_prompts == [("Sealed letters.pdf", False)]
    qtbot.waitUntil(
        lambda: (r := row_titled(panel, "Sealed letters")) is not None and r.error_code == "wrong_password",
        timeout=READY_MS,
    )
    row = wait_status(qtbot, panel, "Sealed letters", "FAILED")

    # Cancelling the prompt does nothing; the right password imports it.
    dialogs.passwords = [None]
    window.library.retry(row)
    assert dialogs.password_prompts[-1] == ("Sealed letters.pdf", True)
    dialogs.passwords = ["tide"]
    window.library.retry(row)
    row = wait_status(qtbot, panel, "Sealed letters", "READY")
    assert row.word_count == count_words("Dear Ada, the harbour froze again this winter.")


async def _hold(ctx: JobContext, _params: dict[str, Any]) -> JobResult:
    while True:
        await asyncio.sleep(0.05)
        ctx.check_cancelled()


def _queue_behind_busy_workers(
    window: MainWindow,
    qtbot: QtBot,
    tmp_path: Path,
    services: Services,
    run: Callable[[Any], Any],
    project_id: uuid.UUID,
) -> tuple[SourceSummary, list[Any]]:
    """Occupy every worker slot with real jobs, then import a file: its job waits in the queue."""
    services.runner.register("test.hold", _hold)
    spec = JobSpec("test.hold", TaskType.QA_CHECK, project_id, "Holding a slot", timeout=120)
    holders = [run(services.runner.submit(spec)) for _ in range(services.runner.concurrency)]
    path = tmp_path / "Waiting.txt"
    path.write_text(DIARY, encoding="utf-8")
    window.library.import_paths([path])
    panel = window.sources
    qtbot.waitUntil(lambda: (r := row_titled(panel, "Waiting")) is not None and r.id in panel.jobs, timeout=10_000)
    row = row_titled(panel, "Waiting")
    assert row is not None
    return row, holders


def _release(services: Services, run: Callable[[Any], Any], holders: list[Any]) -> None:
    for job in holders:
        run(services.jobs.cancel(job.id))
        assert run(services.jobs.wait(job.id, 10)).status is TaskStatus.CANCELLED


def test_a_queued_import_shows_queued_and_cancel_stops_its_job(
    window: MainWindow,
    dialogs: DialogRecorder,
    project: ProjectSummary,
    qtbot: QtBot,
    tmp_path: Path,
    services: Services,
    run: Callable[[Any], Any],
) -> None:
    panel = window.sources
    row, holders = _queue_behind_busy_workers(window, qtbot, tmp_path, services, run, project.id)
    try:
        job = panel.jobs[row.id]
        assert job.status is TaskStatus.PENDING
        assert "Queued" in panel.items[row.id].text()
        select(panel, row)
        assert panel.cancel_button.isEnabled() and panel.cancel_button.isVisible()
        assert "Cancel Import" in [text for text, _slot in panel.row_actions(row)]
        panel.cancel_button.click()
        qtbot.waitUntil(lambda: row.id not in panel.jobs, timeout=10_000)
        assert run(services.jobs.wait(job.id, 10)).status is TaskStatus.CANCELLED
    finally:
        _release(services, run, holders)


def test_a_cancelled_queued_import_offers_retry(
    window: MainWindow,
    dialogs: DialogRecorder,
    project: ProjectSummary,
    qtbot: QtBot,
    tmp_path: Path,
    services: Services,
    run: Callable[[Any], Any],
) -> None:
    panel = window.sources
    row, holders = _queue_behind_busy_workers(window, qtbot, tmp_path, services, run, project.id)
    try:
        window.library.cancel(row)
        row = wait_status(qtbot, panel, "Waiting", "FAILED", timeout=10_000)
        assert row.error_code == "cancelled"
    finally:
        _release(services, run, holders)


def test_cancel_a_running_import(
    window: MainWindow,
    dialogs: DialogRecorder,
    project: ProjectSummary,
    qtbot: QtBot,
    corpus_dir: Path,
    services: Services,
    run: Callable[[Any], Any],
) -> None:
    window.library.import_paths([corpus_dir / "melville-moby-dick.txt"])
    panel = window.sources

    def processing() -> bool:
        row = row_titled(panel, "melville-moby-dick")
        job = panel.jobs.get(row.id) if row else None
        return job is not None and job.status is TaskStatus.RUNNING and job.progress >= 0.1

    qtbot.waitUntil(processing, timeout=READY_MS)
    row = row_titled(panel, "melville-moby-dick")
    assert row is not None
    text = panel.items[row.id].text()
    assert "Processing" in text and "%" in text
    window.library.cancel(row)
    row = wait_status(qtbot, panel, "melville-moby-dick", "FAILED", timeout=30_000)
    assert row.error_code == "cancelled" and "cancelled" in (row.error_message or "")
    select(panel, row)
    assert panel.retry_button.isEnabled()


def test_dropping_a_folder_imports_what_ingestion_reads(
    window: MainWindow, dialogs: DialogRecorder, project: ProjectSummary, qtbot: QtBot, tmp_path: Path
) -> None:
    folder = tmp_path / "research"
    (folder / "deeper").mkdir(parents=True)
    (folder / "Harbour.md").write_text("# Harbour\n\nThe ice came early.", encoding="utf-8")
    (folder / "deeper" / "Storms.html").write_text("<p>Three storms in <b>March</b>.</p>", encoding="utf-8")
    (folder / "setup.exe").write_bytes(b"MZ")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    event = QDropEvent(
        QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(event)
    assert event.isAccepted()
    panel = window.sources
    wait_status(qtbot, panel, "Harbour", "READY")
    storms = wait_status(qtbot, panel, "Storms", "READY")
    assert storms.material_type == "HTML"
    assert sorted(r.title for r in panel.rows) == ["Harbour", "Storms"]


def test_new_note_and_edit_note(
    window: MainWindow,
    dialogs: DialogRecorder,
    project: ProjectSummary,
    qtbot: QtBot,
    services: Services,
    run: Callable[[Any], Any],
) -> None:
    panel = window.sources
    panel.note_button.click()
    dlg = window.library.note_dialog
    assert dlg is not None and dlg.isVisible() and dlg.windowTitle() == "New note"
    dlg.title_edit.setText("Ice notes")
    dlg.text_edit.setPlainText("The ice sang at night.")
    with qtbot.waitSignal(dlg.finished, timeout=10_000):
        dlg.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert window.library.note_dialog is None
    note = wait_status(qtbot, panel, "Ice notes", "READY", timeout=10_000)
    assert note.material_type == "NOTE" and note.word_count == 5

    actions = dict(panel.row_actions(note))
    actions["Edit Note…"]()
    qtbot.waitUntil(lambda: window.library.note_dialog is not None, timeout=10_000)
    edit = window.library.note_dialog
    assert edit is not None and edit.isVisible()
    assert edit.text_edit.toPlainText() == "The ice sang at night." and edit.windowTitle() == "Edit note"
    # An empty title is refused and the dialog keeps the text.
    edit.title_edit.setText("  ")
    edit.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: bool(dialogs.errors), timeout=10_000)
    assert edit.isVisible() and edit.buttons.isEnabled()
    edit.title_edit.setText("Ice at night")
    edit.text_edit.setPlainText("The ice sang all night long.")
    with qtbot.waitSignal(edit.finished, timeout=10_000):
        edit.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    wait_status(qtbot, panel, "Ice at night", "READY", timeout=10_000)
    assert run(services.sources.get_text(note.id)) == "The ice sang all night long."


def test_delete_asks_then_removes_the_row(
    window: MainWindow,
    dialogs: DialogRecorder,
    project: ProjectSummary,
    qtbot: QtBot,
    services: Services,
    run: Callable[[Any], Any],
) -> None:
    kept = run(services.sources.add_note(project.id, "Keep me", "Stays."))
    gone = run(services.sources.add_note(project.id, "Delete me", "Goes."))
    panel = window.sources
    qtbot.waitUntil(lambda: {r.title for r in panel.rows} == {"Keep me", "Delete me"}, timeout=10_000)
    row = row_titled(panel, "Delete me")
    assert row is not None
    select(panel, row)
    dialogs.confirm_answer = False
    panel.delete_button.click()
    assert "Delete me" in dialogs.questions[-1].message and row_titled(panel, "Delete me") is not None
    dialogs.confirm_answer = True
    panel.delete_button.click()
    qtbot.waitUntil(lambda: row_titled(panel, "Delete me") is None, timeout=10_000)
    assert [s.id for s in run(services.sources.list_sources(project.id))] == [kept.id]
    assert gone.id not in panel.items


def _summary(status: str, **extra: Any) -> SourceSummary:
    base: dict[str, Any] = {
        "id": uuid.uuid4(),
        "project_id": uuid.uuid4(),
        "title": "Diary",
        "material_type": "PDF",
        "processing_status": status,
        "word_count": 1234,
        "original_filename": "diary.pdf",
        "file_size": 10,
        "error_message": None,
        "created_at": datetime.now(UTC),
    }
    return SourceSummary(**{**base, **extra})


def _job(row: SourceSummary, status: TaskStatus, progress: float = 0.0, message: str | None = None) -> JobInfo:
    return JobInfo(
        id=uuid.uuid4(),
        project_id=row.project_id,
        task_type=TaskType.SOURCE_PROCESSING,
        status=status,
        label="Importing “Diary”",
        progress=progress,
        message=message,
        error=None,
        source_id=row.id,
        created_at=datetime.now(UTC),
    )


def test_row_states_in_words() -> None:
    ready = _summary("READY", page_count=12)
    assert describe(ready).meta == "PDF · Ready · 1,234 words · 12 pages"
    uploading = _summary("UPLOADING")
    assert describe(uploading, _job(uploading, TaskStatus.PENDING)).meta == "PDF · Queued"
    view = describe(uploading, _job(uploading, TaskStatus.RUNNING, 0.05, "Copying…"))
    assert (view.meta, view.progress, view.detail) == ("PDF · Uploading 5%", 0.05, "Copying…")
    view = describe(uploading, _job(uploading, TaskStatus.RUNNING, 0.5, "Embedding 12 passages…"))
    assert view.meta == "PDF · Processing 50%" and view.detail == "Embedding 12 passages…"
    assert describe(ready, _job(ready, TaskStatus.RUNNING, 0.4)).state == "Ready · indexing"
    failed = _summary("FAILED", error_message="The file is protected by a password.", error_code="password_required")
    view = describe(failed, _job(failed, TaskStatus.FAILED))  # a finished job does not hide the failure
    assert view.error and view.detail == "The file is protected by a password." and view.progress is None


def test_search_says_when_meaning_search_is_still_indexing(
    window: MainWindow, dialogs: DialogRecorder, project: ProjectSummary, qtbot: QtBot
) -> None:
    panel = window.sources
    panel.search.setText("harbour")
    qtbot.waitUntil(lambda: panel.searched == "harbour", timeout=READY_MS)
    base = panel.embedder_label.text()
    indexing = JobInfo(
        id=uuid.uuid4(),
        project_id=project.id,
        task_type=TaskType.EMBEDDING,
        status=TaskStatus.RUNNING,
        label="Indexing passages for meaning search",
        progress=0.25,
        message=None,
        error=None,
        source_id=None,
        created_at=datetime.now(UTC),
    )
    panel.on_job_changed(JobChanged(indexing))
    assert panel.embedder_label.text().startswith(base) and "still indexing new passages (25%)" in (
        panel.embedder_label.text()
    )
    panel.on_job_changed(JobChanged(replace(indexing, status=TaskStatus.COMPLETED, progress=1.0)))
    assert panel.embedder_label.text() == base
