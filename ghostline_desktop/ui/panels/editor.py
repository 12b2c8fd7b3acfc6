"""The chapter editor (central widget): pick a chapter, write in Markdown, and it keeps every word.

Saving follows ``core.editor_session`` (run on the service loop by :mod:`editor_saves`): the
panel only forwards events and draws the state. Autosave keeps the chapter's *working text*
(updated in place, no revision spam) a couple of seconds after typing stops — and at most
:data:`AUTOSAVE_MAX_MS` after the first unsaved keystroke while typing goes on, so a crash loses
only the last few seconds — and on chapter switch, focus loss and close. Save Revision (Ctrl+S,
with an optional note) makes a checkpoint; so does the first save after a pause of the
Preferences' "checkpoint after" minutes. While a chapter loads the editor is read-only; a
conflict shows both texts (:mod:`editor_conflict`); closing waits for the saves and asks about
conflicts instead of dropping text.

Beside the text: the revision history (:mod:`revisions`), and under it the word counts for the
chapter and the book against the project's target (:mod:`editor_bars`).
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.core.editor_session import Conflict, SaveState
from ghostline_desktop.services.dto import ChapterSummary, ChapterText, UserInfo
from ghostline_desktop.services.labels import CHAPTER_STATUS_LABELS
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.panels import editor_test_hook
from ghostline_desktop.ui.panels.editor_bars import RevisionNoteBar, WordFooter
from ghostline_desktop.ui.panels.editor_chapters import EditorChapterList
from ghostline_desktop.ui.panels.editor_flows import EditorFlows
from ghostline_desktop.ui.panels.editor_saves import EditorSaves, StateReport
from ghostline_desktop.ui.panels.revisions import RevisionHistory
from ghostline_desktop.ui.theme import editor_font
from ghostline_desktop.ui.widgets.find_bar import FindBar
from ghostline_desktop.ui.widgets.markdown_highlighter import MarkdownHighlighter

if TYPE_CHECKING:
    from ghostline_desktop.config import Settings
    from ghostline_desktop.services.container import Services

log = logging.getLogger(__name__)
#: Autosave this long after typing stops…
AUTOSAVE_MS = 2000
#: …and at the latest this long after the first unsaved keystroke, even while typing goes on.
AUTOSAVE_MAX_MS = 4000
#: After a failed save (database unreachable), try again this often.
RETRY_MS = 5000
BOOK_REFRESH_MS = 800
#: The history's share of the editor area when it first shows: enough for its columns, the rest
#: is the page (the author can drag the splitter or hide the history).
HISTORY_WIDTH = 380

SAVED, SAVING, UNSAVED, CONFLICT, LOADING = "saved", "saving", "unsaved", "conflict", "loading"
STATUSES = ("PLANNED", "DRAFT", "REVIEWING", "APPROVED")


class EditorPanel(EditorFlows, EditorChapterList, QWidget):
    #: The chapter shown changed (id or None).
    chapterOpened = Signal(object)
    #: Save state changed: "saved" | "saving" | "unsaved" | "conflict" | "loading".
    saveStateChanged = Signal(str)
    #: (chapter id, revision a, revision b) from the history: for the diff view.
    diffRequested = Signal(object, int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editorPanel")
        self.services: Services | None = None
        self.user: UserInfo | None = None
        self.project_id: uuid.UUID | None = None
        self.chapters: list[ChapterSummary] = []
        self.chapter_id: uuid.UUID | None = None  # the chapter shown or being opened
        self.shown: uuid.UUID | None = None  # the chapter whose text is in the editor (None while loading)
        self.details: ChapterText | None = None
        self.save_state = SAVED
        self.dirty = False  # typed since the text was last handed to the session
        self.unattended = False  # quitting on a signal: nobody can answer a question
        self.recovery_dir: Path | None = None
        self._setting_text = False
        self._edits = 0  # keystroke counter: tells a reload whether the author typed meanwhile
        self.conflicts: dict[uuid.UUID, Conflict] = {}
        self._states: dict[uuid.UUID, StateReport] = {}  # the session's last word on each chapter
        self._asking = False  # a conflict dialog is open
        self._asked: set[uuid.UUID] = set()  # conflicts already put to the author once
        self.closing = False
        self.saves = EditorSaves(self)
        self._build()
        self.close_project()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 8)
        top = QHBoxLayout()
        self.chapter_combo = QComboBox(self)
        self.chapter_combo.setObjectName("chapterSelector")
        # Narrow minimums: with both docks open the window must still fit a 1200-pixel screen.
        self.chapter_combo.setMinimumWidth(110)
        self.chapter_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.chapter_combo.setMinimumContentsLength(10)
        self.chapter_combo.setToolTip(self.tr("Choose a chapter"))
        self.new_chapter_button = QPushButton(self.tr("New Chapter…"), self)
        # Fixed: laid out at its styled size hint, never squeezed into a clipped "ew Chapter".
        self.new_chapter_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("chapterStatus")
        self.status_combo.setToolTip(self.tr("Where this chapter stands: planned → draft → reviewing → approved"))
        self.status_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.status_combo.setMinimumContentsLength(7)
        for name in STATUSES:
            self.status_combo.addItem(self.tr(CHAPTER_STATUS_LABELS[name]), name)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("saveState")
        self.history_button = QPushButton(self.tr("History"), self)
        self.history_button.setCheckable(True)
        self.history_button.setChecked(True)
        self.history_button.setToolTip(self.tr("Show or hide the chapter's revisions"))
        chapter_label = QLabel(self.tr("&Chapter:"), self)
        chapter_label.setBuddy(self.chapter_combo)
        status_label = QLabel(self.tr("S&tatus:"), self)
        status_label.setBuddy(self.status_combo)
        top.addWidget(chapter_label)
        top.addWidget(self.chapter_combo, 1)
        top.addWidget(self.new_chapter_button)
        top.addSpacing(6)
        # The status combo speaks for itself ("Draft", "Approved"); its label would cost the
        # width that keeps the window within a 1200-pixel screen.
        status_label.hide()
        self.status_combo.setAccessibleName(self.tr("Chapter status"))
        top.addWidget(self.status_combo)
        top.addStretch(0)
        top.addWidget(self.state_label)
        top.addWidget(self.history_button)
        layout.addLayout(top)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        page = QWidget(self.splitter)
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        self.title_label = QLabel(page)
        self.title_label.setObjectName("chapterTitle")
        self.title_label.setWordWrap(True)
        page_layout.addWidget(self.title_label)
        self.stack = QStackedWidget(page)
        self.text = QPlainTextEdit(self.stack)
        self.text.setObjectName("chapterText")
        self.text.setTabChangesFocus(False)
        self.text.setFont(editor_font())
        self.highlighter = MarkdownHighlighter(self.text.document(), self.text.font())
        self.placeholder = QLabel(self.stack)
        self.placeholder.setObjectName("emptyState")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.stack.addWidget(self.text)
        self.stack.addWidget(self.placeholder)
        page_layout.addWidget(self.stack, 1)
        self.history = RevisionHistory(self.splitter)
        self.splitter.addWidget(page)
        self.splitter.addWidget(self.history)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self._sized = False
        layout.addWidget(self.splitter, 1)
        # Under both the page and the history: the bars need the editor's full width.
        self.find_bar = FindBar(self.text, self)
        layout.addWidget(self.find_bar)
        self.note_bar = RevisionNoteBar(self)
        layout.addWidget(self.note_bar)
        self.footer = WordFooter(self)
        self.word_label = self.footer.word_label  # the chapter's words (other panels' tests read it)
        layout.addWidget(self.footer)

        self._autosave = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self._autosave.timeout.connect(self.save_now)
        self._autosave_max = QTimer(self, singleShot=True, interval=AUTOSAVE_MAX_MS)
        self._autosave_max.timeout.connect(self.save_now)
        self._retry = QTimer(self, singleShot=True, interval=RETRY_MS)
        self._retry.timeout.connect(self._retry_save)
        self._book_timer = QTimer(self, singleShot=True, interval=BOOK_REFRESH_MS)
        self._book_timer.timeout.connect(self.refresh_book_words)
        self.text.textChanged.connect(self._text_changed)
        self.text.installEventFilter(self)
        self.chapter_combo.activated.connect(self._combo_activated)
        self.status_combo.activated.connect(self._status_chosen)
        self.new_chapter_button.clicked.connect(self.ask_new_chapter)
        self.history_button.toggled.connect(self.history.setVisible)
        self.history.restoreRequested.connect(self.restore_revision)
        self.history.diffRequested.connect(self.diffRequested)
        self.history.loaded.connect(self._history_loaded)
        self.note_bar.saveRequested.connect(self.save_revision)
        self.saves.stateReported.connect(self._on_state)

    # -- lifecycle ------------------------------------------------------------------------
    def attach(self, services: Services, user: UserInfo) -> None:
        self.services = services
        self.user = user
        self.saves.attach(services, user.id)
        self.history.attach(services)

    def apply_settings(self, settings: Settings) -> None:
        """Preferences: the pause that makes a checkpoint; where unsaveable text is rescued."""
        self.saves.set_checkpoint_minutes(settings.checkpoint_after_minutes)
        self.recovery_dir = settings.data_dir / "recovered"

    def open_project(self, project_id: uuid.UUID) -> None:
        self._leave()
        self.project_id = project_id
        self._show_placeholder(self.tr("Loading chapters…"))
        self.refresh_chapters()

    def close_project(self) -> None:
        self._leave()
        self.project_id = None
        self.chapters = []
        self.chapter_combo.clear()
        self.chapter_combo.setEnabled(False)
        self.new_chapter_button.setEnabled(False)
        self._show_placeholder(self.tr("No project is open."))

    def _leave(self) -> None:
        """Hand the shown chapter's text to the session (it saves it) and show nothing."""
        self.save_now()
        self.chapter_id = None
        self.shown = None
        self.details = None

    def _show_placeholder(self, text: str) -> None:
        self.shown = None
        self._set_text("")
        self.dirty = False
        self.title_label.setText("")
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)
        self.status_combo.setEnabled(False)
        self.footer.clear()
        self.history.show_chapter(None)
        self._set_state(SAVED, visible=False)

    def set_focus_mode(self, on: bool) -> None:
        """Focus mode: only the text; the history comes back with the button's choice."""
        self.history.setVisible(not on and self.history_button.isChecked())
        self.history_button.setVisible(not on)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._sized:
            # Once the real width is known (after this layout pass): QSplitter scales sizes given earlier.
            self._sized = True
            QTimer.singleShot(0, self._size_history)

    def _size_history(self) -> None:
        total = self.splitter.width()
        # The page is what the author came for: the history takes at most a third.
        history = max(self.history.minimumSizeHint().width(), min(HISTORY_WIDTH, total // 3))
        self.splitter.setSizes([total - history, history])

    # -- one chapter ----------------------------------------------------------------------
    def open_chapter(self, chapter_id: uuid.UUID) -> None:
        if self.services is None or chapter_id == self.chapter_id:
            return
        self._stop_timers()
        leaving = (self.shown, self.text.toPlainText()) if self.shown is not None else None
        self.dirty = False
        self.chapter_id = chapter_id
        self.shown = None
        # Until the new text arrives the widget still shows the old chapter: keys pressed now
        # must not land anywhere (the session would refuse them too).
        self.text.setReadOnly(True)
        self._select_combo(chapter_id)
        self._set_state(LOADING)

        def failed(exc: BaseException) -> None:
            if self.chapter_id == chapter_id:
                self.chapter_id = None
                self._show_placeholder(self.tr("This chapter could not be opened."))
            ops.report_error(exc, self)

        self.saves.open(chapter_id, leaving, self._chapter_loaded, failed)

    def _chapter_loaded(self, result: tuple[Any, ChapterText]) -> None:
        opened, details = result
        if opened.chapter_id != self.chapter_id or not opened.shown:
            return  # the author picked another chapter meanwhile
        self._set_text(opened.text)
        self.text.document().clearUndoRedoStacks()  # undo must not step back into another chapter
        self.text.moveCursor(QTextCursor.MoveOperation.Start)
        self.shown = opened.chapter_id
        self.details = details
        self.dirty = False
        self.title_label.setText(details.title)
        self._show_status(details.status)
        self.stack.setCurrentWidget(self.text)
        self.text.setReadOnly(False)
        self._show_report(self._states.get(opened.chapter_id) or StateReport(opened.chapter_id, SaveState.CLEAN))
        self.footer.set_chapter_words(details.word_count)  # stored count, same counter; confirmed below
        self.footer.count_now(self.text.toPlainText)
        self.footer.set_revision("")
        self.footer.set_voice(None)  # the last chapter's score stayed until this one's arrived
        self.history.show_chapter(opened.chapter_id)
        self.refresh_book_words()
        self.chapterOpened.emit(opened.chapter_id)
        editor_test_hook.maybe_type(self.text)

    def _show_status(self, status: str) -> None:
        idx = self.status_combo.findData(status)
        self.status_combo.setCurrentIndex(max(0, idx))
        self.status_combo.setEnabled(self.services is not None and self.chapter_id is not None)

    def _status_chosen(self, index: int) -> None:
        status, chapter_id, services = self.status_combo.itemData(index), self.chapter_id, self.services
        if services is None or chapter_id is None:
            return
        ops.CollectionOp(self, lambda: services.chapters.set_status(chapter_id, status)).success(
            self._status_saved
        ).run()

    def _status_saved(self, summary: ChapterSummary) -> None:
        self.chapters = [summary if c.id == summary.id else c for c in self.chapters]
        if summary.id == self.chapter_id:
            self._show_status(summary.status)

    def on_chapter_saved(self, event: Any) -> None:
        """Bridge slot: a chapter's text was saved (by this editor, an AI draft, the CLI…)."""
        if event.project_id != self.project_id:
            return
        if not any(c.id == event.chapter_id for c in self.chapters):
            self.refresh_chapters()
        self._book_timer.start()
        if event.chapter_id != self.shown:
            return
        self.history.refresh_soon()
        if getattr(self, "streaming", False):
            return  # an AI draft is streaming into the page; editor_stream reopens the chapter after
        if not ops.is_own(event, self):
            self.reload_current()

    # -- editing & saving ---------------------------------------------------------------------
    def _set_text(self, text: str) -> None:
        self._setting_text = True
        try:
            self.text.setPlainText(text)
        finally:
            self._setting_text = False

    def _text_changed(self) -> None:
        if self._setting_text or self.shown is None:
            return
        self._edits += 1
        self.dirty = True
        if self.save_state not in (CONFLICT, UNSAVED):
            self._set_state(UNSAVED)
        self._autosave.start()
        if not self._autosave_max.isActive():
            self._autosave_max.start()
        self.footer.count_soon(self.text.toPlainText)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.text and event.type() == QEvent.Type.FocusOut:
            self.save_now()  # focus lost: the author went elsewhere; keep what was typed
        return super().eventFilter(watched, event)

    def _stop_timers(self) -> None:
        for timer in (self._autosave, self._autosave_max, self._retry):
            timer.stop()

    def save_now(self) -> None:
        """Autosave: hand the text to the session, which saves it (non-blocking)."""
        self._stop_timers()
        if self.shown is None or not self.dirty or self.services is None:
            return
        self.dirty = False
        self.saves.push(self.shown, self.text.toPlainText())

    def _retry_save(self) -> None:
        if self.shown is not None and self.save_state == UNSAVED:
            self.dirty = True
            self.save_now()

    def _on_state(self, report: StateReport) -> None:
        """The session's news about one chapter (queued from the service loop)."""
        chapter_id = report.chapter_id
        self._states[chapter_id] = report
        if report.state is SaveState.CONFLICT and report.conflict is not None:
            self.conflicts[chapter_id] = report.conflict
        else:
            self.conflicts.pop(chapter_id, None)
            self._asked.discard(chapter_id)
        if chapter_id == self.chapter_id:
            self._show_report(report)
        elif report.error is not None and report.state is SaveState.DIRTY and not self.closing:
            ops.report_error(report.error, self)  # a chapter left behind could not be saved
        if chapter_id in self.conflicts and chapter_id not in self._asked and not self.closing:
            # Asked once per conflict (pushes while it is open report it again); Ctrl+S asks again.
            self._asked.add(chapter_id)
            QTimer.singleShot(0, lambda: self.ask_about_conflict(chapter_id))

    def _show_report(self, report: StateReport) -> None:
        state = report.state
        if state is SaveState.LOADING:
            self._set_state(LOADING)
        elif state is SaveState.CONFLICT:
            self._set_state(CONFLICT)
        elif state is SaveState.SAVING:
            self._set_state(UNSAVED if self.dirty else SAVING)
        elif state is SaveState.DIRTY and report.error is not None:
            self._set_state(UNSAVED, error=str(report.error))
            self._retry.start()
        elif state is SaveState.DIRTY or self.dirty:
            self._set_state(UNSAVED)
        else:
            self._set_state(SAVED)
            self.history.refresh_soon()

    def _history_loaded(self, rows: list[Any]) -> None:
        if not rows:
            self.footer.set_revision("")
            return
        newest = rows[0]
        sealed = [r for r in rows if r.sealed]
        if newest.sealed:
            text = self.tr("Revision {0}").format(newest.revision_number)
        elif sealed:
            text = self.tr("Revision {0} + working text").format(sealed[0].revision_number)
        else:
            text = self.tr("Working text (no revision yet)")
        self.footer.set_revision(text)

    def refresh_book_words(self) -> None:
        self._book_timer.stop()
        if self.services is None or self.project_id is None:
            return
        services, project_id, chapter_id = self.services, self.project_id, self.shown

        async def load() -> tuple[Any, int]:
            book = await services.chapters.book_words(project_id)
            stored = (await services.chapters.summary(chapter_id)).word_count if chapter_id else 0
            return book, stored

        def show(result: tuple[Any, int]) -> None:
            if project_id == self.project_id and chapter_id == self.shown:
                self.footer.set_book(*result)

        ops.QueryOp(self, load).named(f"editor.book.{id(self)}").success(show).failure(lambda _e: None).run()

    # -- display ----------------------------------------------------------------------------
    def _set_state(self, state: str, *, visible: bool = True, error: str | None = None) -> None:
        self.save_state = state
        text = {
            SAVED: self.tr("✓ Saved"),
            SAVING: self.tr("Saving…"),
            UNSAVED: self.tr("● Unsaved"),
            CONFLICT: self.tr("⚠ Changed elsewhere"),
            LOADING: self.tr("Opening…"),
        }[state]
        if error:
            text = self.tr("⚠ Not saved — retrying")
        self.state_label.setText(text if visible else "")
        tip = error or ""
        if state == CONFLICT and not tip:
            tip = self.tr("This chapter changed elsewhere. Save Revision (Ctrl+S) shows both texts to choose from.")
        self.state_label.setToolTip(tip)
        self.state_label.setProperty("state", state)
        self.state_label.style().unpolish(self.state_label)
        self.state_label.style().polish(self.state_label)
        self.saveStateChanged.emit(state)

    # -- edit menu hooks ---------------------------------------------------------------------
    def undo(self) -> None:
        self.text.undo()

    def redo(self) -> None:
        self.text.redo()

    def open_find(self) -> None:
        if self.stack.currentWidget() is self.text:
            self.find_bar.open()

    # -- QA (issue 11): jump to a finding ------------------------------------------------------
    def select_range(self, start: int, end: int) -> None:
        """Select and highlight ``text[start:end]`` of the chapter shown and scroll to it.

        Offsets are Python code points (what QA findings store); the document counts UTF-16
        units, so text with emoji or other astral characters is converted. The highlight stays
        until the next edit (QAController clears it)."""
        from PySide6.QtGui import QColor
        from PySide6.QtWidgets import QTextEdit

        text = self.text.toPlainText()
        start = max(0, min(start, len(text)))
        end = max(start, min(end, len(text)))

        def unit(i: int) -> int:
            return len(text[:i].encode("utf-16-le")) // 2

        cursor = self.text.textCursor()
        cursor.setPosition(unit(start))
        cursor.setPosition(unit(end), QTextCursor.MoveMode.KeepAnchor)
        self.text.setTextCursor(cursor)
        self.text.centerCursor()
        # The mark covers the passage's paragraph(s): the selection is painted over extra
        # selections, so a mark on the exact range was hidden under the theme's pale selection
        # colour and a jump to a QA finding showed next to nothing.
        around = QTextCursor(cursor)
        around.setPosition(cursor.selectionStart())
        around.movePosition(QTextCursor.MoveOperation.StartOfBlock)
        around.setPosition(cursor.selectionEnd(), QTextCursor.MoveMode.KeepAnchor)
        around.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        mark = QTextEdit.ExtraSelection()
        mark.cursor = around
        mark.format.setBackground(QColor("#fde68a"))
        mark.format.setForeground(QColor("#1a202c"))
        self.text.setExtraSelections([mark])
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)
