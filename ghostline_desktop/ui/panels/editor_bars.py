"""The editor's smaller bars: the Save Revision note field and the word-count footer.

Word counts come from the one counter (``core/words.py``), the same the service stores with each
save, so the footer and the chapter list agree. Counting runs on the service loop (in a worker
thread for long chapters, ``count_words_async``), debounced while typing: the GUI thread only
copies the text once per pause.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QToolButton, QWidget

from ghostline_desktop.services.dto import BookWords
from ghostline_desktop.services.text_stats import count_words_async
from ghostline_desktop.ui import ops

COUNT_DELAY_MS = 350


class RevisionNoteBar(QWidget):
    """Ctrl+S: "Save a revision" with an optional note; Enter saves, Esc closes."""

    #: The note typed (may be empty).
    saveRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("revisionNoteBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        self.label = QLabel(self.tr("Revision &note:"), self)
        self.note_edit = QLineEdit(self)
        self.note_edit.setObjectName("revisionNote")
        self.note_edit.setPlaceholderText(self.tr("optional, e.g. “Rewrote the opening scene”"))
        self.note_edit.setMinimumWidth(160)
        self.label.setBuddy(self.note_edit)
        self.save_button = QPushButton(self.tr("Save Revision"), self)
        self.save_button.setDefault(True)
        close = QToolButton(self)
        close.setText("✕")
        close.setToolTip(self.tr("Close (Esc)"))
        close.setAutoRaise(True)
        layout.addWidget(self.label)
        layout.addWidget(self.note_edit, 1)
        layout.addWidget(self.save_button)
        layout.addWidget(close)
        self.note_edit.returnPressed.connect(self.submit)
        self.save_button.clicked.connect(self.submit)
        close.clicked.connect(self.hide)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Cancel), self, self.hide)
        self.hide()

    def open(self) -> None:
        self.note_edit.clear()
        self.show()
        self.note_edit.setFocus()

    def submit(self) -> None:
        note = self.note_edit.text().strip()
        self.hide()
        self.saveRequested.emit(note)


def words_text(n: int) -> str:
    return "1 word" if n == 1 else f"{n:,} words"


class WordFooter(QWidget):
    """Chapter words (live) · book words against the project's target · revision."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.word_label = QLabel(self)
        self.word_label.setObjectName("wordCount")
        self.book_label = QLabel(self)
        self.book_label.setObjectName("panelFooter")
        self.revision_label = QLabel(self)
        self.revision_label.setObjectName("panelFooter")
        layout.addWidget(self.word_label)
        layout.addWidget(self.book_label)
        layout.addStretch(1)
        self.voice_label = QLabel(self)  # the newest revision's voice match; reasons on hover (issue 10)
        self.voice_label.setObjectName("panelFooter")
        layout.addWidget(self.voice_label)
        layout.addWidget(self.revision_label)
        self.chapter_words: int | None = None  # live count of the editor's text
        self.stored_words = 0  # the shown chapter's count inside ``book``
        self.book: BookWords | None = None
        self._source: Callable[[], str] | None = None
        self._timer = QTimer(self, singleShot=True, interval=COUNT_DELAY_MS)
        self._timer.timeout.connect(self._count)

    def clear(self) -> None:
        self._timer.stop()
        self.chapter_words = None
        self.book = None
        self.stored_words = 0
        for label in (self.word_label, self.book_label, self.revision_label, self.voice_label):
            label.setText("")

    # -- chapter words ------------------------------------------------------------------------
    def count_soon(self, source: Callable[[], str]) -> None:
        """The text changed: count it after a short pause in typing."""
        self._source = source
        self._timer.start()

    def count_now(self, source: Callable[[], str]) -> None:
        self._source = source
        self._count()

    def _count(self) -> None:
        self._timer.stop()
        if self._source is None or not ops.installed():
            return
        text = self._source()
        ops.QueryOp(self, lambda: count_words_async(text)).named(f"editor.words.{id(self)}").success(
            self.set_chapter_words
        ).failure(lambda _exc: None).run()

    def set_chapter_words(self, n: int) -> None:
        self.chapter_words = n
        self.word_label.setText(self.tr(words_text(n)))
        self._show_book()

    # -- book words ---------------------------------------------------------------------------
    def set_book(self, book: BookWords | None, stored_words: int) -> None:
        """The book's stored total and, inside it, the shown chapter's stored count (replaced by
        the live count, so the total moves as the author types)."""
        self.book = book
        self.stored_words = stored_words
        self._show_book()

    def book_words(self) -> int | None:
        if self.book is None:
            return None
        live = self.chapter_words if self.chapter_words is not None else self.stored_words
        return max(0, self.book.words - self.stored_words + live)

    def _show_book(self) -> None:
        total = self.book_words()
        if total is None or self.book is None:
            self.book_label.setText("")
            return
        if self.book.target:
            share = total / self.book.target
            text = self.tr("· Book {0:,} of {1:,} words ({2:.0%})").format(total, self.book.target, share)
        else:
            text = self.tr("· Book {0}").format(words_text(total))
        self.book_label.setText(text)

    def set_revision(self, text: str) -> None:
        self.revision_label.setText(text)

    def set_voice(self, note: Any) -> None:
        """``note``: the newest revision's ``VoiceNote`` (None: no score, nothing shown)."""
        if note is None or note.score is None:
            self.voice_label.setText("")
            self.voice_label.setToolTip("")
            return
        self.voice_label.setText(self.tr("Voice {0} ·").format(note.label))
        self.voice_label.setToolTip(self.tr(note.tooltip()))
