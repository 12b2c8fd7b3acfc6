"""The editor panel's flows that involve a decision: Save Revision, conflicts, restore, reload
after another writer, and closing. A mixin so ``editor.py`` stays a readable size; it uses the
attributes :class:`~ghostline_desktop.ui.panels.editor.EditorPanel` defines.

Closing (window close, File ▸ Quit, SIGTERM) goes through :meth:`EditorFlows.flush_blocking`:
the session saves everything while the GUI waits (bounded), a conflict is put to the author
(or, when nobody can answer — a quit on a signal — the author's text is kept as a new revision
on top of theirs, so neither is lost), and text that could not be saved at all is copied to a
file in the data folder before the app goes.
"""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QWidget

from ghostline_desktop.core.editor_session import Conflict, Resolution, SaveState
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.dialogs import prompts
from ghostline_desktop.ui.panels import editor_conflict
from ghostline_desktop.ui.panels.editor_saves import Refreshed

if TYPE_CHECKING:
    from PySide6.QtWidgets import QPlainTextEdit

    from ghostline_desktop.services.dto import ChapterSummary
    from ghostline_desktop.ui.panels.editor_bars import RevisionNoteBar, WordFooter
    from ghostline_desktop.ui.panels.editor_saves import EditorSaves
    from ghostline_desktop.ui.panels.revisions import RevisionHistory

    _Base = QWidget
else:
    _Base = object

log = logging.getLogger(__name__)


