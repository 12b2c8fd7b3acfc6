"""The chapter editor (central widget): pick a chapter, write, and it saves itself.

Autosave: ~1.5 s after typing stops, on chapter switch and on close, through
``chapters.save_text(expected_revision=…)``. A stale revision (the chapter changed elsewhere)
is a ConflictError: the author's text stays in the editor and a clear message says what happened.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.errors import ConflictError, GhostlineError
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.widgets.find_bar import FindBar

if TYPE_CHECKING:
    from ghostline_desktop.services.container import Services

log = logging.getLogger(__name__)
AUTOSAVE_MS = 1500
_WORD = re.compile(r"\S+")

SAVED, SAVING, UNSAVED, CONFLICT = "saved", "saving", "unsaved", "conflict"


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


class EditorPanel(QWidget):
    #: The chapter shown changed (id or None).
    chapterOpened = Signal(object)
    #: Save state changed: "saved" | "saving" | "unsaved" | "conflict".
    saveStateChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editorPanel")
        self.services: Services | None = None
        self.user: UserInfo | None = None
        self.project_id: uuid.UUID | None = None
        self.chapters: list[Any] = []
        self.chapter_id: uuid.UUID | None = None
        self.revision: int | None = None
        self.dirty = False
        self.save_state = SAVED
        self._loading = False
        self._saving = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 8)
        top = QHBoxLayout()
        self.chapter_combo = QComboBox(self)
        self.chapter_combo.setObjectName("chapterSelector")
        self.chapter_combo.setMinimumWidth(260)
        self.chapter_combo.setToolTip(self.tr("Choose a chapter"))
        self.new_chapter_button = QPushButton(self.tr("New chapter…"), self)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("saveState")
        top.addWidget(QLabel(self.tr("Chapter:"), self))
        top.addWidget(self.chapter_combo, 1)
        top.addWidget(self.new_chapter_button)
        top.addStretch(0)
        top.addWidget(self.state_label)
        layout.addLayout(top)

        self.title_label = QLabel(self)
        self.title_label.setObjectName("chapterTitle")
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setWordWrap(True)
        layout.addWidget(self.title_label)

        self.stack = QStackedWidget(self)
        self.text = QPlainTextEdit(self.stack)
        self.text.setObjectName("chapterText")
        self.text.setTabChangesFocus(False)
        text_font = QFont(self.text.font())
        text_font.setPointSizeF(max(11.0, text_font.pointSizeF() * 1.15))
        self.text.setFont(text_font)
        self.placeholder = QLabel(self.stack)
        self.placeholder.setObjectName("emptyState")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.stack.addWidget(self.text)
        self.stack.addWidget(self.placeholder)
        layout.addWidget(self.stack, 1)

        self.find_bar = FindBar(self.text, self)
        layout.addWidget(self.find_bar)
        bottom = QHBoxLayout()
        self.word_label = QLabel(self)
        self.word_label.setObjectName("wordCount")
        self.revision_label = QLabel(self)
        self.revision_label.setObjectName("panelFooter")
        bottom.addWidget(self.word_label)
        bottom.addStretch(1)
        bottom.addWidget(self.revision_label)
        layout.addLayout(bottom)

        self._autosave = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self._autosave.timeout.connect(self.save_now)
        self.text.textChanged.connect(self._text_changed)
        self.chapter_combo.activated.connect(self._combo_activated)
        self.new_chapter_button.clicked.connect(self.ask_new_chapter)
        self.close_project()

    # -- lifecycle ------------------------------------------------------------------------
    def attach(self, services: Services, user: UserInfo) -> None:
        self.services = services
        self.user = user

    def open_project(self, project_id: uuid.UUID) -> None:
        self.save_now()
        self.project_id = project_id
        self.chapter_id = None
        self.revision = None
        self._show_placeholder(self.tr("Loading chapters…"))
        self.refresh_chapters()

    def close_project(self) -> None:
        self.save_now()
        self.project_id = None
        self.chapters = []
        self.chapter_id = None
        self.revision = None
        self.chapter_combo.clear()
        self.chapter_combo.setEnabled(False)
        self.new_chapter_button.setEnabled(False)
        self._show_placeholder(self.tr("No project is open."))

    def _show_placeholder(self, text: str) -> None:
        self._loading = True
        self.text.setPlainText("")
        self._loading = False
        self.dirty = False
        self.title_label.setText("")
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)
        self.word_label.setText("")
        self.revision_label.setText("")
        self._set_state(SAVED, visible=False)

    # -- chapter list ---------------------------------------------------------------------
    def refresh_chapters(self) -> None:
        if self.services is None or self.project_id is None:
            return
        project_id = self.project_id
        ops.QueryOp(self, self.services.chapters.list_chapters(project_id)).named(f"chapters.list.{id(self)}").success(
            lambda rows: self._chapters_loaded(project_id, rows)
        ).run()

    def _chapters_loaded(self, project_id: uuid.UUID, rows: list[Any]) -> None:
        if project_id != self.project_id:
            return
        self.chapters = sorted(rows, key=lambda c: (c.order, c.title))
        self.chapter_combo.blockSignals(True)
        self.chapter_combo.clear()
        for ch in self.chapters:
            self.chapter_combo.addItem(f"{ch.order}. {ch.title}", ch.id)
        self.chapter_combo.blockSignals(False)
        self.chapter_combo.setEnabled(bool(self.chapters))
        self.new_chapter_button.setEnabled(True)
        if not self.chapters:
            self._show_placeholder(self.tr("This project has no chapters yet.\n\nUse “New chapter…” to start writing."))
            self.new_chapter_button.setEnabled(True)
            return
        if self.chapter_id is not None and any(c.id == self.chapter_id for c in self.chapters):
            self._select_combo(self.chapter_id)
        else:  # nothing open yet, or the open chapter was deleted elsewhere
            self.open_chapter(self.chapters[0].id)

    def combo_index(self, chapter_id: uuid.UUID) -> int:
        """findData() compares Python objects by identity, so equal UUIDs would not match."""
        for i in range(self.chapter_combo.count()):
            if self.chapter_combo.itemData(i) == chapter_id:
                return i
        return -1

    def _select_combo(self, chapter_id: uuid.UUID) -> None:
        idx = self.combo_index(chapter_id)
        if idx >= 0:
            self.chapter_combo.blockSignals(True)
            self.chapter_combo.setCurrentIndex(idx)
            self.chapter_combo.blockSignals(False)

    def _combo_activated(self, index: int) -> None:
        chapter_id = self.chapter_combo.itemData(index)
        if chapter_id is not None and chapter_id != self.chapter_id:
            self.open_chapter(chapter_id)

    def find_chapter(self, position: dict[str, Any], title: str) -> Any | None:
        """The chapter matching an outline entry: by outline_position first, then by title."""
        for ch in self.chapters:
            pos = ch.outline_position or {}
            if (
                "part" in pos
                and "chapter" in pos
                and (pos["part"], pos["chapter"])
                == (
                    position.get("part"),
                    position.get("chapter"),
                )
            ):
                return ch
        wanted = " ".join(title.split()).casefold()
        for ch in self.chapters:
            if " ".join(ch.title.split()).casefold() == wanted:
                return ch
        return None

    # -- one chapter ----------------------------------------------------------------------
    def open_chapter(self, chapter_id: uuid.UUID) -> None:
        if self.services is None:
            return
        if chapter_id == self.chapter_id and not self._loading:
            return
        self.save_now()  # the chapter being left keeps what was typed
        self.chapter_id = chapter_id
        # Until the new text arrives the widget still shows the old chapter: keystrokes now
        # would be saved into the new one.
        self.text.setReadOnly(True)
        self._select_combo(chapter_id)

        def failed(exc: BaseException) -> None:
            self.text.setReadOnly(False)
            ops.report_error(exc, self)

        ops.QueryOp(self, self.services.chapters.get(chapter_id)).named(f"chapters.get.{id(self)}").success(
            self._chapter_loaded
        ).failure(failed).run()

    def _chapter_loaded(self, chapter: Any) -> None:
        if chapter.id != self.chapter_id:
            return
        self._loading = True
        self.text.setPlainText(chapter.content or "")
        self.text.document().clearUndoRedoStacks()  # undo must not step back into another chapter
        self._loading = False
        self.revision = chapter.revision_number
        self.dirty = False
        self.title_label.setText(chapter.title)
        self.stack.setCurrentWidget(self.text)
        self.text.setReadOnly(False)
        self._update_words()
        self._update_revision_label()
        self._set_state(SAVED)
        self.chapterOpened.emit(chapter.id)

    def reload_current(self) -> None:
        """Fetch the current chapter again (it was saved elsewhere and we have nothing unsaved)."""
        if self.chapter_id is not None and self.services is not None:
            ops.QueryOp(self, self.services.chapters.get(self.chapter_id)).success(self._chapter_loaded).run()

    def on_chapter_saved(self, event: Any) -> None:
        """Bridge slot: another writer (AI draft, CLI, second window) saved a chapter."""
        if event.project_id != self.project_id:
            return
        if not any(c.id == event.chapter_id for c in self.chapters):
            self.refresh_chapters()
        if (
            event.chapter_id == self.chapter_id
            and not self._saving
            and not self.dirty
            and self.revision is not None
            and event.revision_number > self.revision
        ):
            self.reload_current()

    # -- editing & saving ---------------------------------------------------------------------
    def _text_changed(self) -> None:
        if self._loading or self.chapter_id is None:
            return
        self.dirty = True
        self._update_words()
        if self.save_state != CONFLICT:
            self._set_state(UNSAVED)
        self._autosave.start()

    def save_now(self) -> None:
        """Start saving the current text if it changed (non-blocking)."""
        self._autosave.stop()
        if not self.dirty or self.chapter_id is None or self.services is None or self.save_state == CONFLICT:
            return
        if self._saving:
            self._autosave.start()  # one save at a time, or we would conflict with ourselves
            return
        chapter_id, content, expected = self.chapter_id, self.text.toPlainText(), self.revision
        self._saving = True
        self._set_state(SAVING)
        ops.CollectionOp(
            self,
            self.services.chapters.save_text(
                chapter_id, content, user_id=self.user.id if self.user else None, expected_revision=expected
            ),
        ).success(lambda result: self._saved(chapter_id, content, result)).failure(
            lambda exc: self._save_failed(chapter_id, exc)
        ).run()

    def _saved(self, chapter_id: uuid.UUID, content: str, result: Any) -> None:
        self._saving = False
        if chapter_id != self.chapter_id:
            return  # saved on the way out of a chapter
        self.revision = result.revision_number
        self._update_revision_label()
        if self.text.toPlainText() == content:
            self.dirty = False
            self._set_state(SAVED)
        else:
            self._set_state(UNSAVED)
            self._autosave.start()

    def _save_failed(self, chapter_id: uuid.UUID, exc: BaseException) -> None:
        self._saving = False
        if isinstance(exc, ConflictError):
            if chapter_id == self.chapter_id:
                self._set_state(CONFLICT)
            ops.show_error(
                self,
                self.tr("Chapter changed elsewhere"),
                self.tr(
                    "This chapter was saved from somewhere else since you opened it, so your edits were not "
                    "saved over it. Your text is still in the editor: copy what you need, then reopen the "
                    "chapter, or use File ▸ Save to keep your version as a new revision."
                ),
            )
        else:
            if chapter_id == self.chapter_id:
                self._set_state(UNSAVED)
            ops.report_error(exc, self)

    def force_save(self) -> None:
        """Save the editor's text as a new revision even after a conflict (author chose to keep theirs)."""
        if self.chapter_id is None or self.services is None:
            return
        chapter_id, services = self.chapter_id, self.services

        async def latest_revision() -> int:
            return int((await services.chapters.get(chapter_id)).revision_number)

        def got(rev: int) -> None:
            if chapter_id == self.chapter_id:
                self.revision = rev
                self.dirty = True
                self.save_state = UNSAVED
                self.save_now()

        ops.QueryOp(self, latest_revision()).success(got).run()

    def flush_blocking(self) -> None:
        """Last save when the window closes: waits for the service (only place the GUI blocks)."""
        self._autosave.stop()
        if not self.dirty or self.chapter_id is None or self.services is None or self.save_state == CONFLICT:
            return
        try:
            ops.run_blocking(
                self.services.chapters.save_text(
                    self.chapter_id,
                    self.text.toPlainText(),
                    user_id=self.user.id if self.user else None,
                    expected_revision=self.revision,
                )
            )
            self.dirty = False
        except GhostlineError:
            log.exception("Final save of chapter %s failed", self.chapter_id)

    def ask_new_chapter(self) -> None:
        if self.services is None or self.project_id is None:
            return
        title, ok = QInputDialog.getText(self, self.tr("New chapter"), self.tr("Chapter title:"))
        if ok and title.strip():
            self.create_chapter(title.strip())

    def create_chapter(self, title: str) -> None:
        if self.services is None or self.project_id is None:
            return

        def created(ch: Any) -> None:
            self.chapter_id = None
            self.refresh_chapters()
            self.open_chapter(ch.id)

        ops.CollectionOp(self, self.services.chapters.create(self.project_id, title)).success(created).run()

    # -- display ----------------------------------------------------------------------------
    def _update_words(self) -> None:
        n = count_words(self.text.toPlainText())
        self.word_label.setText(self.tr("{0:,} words").format(n) if n != 1 else self.tr("1 word"))

    def _update_revision_label(self) -> None:
        self.revision_label.setText(self.tr("Revision {0}").format(self.revision) if self.revision else "")

    def _set_state(self, state: str, *, visible: bool = True) -> None:
        self.save_state = state
        text = {
            SAVED: self.tr("✓ Saved"),
            SAVING: self.tr("Saving…"),
            UNSAVED: self.tr("● Unsaved"),
            CONFLICT: self.tr("⚠ Not saved (changed elsewhere)"),
        }[state]
        self.state_label.setText(text if visible else "")
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
