"""A streamed AI draft appearing in the editor as it arrives (issue 8).

How it stays smooth: the service loop drops each delta, stamped with its arrival time, into a
deque (thread-safe appends/pops); a GUI timer drains it every ``FLUSH_MS`` and appends the batch
at the end of the document with one ``QTextCursor.insertText`` — never a ``setPlainText`` per
delta, which would re-lay out the whole chapter. 200 tokens/s arrive as ~8 inserts a second of
~25 tokens each, and a token is on screen at most one flush interval plus a paint after it came.

While streaming the editor is read-only (the author's keys would land in the middle of the
draft) and nothing autosaves (the text is inserted with the editor's ``_setting_text`` guard, so
it never becomes "dirty"); a banner says what is being written and offers Cancel. When the job
ends, the revision the job saved (complete, or kept as
incomplete) loads through the save session's refresh, with its base for the next save; a failed
job that saved nothing brings back the author's own text.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ghostline_desktop.core.words import count_words

if TYPE_CHECKING:
    from ghostline_desktop.ui.panels.editor import EditorPanel
    from ghostline_desktop.ui.panels.editor_saves import Refreshed

#: Drain interval: well under the 100 ms arrival-to-visible target, yet batches of several tokens.
FLUSH_MS = 40


class StreamBanner(QFrame):
    """ "Writing chapter 3 with the AI… 412 words  [Cancel]" above the text."""

    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("streamBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 6, 4)
        self.label = QLabel(self)
        self.label.setObjectName("streamLabel")
        self.count = QLabel(self)
        self.count.setObjectName("streamCount")
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("streamCancel")
        self.cancel_button.setToolTip(self.tr("Stop the AI; what it wrote so far is kept as an incomplete revision"))
        row.addWidget(self.label, 1)
        row.addWidget(self.count)
        row.addWidget(self.cancel_button)
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.hide()


class EditorStream(QObject):
    """Feeds one streamed job at a time into the editor."""

    #: The chapter whose stream ended (the editor reopened it).
    ended = Signal(object)

    def __init__(self, editor: EditorPanel) -> None:
        super().__init__(editor)
        self.editor = editor
        self.buffer: deque[tuple[float, str]] = deque()
        self.chapter_id: uuid.UUID | None = None
        self.job_id: uuid.UUID | None = None
        self.active = False
        self.detached = False  # the author opened another chapter: the job goes on unseen
        self.original = ""
        self.chars = 0
        self.words = 0  # summed per batch (pieces end at spaces, so words are rarely split)
        self.latencies: list[float] = []  # seconds from a delta's arrival to its insertion (bench)
        self.last_batch: list[float] = []  # arrival times of the batch inserted last (the bench's paint hook)
        self.banner = StreamBanner(editor)
        layout = editor.layout()
        if layout is not None:  # under the chapter bar, above the page
            layout.insertWidget(1, self.banner)  # type: ignore[attr-defined]
        self.timer = QTimer(self)
        self.timer.setInterval(FLUSH_MS)
        self.timer.timeout.connect(self.flush)

    # -- from the service thread ------------------------------------------------------------
    def feed(self, text: str) -> None:
        """A delta arrived (any thread): stamped, queued for the next flush."""
        self.buffer.append((time.perf_counter(), text))

    # -- GUI thread -------------------------------------------------------------------------
    def begin(self, chapter_id: uuid.UUID, label: str) -> None:
        ed = self.editor
        ed.save_now()  # the author's last keystrokes first (the job seals them as a revision)
        ed._stop_timers()
        self.buffer.clear()
        self.latencies = []
        self.chars = 0
        self.words = 0
        self.chapter_id = chapter_id
        self.job_id = None
        self.active = True
        self.detached = ed.shown != chapter_id
        self.original = ed.text.toPlainText()  # what the save session knows (after save_now)
        if not self.detached:
            ed.streaming = True  # type: ignore[attr-defined]  # on_chapter_saved leaves the page alone
            ed.text.setReadOnly(True)
            self._guarded(lambda: ed.text.setPlainText(""))
            ed.dirty = False
        self.banner.label.setText(label)
        self.banner.count.setText(self.tr("waiting for the first words…"))
        self.banner.cancel_button.setEnabled(True)
        self.banner.show()
        self.timer.start()

    def flush(self) -> None:
        if not self.buffer:
            return
        ed = self.editor
        stamps: list[float] = []
        pieces: list[str] = []
        while self.buffer:
            t, s = self.buffer.popleft()
            stamps.append(t)
            pieces.append(s)
        text = "".join(pieces)
        self.chars += len(text)
        if self.active and not self.detached and ed.shown != self.chapter_id:
            self.detached = True  # another chapter is shown now: keep out of its text
            ed.streaming = False  # type: ignore[attr-defined]
        if not self.detached:
            bar = ed.text.verticalScrollBar()
            follow = bar.value() >= bar.maximum() - 4
            cursor = QTextCursor(ed.text.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            self._guarded(lambda: cursor.insertText(text))
            if follow:
                bar.setValue(bar.maximum())
        now = time.perf_counter()
        self.latencies.extend(now - t for t in stamps)
        self.last_batch = stamps
        self.words += count_words(text)
        self.banner.count.setText(self.tr("%n word(s)", "", self.words))

    def cancelling(self) -> None:
        self.banner.cancel_button.setEnabled(False)
        self.banner.count.setText(self.tr("stopping…"))

    def end(self) -> None:
        """The job finished (any outcome): show the chapter as saved."""
        if not self.active:
            return
        self.flush()
        self.timer.stop()
        self.active = False
        self.banner.hide()
        ed = self.editor
        ed.streaming = False  # type: ignore[attr-defined]
        chapter_id = self.chapter_id
        if chapter_id is not None and ed.shown == chapter_id and not self.detached:
            # The save session still holds the author's text from before the stream: hand it that
            # (no local edits, so no conflict) and let it load what the job saved — the new
            # revision, or the author's own text when nothing was saved.
            def reloaded(result: Refreshed) -> None:
                if ed.shown != chapter_id or ed.streaming:  # type: ignore[attr-defined]
                    return
                target = result.text if result.reloaded else self.original
                if ed.text.toPlainText() != target:
                    self._guarded(lambda: ed.text.setPlainText(target))
                ed.text.document().clearUndoRedoStacks()
                ed.dirty = False
                ed.text.setReadOnly(False)
                ed.history.refresh_soon()
                ed.footer.count_now(ed.text.toPlainText)
                self.ended.emit(chapter_id)

            ed.saves.refresh(chapter_id, self.original, reloaded)
            return
        self.ended.emit(chapter_id)

    def _guarded(self, change: object) -> None:
        ed = self.editor
        ed._setting_text = True
        try:
            change()  # type: ignore[operator]
        finally:
            ed._setting_text = False
