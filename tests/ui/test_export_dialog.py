"""File ▸ Export Manuscript in the window: the options dialog, the job's progress, "Open" and
"Show in folder", the history, and the gate on blocking QA findings with its jump."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui.dialogs import export_options
from ghostline_desktop.ui.dialogs.blocking_findings import BlockingFindingsDialog
from ghostline_desktop.ui.dialogs.export_options import ExportOptionsDialog
from ghostline_desktop.ui.main_window import MainWindow
from tests.ui.conftest import open_and_wait

WAIT = 30_000


def _book(services: Services, user: UserInfo, run: Callable[[Any], Any]) -> tuple[Any, list[Any]]:
    project = run(services.projects.create(user.id, f"Export UI {uuid.uuid4().hex[:6]}"))
    chapters = [
        run(services.chapters.create(project.id, t, content=f"{t} begins *here*.\n\nAnd goes on."))
        for t in ("One", "Two", "Three")
    ]
    return project, chapters


def _open_dialog(window: MainWindow, qtbot: QtBot, fmt: str) -> ExportOptionsDialog:
    window.menus.export[("PDF", "DOCX", "EPUB", "Markdown", "HTML").index(fmt)].trigger()
    qtbot.waitUntil(lambda: window.exports.dialog is not None and window.exports.dialog.isVisible(), timeout=WAIT)
    dlg = window.exports.dialog
    assert dlg is not None
    return dlg


def test_export_runs_with_progress_and_opens_the_file(
    window: MainWindow,
    qtbot: QtBot,
    services: Services,
    user: UserInfo,
    run: Callable[[Any], Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[Path] = []
    monkeypatch.setattr(export_options, "open_path", opened.append)
    project, _chapters = _book(services, user, run)
    open_and_wait(window, project.id, qtbot)
    dlg = _open_dialog(window, qtbot, "HTML")
    assert dlg.title_edit.text() == project.title and dlg.pick_list.count() == 3
    dest = tmp_path / "book.html"
    dlg.path_edit.setText(str(dest))
    dlg.range_edit.setText("1-2")
    dlg.range_radio.setChecked(True)
    dlg.author_edit.setText("Ada Lovelace")
    dlg.export_button.click()
    qtbot.waitUntil(lambda: dlg.open_button.isVisible(), timeout=WAIT)
    html = dest.read_text(encoding="utf-8")
    assert "One begins" in html and "Two begins" in html and "Three begins" not in html and "Ada Lovelace" in html
    dlg.open_button.click()
    dlg.show_folder_button.click()
    assert opened == [dest, dest.parent]
    qtbot.waitUntil(lambda: dlg.history_list.count() == 1 and "v1" in dlg.history_list.item(0).text(), timeout=WAIT)
    dlg.reject()


def test_blocking_findings_refuse_and_jump(
    window: MainWindow,
    qtbot: QtBot,
    services: Services,
    user: UserInfo,
    run: Callable[[Any], Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project, chapters = _book(services, user, run)
    finding = run(
        services.qa.add_finding(
            project.id,
            finding_type="MISSING_CONTENT",
            severity="CRITICAL",
            title="Placeholder in chapter two",
            chapter_id=chapters[1].id,
            is_blocking=True,
        )
    )
    jumped: list[Any] = []
    monkeypatch.setattr(window.qa_control, "jump_to", jumped.append)
    open_and_wait(window, project.id, qtbot)
    dlg = _open_dialog(window, qtbot, "EPUB")
    dlg.path_edit.setText(str(tmp_path / "book.epub"))
    dlg.export_button.click()
    qtbot.waitUntil(lambda: window.exports.blocked is not None and window.exports.blocked.isVisible(), timeout=WAIT)
    gate = window.exports.blocked
    assert isinstance(gate, BlockingFindingsDialog)
    assert gate.list.count() == 1 and "Placeholder in chapter two" in gate.list.item(0).text()
    assert not (tmp_path / "book.epub").exists()
    gate.go_button.click()
    assert [f.id for f in jumped] == [finding.id]
    assert not dlg.isVisible()


def test_format_tab_shows_the_formats_options(qtbot: QtBot, tmp_path: Path) -> None:
    chapters = [type("C", (), {"id": uuid.uuid4(), "title": "One"})()]
    pdf = ExportOptionsDialog("PDF", chapters, {"title": "T"}, output_dir=tmp_path)
    qtbot.addWidget(pdf)
    pdf.trim_combo.setCurrentIndex(pdf.trim_combo.findData("a5"))
    pdf.right_check.setChecked(False)
    assert not pdf.trim_combo.isHidden() and pdf.cover_edit.isHidden()  # other formats' controls hidden
    assert pdf.smf_check.isHidden()
    req = pdf.request(uuid.uuid4(), None)
    assert (req.format, req.options.trim, req.options.chapters_on_right) == ("PDF", "a5", False)
    assert req.destination is not None and req.destination.endswith("T.pdf")
    docx = ExportOptionsDialog("DOCX", chapters, {"title": "T"}, output_dir=tmp_path)
    qtbot.addWidget(docx)
    docx.smf_check.setChecked(True)
    assert docx.request(uuid.uuid4(), None).options.standard_manuscript
    md = ExportOptionsDialog("Markdown", chapters, {"title": "T"}, output_dir=tmp_path)
    qtbot.addWidget(md)
    assert md.request(uuid.uuid4(), None).format == "MARKDOWN"


def test_export_ready_notification_opens_its_file(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from ghostline_desktop.services.dto import NotificationInfo
    from ghostline_desktop.ui import status_bar

    opened: list[str] = []

    class Desktop:
        @staticmethod
        def openUrl(url: Any) -> bool:  # Qt's name
            opened.append(url.toString())
            return True

    monkeypatch.setattr(status_bar, "QDesktopServices", Desktop)
    link = (tmp_path / "book.epub").as_uri()
    n = NotificationInfo(
        uuid.uuid4(), uuid.uuid4(), None, "EXPORT_READY", "IN_APP", "Exported", "Click", False, link, datetime.now(UTC)
    )
    window.status.set_notifications([n])
    (act,) = window.status.bell_menu.actions()
    act.trigger()
    assert opened == [link]


def test_blocked_heading_reads_as_a_sentence(qtbot: QtBot) -> None:
    """It said "1 blocking finding(s) must be resolved…"."""
    f = type("F", (), {"severity": "HIGH", "chapter_title": "One", "title": "Placeholder “TK”"})
    f.excerpt = f.description = f.suggestion = None  # type: ignore[attr-defined]
    one = BlockingFindingsDialog([f()])
    two = BlockingFindingsDialog([f(), f()])
    qtbot.addWidget(one)
    qtbot.addWidget(two)
    texts = [[label.text() for label in d.findChildren(QLabel)] for d in (one, two)]
    assert "A blocking finding must be resolved or waived before this book can be exported." in texts[0]
    assert "2 blocking findings must be resolved or waived before this book can be exported." in texts[1]
    assert not any("(s)" in t for t in texts[0] + texts[1])
