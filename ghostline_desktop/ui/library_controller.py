"""The source library's flows: import (menu, drops, folders), retry (asking for a password when a
file is encrypted), cancel, delete, notes, and the read-only source viewer.

A controller of its own so the main window only wires signals to it (DESIGN: features do not grow
main_window.py). It reaches services through ``ui.ops`` and asks its questions through
``ui.dialogs.prompts`` (patched in tests).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from ghostline_desktop.ui import ops
from ghostline_desktop.ui.dialogs import prompts
from ghostline_desktop.ui.ops import CollectionOp, QueryOp
from ghostline_desktop.ui.panels.sources import where_text

if TYPE_CHECKING:
    from ghostline_desktop.services.dto import ImportBatch, SearchHit, SourceSummary
    from ghostline_desktop.ui.dialogs.note_editor import NoteEditorDialog
    from ghostline_desktop.ui.dialogs.source_viewer import SourceViewer
    from ghostline_desktop.ui.main_window import MainWindow

PASSWORD_CODES = ("password_required", "wrong_password")
IMPORT_TIMEOUT_S = 300.0  # queueing a folder of thousands of files; the imports themselves are jobs
MAX_LISTED = 10


def refusal_summary(refused: list[tuple[str, str]]) -> str:
    """One status-bar line for files that were not imported."""
    _name, reason = refused[0]
    more = len(refused) - 1
    return reason + (f" ({more} more file(s) were not added either.)" if more else "")


class LibraryController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.win = window
        self._viewer: SourceViewer | None = None
        self.note_dialog: NoteEditorDialog | None = None

    def _ready(self) -> bool:
        if self.win.services is None or self.win.project is None:
            text = self.tr("Open a project first, then add sources to it.")
            ops.show_info(self.win, self.tr("No project open"), text)
            return False
        return True

    # -- import -------------------------------------------------------------------------------
    def import_files(self) -> None:
        if self._ready():
            paths = prompts.choose_import_files(self.win)
            if paths:
                self.import_paths(paths)

    def import_folder(self) -> None:
        if self._ready():
            folder = prompts.choose_import_folder(self.win)
            if folder is not None:
                self.import_paths([folder])

    def import_paths(self, paths: list[Path]) -> None:
        """Dropped or chosen files and folders join the library as ingestion jobs."""
        if not self._ready():
            return
        assert self.win.services is not None and self.win.project is not None
        services, project_id = self.win.services, self.win.project.id
        user_id = self.win.user.id if self.win.user else None
        names = ", ".join(p.name for p in paths[:3]) + ("…" if len(paths) > 3 else "")
        op = CollectionOp(self.win, lambda: services.ingestion.import_paths(project_id, paths, user_id=user_id))
        op.with_progress(self.tr("Adding {0}…").format(names)).with_timeout(IMPORT_TIMEOUT_S)
        op.success(self._imported).run()

    def _imported(self, batch: ImportBatch) -> None:
        status = self.win.status
        if batch.refused:
            status.showMessage(refusal_summary(batch.refused), 12000)
        elif batch.accepted:
            n = len(batch.accepted)
            status.showMessage(
                self.tr("Importing “{0}”…").format(batch.accepted[0].title)
                if n == 1
                else self.tr("Importing {0} files…").format(n),
                5000,
            )
        else:
            status.showMessage(self.tr("No files GhostLine can read were found there."), 8000)
        if batch.refused and not batch.accepted:
            listed = "\n".join(f"• {reason}" for _n, reason in batch.refused[:MAX_LISTED])
            if len(batch.refused) > MAX_LISTED:
                listed += "\n" + self.tr("…and {0} more.").format(len(batch.refused) - MAX_LISTED)
            ops.show_info(self.win, self.tr("Nothing was imported"), listed)

    # -- rows ---------------------------------------------------------------------------------
    def retry(self, row: SourceSummary) -> None:
        """Process a failed source again; an encrypted file first asks for its password."""
        services = self.win.services
        if services is None:
            return
        password: str | None = None
        if row.error_code in PASSWORD_CODES:
            password = prompts.ask_password(
                self.win, row.original_filename or row.title, wrong=row.error_code == "wrong_password"
            )
            if password is None:
                return
        CollectionOp(self.win, lambda: services.ingestion.retry(row.id, password=password)).run()

    def retry_source(self, source_id: Any) -> None:
        """Retry from the status bar's task list, which knows the source only by id."""
        services = self.win.services
        if services is not None:
            QueryOp(self.win, lambda: services.sources.get(source_id)).success(self.retry).run()

    def cancel(self, row: SourceSummary) -> None:
        services = self.win.services
        if services is not None:
            CollectionOp(self.win, lambda: services.ingestion.cancel(row.id)).run()

    def delete(self, row: SourceSummary) -> None:
        services = self.win.services
        if services is None:
            return
        if not prompts.confirm(
            self.win,
            self.tr("Delete source"),
            self.tr("Delete “{0}” and its passages from the library? Chapters you wrote are not affected.").format(
                row.title
            ),
            self.tr("Delete"),
        ):
            return
        panel = self.win.sources
        # Started by the panel: it drops the row itself and skips the echo of its own change.
        CollectionOp(panel, lambda: services.sources.delete_source(row.id)).success(
            lambda _r: panel.remove_row(row.id)
        ).run()

    # -- notes --------------------------------------------------------------------------------
    def new_note(self) -> None:
        if self._ready():
            self._open_note(None, "", "")

    def edit_note(self, row: SourceSummary) -> None:
        services = self.win.services
        if services is not None:
            QueryOp(self.win, lambda: services.sources.get_text(row.id)).success(
                lambda text: self._open_note(row, row.title, text)
            ).run()

    def _open_note(self, row: SourceSummary | None, title: str, text: str) -> None:
        from ghostline_desktop.ui.dialogs.note_editor import NoteEditorDialog

        services, project = self.win.services, self.win.project
        if services is None or project is None:
            return
        dlg = NoteEditorDialog(title, text, note_id=row.id if row else None, parent=self.win)

        def save(new_title: str, new_text: str) -> None:
            def failed(exc: BaseException) -> None:
                dlg.save_failed()
                ops.report_error(exc, dlg)

            work = (
                (lambda: services.sources.update_note(row.id, new_title, new_text))
                if row is not None
                else (lambda: services.sources.add_note(project.id, new_title, new_text))
            )
            CollectionOp(dlg, work).with_progress(self.tr("Saving the note…")).success(lambda _s: dlg.saved()).failure(
                failed
            ).run()

        def closed(_result: int) -> None:
            if self.note_dialog is dlg:
                self.note_dialog = None
            dlg.deleteLater()

        dlg.saveRequested.connect(save)
        dlg.finished.connect(closed)
        self.note_dialog = dlg
        dlg.open()

    # -- viewer -------------------------------------------------------------------------------
    def viewer(self) -> SourceViewer:
        from ghostline_desktop.ui.dialogs.source_viewer import SourceViewer

        if self._viewer is None:
            self._viewer = SourceViewer(self.win)
        return self._viewer

    def open_source(self, row: SourceSummary) -> None:
        if self.win.services is not None:
            self.viewer().show_source(self.win.services, row.id, row.title)

    def open_passage(self, hit: SearchHit, terms: list[str] | None = None) -> None:
        """Show a search result's passage; ``terms`` (the query's words) are marked in it."""
        if self.win.services is not None:
            self.viewer().show_source(
                self.win.services,
                hit.source_id,
                hit.source_title,
                start=hit.char_start,
                end=hit.char_end,
                where=where_text(hit),
                terms=terms,
            )
