"""Tools ▸ Run QA (book F7, chapter Shift+F7), the background QA after typing, and jumping
from a finding to its passage in the editor (the findings panel's double-click, the export's
blocking-findings dialog).

Background QA: each save of the chapter shown (the editor autosaves ~2 s after typing stops)
and each keystroke restart a timer; when the author has left the text alone for
``BACKGROUND_DELAY_MS`` and it is saved, the chapter is checked as a *background* run — named
per chapter on the service side, so a new one cancels the one in flight; no notification,
no tokens spent.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from ghostline_desktop.core.enums import TaskType
from ghostline_desktop.ui import ops

if TYPE_CHECKING:
    from ghostline_desktop.ui.main_window import MainWindow

#: Quiet time after the last save or keystroke before the chapter is checked in the background.
BACKGROUND_DELAY_MS = 3000


class QAController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.win = window
        self.services: Any = None
        self.user: Any = None
        self.background_enabled = True
        self._pending_jump: Any = None
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(BACKGROUND_DELAY_MS)
        self._idle.timeout.connect(self._background_run)
        window.findings.jumpRequested.connect(self.jump_to)
        window.findings.runRequested.connect(self.run_book)
        window.editor.chapterOpened.connect(self._chapter_opened)
        window.editor.text.textChanged.connect(self._typed)
        window.bridge.chapterSaved.connect(self._saved)
        window.bridge.jobChanged.connect(self._job_changed)

    def attach(self, services: Any, user: Any) -> None:
        self.services = services
        self.user = user

    # -- Tools ▸ Run QA ---------------------------------------------------------------------
    def run_book(self) -> None:
        self._run(None)

    def run_chapter(self) -> None:
        chapter_id = self.win.editor.shown or self.win.editor.chapter_id
        if chapter_id is None:
            self.win.status.showMessage(self.tr("Open a chapter to check it."), 5000)
            return
        self._run(chapter_id)

    def _run(self, chapter_id: uuid.UUID | None) -> None:
        project = self.win.project
        if self.services is None or project is None:
            return
        self.win.editor.save_now()  # check what the author sees, not the last autosave
        services, user_id = self.services, (self.user.id if self.user else None)
        self.win.findings.show()
        self.win.findings.raise_()
        what = self.tr("the book") if chapter_id is None else self.tr("this chapter")
        self.win.status.showMessage(self.tr("Checking {0}…").format(what), 4000)
        ops.CollectionOp(
            self.win, lambda: services.qa_runs.run(project.id, chapter_id=chapter_id, user_id=user_id)
        ).run()

    def _job_changed(self, event: Any) -> None:
        job, project = event.job, self.win.project
        if job.task_type is TaskType.QA_CHECK and project is not None and job.project_id == project.id:
            self.win.findings.set_running(job.id, job.active)

    # -- background QA after typing ------------------------------------------------------------
    def _typed(self) -> None:
        if self._idle.isActive():
            self._idle.start()  # still typing: wait for the pause (the next save starts it anyway)
        self._clear_highlight()

    def _saved(self, event: Any) -> None:
        project = self.win.project
        if (
            self.background_enabled
            and project is not None
            and event.project_id == project.id
            and event.chapter_id == self.win.editor.shown
        ):
            self._idle.start()

    def _background_run(self) -> None:
        editor, project = self.win.editor, self.win.project
        if self.services is None or project is None or editor.shown is None:
            return
        if editor.dirty or editor.save_state != "saved":
            self._idle.start()  # not saved yet: the run would read the old text
            return
        services, chapter_id, user_id = self.services, editor.shown, (self.user.id if self.user else None)
        ops.CollectionOp(
            self.win,
            lambda: services.qa_runs.run(project.id, chapter_id=chapter_id, user_id=user_id, background=True),
        ).failure(lambda _e: None).run()

    # -- jump to a finding ---------------------------------------------------------------------
    def jump_to(self, finding: Any) -> None:
        """Show the finding's passage in the editor, selected and highlighted (opening its
        chapter first if needed). A finding of the whole book has no passage."""
        chapter_id = getattr(finding, "chapter_id", None)
        if chapter_id is None:
            self.win.status.showMessage(self.tr("This finding concerns the whole book."), 5000)
            return
        editor = self.win.editor
        self.win.centre.setCurrentWidget(editor)
        if editor.shown == chapter_id:
            self._select(finding)
            return
        self._pending_jump = finding
        editor.open_chapter(chapter_id)

    def _chapter_opened(self, chapter_id: Any) -> None:
        pending, self._pending_jump = self._pending_jump, None
        if pending is not None and pending.chapter_id == chapter_id:
            self._select(pending)

    def _select(self, finding: Any) -> None:
        text = self.win.editor.text.toPlainText()
        start, end = locate_span(text, finding.start, finding.end, getattr(finding, "span", None))
        self.win.editor.select_range(start, end)

    def _clear_highlight(self) -> None:
        text = self.win.editor.text
        if text.extraSelections():
            text.setExtraSelections([])


def locate_span(text: str, start: int | None, end: int | None, span: str | None) -> tuple[int, int]:
    """Where the finding is in the text as it is now: at its stored range if the text there is
    still what was found, else the occurrence of that text nearest the stored range (edits
    above it moved it), else the stored range clipped to the text."""
    start = max(0, min(start or 0, len(text)))
    end = max(start, min(end if end is not None else start, len(text)))
    if not span or text[start:end] == span:
        return start, end
    best: int | None = None
    at = text.find(span)
    while at >= 0:
        if best is None or abs(at - start) < abs(best - start):
            best = at
        at = text.find(span, at + 1)
    if best is None:
        return start, end
    return best, best + len(span)