class EditorFlows(_Base):
    text: QPlainTextEdit
    saves: EditorSaves
    history: RevisionHistory
    note_bar: RevisionNoteBar
    footer: WordFooter
    chapters: list[ChapterSummary]
    shown: uuid.UUID | None
    dirty: bool
    unattended: bool
    recovery_dir: Path | None
    conflicts: dict[uuid.UUID, Conflict]
    _setting_text: bool
    _edits: int
    _asking: bool
    closing: bool

    # Declared for the type checker only: the class this mixin is combined with defines these.
    def _stop_timers(self) -> None:
        raise NotImplementedError

    def save_now(self) -> None:
        raise NotImplementedError

    def _set_state(self, state: str, *, visible: bool = True, error: str | None = None) -> None:
        raise NotImplementedError

    # -- Save Revision ----------------------------------------------------------------------------
    def request_save_revision(self) -> None:
        """Ctrl+S: ask for an optional note (a second Ctrl+S saves at once)."""
        if self.shown is None:
            return
        if self.shown in self.conflicts:
            self.ask_about_conflict(self.shown)
        elif self.note_bar.isVisible():
            self.note_bar.submit()
        else:
            self.note_bar.open()

    def save_revision(self, note: str = "") -> None:
        chapter_id = self.shown
        if chapter_id is None:
            return
        if chapter_id in self.conflicts:
            self.ask_about_conflict(chapter_id)
            return
        self._stop_timers()
        self.dirty = False
        self.saves.save_revision(
            chapter_id, self.text.toPlainText(), note or None, lambda state: self._revision_saved(chapter_id, state)
        )
        self.text.setFocus()

    def _revision_saved(self, chapter_id: uuid.UUID, state: SaveState) -> None:
        if chapter_id == self.shown and state is SaveState.CLEAN:
            self.history.refresh()

    def force_save(self) -> None:
        """File ▸ Save while in conflict: put the choice to the author again."""
        if self.shown is not None and self.shown in self.conflicts:
            self.ask_about_conflict(self.shown)
        else:
            self.request_save_revision()

    # -- conflicts --------------------------------------------------------------------------------
    def chapter_title(self, chapter_id: uuid.UUID) -> str:
        return next((c.title for c in self.chapters if c.id == chapter_id), self.tr("This chapter"))

    def ask_about_conflict(self, chapter_id: uuid.UUID) -> None:
        conflict = self.conflicts.get(chapter_id)
        if conflict is None or self._asking or self.closing:
            return
        shown = chapter_id == self.shown
        mine = self.text.toPlainText() if shown else conflict.mine
        choice = self._choose(chapter_id, mine, conflict.theirs)
        if choice is None:
            return  # decide later: the chapter stays in conflict, nothing is saved over theirs
        if shown:
            self._stop_timers()
            self.dirty = False
        self.saves.resolve(
            chapter_id, choice, mine if shown else None, lambda result: self._resolved(chapter_id, choice, result)
        )

    def _choose(self, chapter_id: uuid.UUID, mine: str, theirs: str) -> Resolution | None:
        if self.unattended:
            return Resolution.KEEP_MINE  # nobody to ask: keep both (theirs stays in the history)
        self._asking = True
        try:
            return editor_conflict.ask_conflict(self, self.chapter_title(chapter_id), mine, theirs)
        finally:
            self._asking = False

    def _resolved(self, chapter_id: uuid.UUID, choice: Resolution, result: tuple[SaveState, str]) -> None:
        _state, text = result
        if chapter_id == self.shown and choice is Resolution.TAKE_THEIRS:
            self._replace_text(text)
        self.history.refresh_soon()

    def _replace_text(self, text: str) -> None:
        """Show ``text`` as one undoable edit (Ctrl+Z brings the author's back) that is not itself
        pushed: the session already holds it."""
        if text == self.text.toPlainText():
            return
        self._setting_text = True
        try:
            cursor = QTextCursor(self.text.document())
            cursor.beginEditBlock()
            cursor.select(QTextCursor.SelectionType.Document)
            cursor.insertText(text)
            cursor.endEditBlock()
        finally:
            self._setting_text = False
        self.footer.count_now(self.text.toPlainText)

    # -- another writer, restore ----------------------------------------------------------------------
    def reload_current(self) -> None:
        """The shown chapter was saved elsewhere (AI draft, CLI, second window): show their text
        if the author has nothing unsaved; otherwise the next save reports the conflict."""
        chapter_id = self.shown
        if chapter_id is None:
            return
        edits = self._edits
        self._stop_timers()
        self.dirty = False
        self.saves.refresh(chapter_id, self.text.toPlainText(), lambda r: self._reloaded(chapter_id, edits, r))

    def _reloaded(self, chapter_id: uuid.UUID, edits: int, result: Refreshed) -> None:
        if chapter_id != self.shown or not result.reloaded or result.text == self.text.toPlainText():
            return
        if self._edits == edits:
            self._replace_text(result.text)
            return
        # The author typed while their text was on its way: both texts are the author's to judge.
        choice = self._choose(chapter_id, self.text.toPlainText(), result.text)
        if choice is Resolution.TAKE_THEIRS:
            self._replace_text(result.text)
            return

        def keep_mine(_state: SaveState) -> None:
            self.dirty = True
            self.save_now()

        # Seal theirs as a revision first, then the author's text goes on top of it.
        self.saves.save_revision(chapter_id, result.text, self.tr("Changed elsewhere"), keep_mine)

    def restore_revision(self, chapter_id: uuid.UUID, number: int) -> None:
        """History ▸ Restore: the author's text is saved, then revision ``number`` becomes a new one."""
        if chapter_id != self.shown:
            return
        self._stop_timers()
        self.dirty = False
        self.text.setReadOnly(True)  # a moment: the editor's text is about to be replaced

        def done(result: Refreshed) -> None:
            if chapter_id != self.shown:
                return
            self.text.setReadOnly(False)
            if result.reloaded:
                self._replace_text(result.text)
            self.history.refresh()

        def failed(exc: BaseException) -> None:
            if chapter_id == self.shown:
                self.text.setReadOnly(False)
            ops.report_error(exc, self)

        self.saves.restore(chapter_id, self.text.toPlainText(), number, done, failed)

    # -- closing ------------------------------------------------------------------------------------
    def flush_blocking(self) -> bool:
        """Window closing: save everything and wait. False when the author chose to keep the
        window open (a conflict to look at, or text that could not be saved)."""
        self.closing = True
        kept_open = not self._flush_blocking()
        self.closing = not kept_open
        return not kept_open

    def _flush_blocking(self) -> bool:
        self._stop_timers()
        chapter_id = self.shown
        text = self.text.toPlainText() if chapter_id is not None else ""
        report = self.saves.close_blocking(chapter_id, text)
        failures: list[tuple[Any, BaseException]] = list(report.failures)
        for conflict in report.conflicts:
            conflicted = uuid.UUID(str(conflict.chapter_id))  # core keys are Hashable; ours are UUIDs
            mine = text if conflicted == chapter_id else conflict.mine
            choice = self._choose(conflicted, mine, conflict.theirs)
            if choice is None:
                return False
            try:
                self.saves.resolve_blocking(conflicted, choice)
            except Exception as exc:  # reported below with the other failures
                log.exception("Resolving the conflict of chapter %s on close failed", conflicted)
                failures.append((conflicted, exc))
            if choice is Resolution.TAKE_THEIRS and conflicted == chapter_id:
                self._replace_text(conflict.theirs)
        self.dirty = False
        if not failures:
            return True
        rescued = self._rescue(text) if chapter_id is not None else None
        reason = str(failures[0][1]) or type(failures[0][1]).__name__
        log.error("Closing with unsaved text (%s); copy: %s", reason, rescued)
        if self.unattended:
            return True
        where = (
            self.tr("A copy of the chapter is in {0}.").format(rescued)
            if rescued
            else self.tr("No copy could be written.")
        )
        return prompts.confirm(
            self,
            self.tr("Your latest words are not saved"),
            self.tr("GhostLine could not save them: {0}\n\n{1}").format(reason, where),
            self.tr("Quit Anyway"),
            self.tr("Keep Writing"),
        )

    def _rescue(self, text: str) -> Path | None:
        """Write text that could not be saved to ``<data dir>/recovered/`` (nothing is dropped)."""
        if self.recovery_dir is None or not text:
            return None
        try:
            self.recovery_dir.mkdir(parents=True, exist_ok=True)
            path = self.recovery_dir / f"{self.shown}-{time.strftime('%Y%m%d-%H%M%S')}.md"
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            log.exception("Could not write the recovery copy")
            return None
