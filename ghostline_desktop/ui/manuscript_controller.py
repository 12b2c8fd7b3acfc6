"""The manuscript's flows that are not one panel's: File ▸ Import Manuscript… (and the welcome
page's button), and the revision diff (View ▸ Compare Revisions…, the revision history's
``diffRequested``).

A controller of its own so the main window only wires signals to it (DESIGN: features do not
grow main_window.py). Reading the book and counting its words run on the service loop (the
file is parsed in the process pool); the preview dialog is opened, not exec'd, so the window
stays alive while the author checks the split.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

from ghostline_desktop.ui import ops
from ghostline_desktop.ui.dialogs import import_manuscript
from ghostline_desktop.ui.dialogs.import_manuscript import ImportManuscriptDialog
from ghostline_desktop.ui.dialogs.revision_diff import RevisionDiffDialog, open_revision_diff
from ghostline_desktop.ui.ops import CollectionOp

if TYPE_CHECKING:
    # Type only: importing it at run time would load SQLAlchemy on the GUI thread at start-up.
    from ghostline_desktop.services.dto import ManuscriptImported
    from ghostline_desktop.services.manuscript_import import ManuscriptPreview
    from ghostline_desktop.ui.main_window import MainWindow

#: Reading a long DOCX/EPUB in the pool, and writing a 60-chapter book in one transaction.
READ_TIMEOUT_S = 300.0
WRITE_TIMEOUT_S = 300.0


class ManuscriptController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.win = window
        self.dialog: ImportManuscriptDialog | None = None
        self.imported: ManuscriptImported | None = None  # the last import (tests, the status line)

    # -- import ---------------------------------------------------------------------------------
    def import_manuscript(self) -> None:
        """Ask for a DOCX, EPUB, Markdown or text book and preview how it splits."""
        if self.win.services is None or self.win.user is None:
            return
        path = import_manuscript.choose_manuscript(self.win)
        if path is not None:
            self.preview_file(path)

    def preview_file(self, path: Path) -> None:
        services = self.win.services
        if services is None:
            return

        async def read() -> tuple[ManuscriptPreview, list[int]]:
            preview = await services.manuscripts.preview(path)
            return preview, await asyncio.to_thread(preview.chapter_words)

        label = self.tr("Reading “{0}”…").format(path.name)
        self.win.status.showMessage(label)
        CollectionOp(self.win, read).named("manuscript.preview").with_progress(label, dialog=True).with_timeout(
            READ_TIMEOUT_S
        ).success(self._show_preview).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        self.win.status.clearMessage()
        ops.report_error(exc, self.win)

    def _show_preview(self, result: tuple[ManuscriptPreview, list[int]]) -> None:
        self.win.status.clearMessage()
        preview, words = result
        if self.dialog is not None:
            self.dialog.close()
        dlg = ImportManuscriptDialog(preview, words, parent=self.win)
        self.dialog = dlg
        dlg.accepted.connect(lambda: self._accepted(dlg))
        dlg.finished.connect(lambda _r: dlg.deleteLater())
        dlg.open()

    def _accepted(self, dlg: ImportManuscriptDialog) -> None:
        services, user = self.win.services, self.win.user
        if services is None or user is None:
            return
        preview, title = dlg.preview, dlg.title()
        if self.dialog is dlg:
            self.dialog = None
        self.win.editor.save_now()  # the chapter open now keeps what was typed

        def done(result: ManuscriptImported) -> None:
            self.imported = result
            message = self.tr("Imported “{0}”: {1} chapters.").format(result.project.title, len(result.chapters))
            # After the window's own "Opened …", which would replace it.
            self.win.projectOpened.connect(
                lambda _pid: self.win.status.showMessage(message, 8000), Qt.ConnectionType.SingleShotConnection
            )
            self.win.open_project(result.project.id)

        CollectionOp(self.win, lambda: services.manuscripts.accept(preview, user.id, title=title)).with_progress(
            self.tr("Creating “{0}”…").format(title), dialog=True
        ).with_timeout(WRITE_TIMEOUT_S).success(done).run()

    # -- revision diff --------------------------------------------------------------------------------
    def open_revision_diff(self, chapter_id: uuid.UUID, a: int | None = None, b: int | None = None) -> None:
        """The revision history's ``diffRequested(chapter_id, a, b)``."""
        services = self.win.services
        if services is None:
            return
        user_id = self.win.user.id if self.win.user is not None else None
        self.last_diff: RevisionDiffDialog = open_revision_diff(self.win, services, chapter_id, a, b, user_id=user_id)

    def compare_revisions(self) -> None:
        """View ▸ Compare Revisions…: the chapter open in the editor, current against previous."""
        chapter_id = getattr(self.win.editor, "chapter_id", None)
        if chapter_id is None:
            ops.show_info(
                self.win, self.tr("No chapter open"), self.tr("Open a chapter first, then compare its revisions.")
            )
            return
        self.open_revision_diff(chapter_id)
