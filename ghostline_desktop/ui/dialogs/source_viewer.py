"""A read-only view of one source's extracted text, opened at a passage (a search result) with
that passage highlighted.

Offsets from the service are Python string indices (code points) into the source's text; Qt's
text positions count UTF-16 units, so a character outside the Basic Multilingual Plane (an emoji,
some CJK) counts twice there. :func:`qt_position` converts, so the highlight never drifts.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from ghostline_desktop.ui.ops import QueryOp

if TYPE_CHECKING:
    from ghostline_desktop.services.container import Services

HIGHLIGHT = QColor(255, 214, 102, 170)  # a marker yellow that reads in light and dark themes
TERM = QColor(255, 170, 40, 230)  # the searched words inside the passage, a stronger marker
MIN_TERM = 3  # shorter words ("of", "to") would light up everywhere


def _selection(cursor: QTextCursor, color: QColor) -> QTextEdit.ExtraSelection:
    selection = QTextEdit.ExtraSelection()
    fmt = QTextCharFormat()
    fmt.setBackground(color)
    selection.format = fmt
    selection.cursor = cursor
    return selection


def qt_position(text: str, index: int) -> int:
    """The Qt (UTF-16) position of Python index ``index`` in ``text``."""
    return len(text[:index].encode("utf-16-le", "surrogatepass")) // 2


class SourceViewer(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourceViewer")
        self.setWindowTitle(self.tr("Source"))
        self.resize(720, 640)
        self.heading = QLabel(self)
        self.heading.setProperty("role", "heading")
        self.heading.setWordWrap(True)
        self.where = QLabel(self)
        self.where.setProperty("role", "hint")
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("sourceText")
        self.text.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.where)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.source_id: uuid.UUID | None = None
        self.source_text = ""
        self.passage: tuple[int, int] | None = None
        self.term_count = 0

    def show_source(
        self,
        services: Services,
        source_id: uuid.UUID,
        title: str,
        *,
        start: int | None = None,
        end: int | None = None,
        where: str = "",
        terms: list[str] | None = None,
    ) -> None:
        """Load the text (off the GUI thread) and show it at [start, end), the searched ``terms``
        marked inside the passage."""
        self.source_id = source_id
        self.setWindowTitle(self.tr("{0} — Source").format(title))
        self.heading.setText(title)
        self.where.setText(where)
        self.where.setVisible(bool(where))
        self.text.setPlainText(self.tr("Loading…"))
        QueryOp(self, lambda: services.sources.get_text(source_id)).named(f"viewer.{id(self)}").success(
            lambda text: self.set_text(text, start, end, terms) if self.source_id == source_id else None
        ).run()
        self.show()
        self.raise_()

    def set_text(
        self, text: str, start: int | None = None, end: int | None = None, terms: list[str] | None = None
    ) -> None:
        self.source_text = text
        self.text.setPlainText(text or self.tr("This source has no text yet."))
        if start is None or not text:
            self.passage = None
            self.text.setExtraSelections([])
            self.text.moveCursor(QTextCursor.MoveOperation.Start)
            return
        start = max(0, min(start, len(text)))
        end = max(start, min(end if end is not None else start, len(text)))
        self.passage = (start, end)
        cursor = QTextCursor(self.text.document())
        cursor.setPosition(qt_position(text, start))
        cursor.setPosition(qt_position(text, end), QTextCursor.MoveMode.KeepAnchor)
        selections = [_selection(cursor, HIGHLIGHT)]
        matches = self._term_cursors(text, start, end, terms or [])
        selections += [_selection(c, TERM) for c in matches]
        self.term_count = len(matches)
        self.text.setExtraSelections(selections)
        # Put the passage (or its first searched word, a passage can be two screens long) near
        # the top of the view: scroll to the end first so ensureCursorVisible scrolls *up* to it.
        self.text.moveCursor(QTextCursor.MoveOperation.End)
        caret = QTextCursor(self.text.document())
        first = matches[0].selectionStart() if matches else qt_position(text, start)
        caret.setPosition(first)
        self.text.setTextCursor(caret)
        self.text.ensureCursorVisible()

    def _term_cursors(self, text: str, start: int, end: int, terms: list[str]) -> list[QTextCursor]:
        """Whole-word, case-insensitive matches of ``terms`` inside [start, end)."""
        words = sorted({t.lower() for t in terms if len(t) >= MIN_TERM})
        if not words:
            return []
        passage = text[start:end].lower()
        out: list[QTextCursor] = []
        for match in re.finditer(r"\b(" + "|".join(map(re.escape, words)) + r")\w*", passage):
            cursor = QTextCursor(self.text.document())
            cursor.setPosition(qt_position(text, start + match.start()))
            cursor.setPosition(qt_position(text, start + match.end()), QTextCursor.MoveMode.KeepAnchor)
            out.append(cursor)
        return sorted(out, key=lambda c: c.selectionStart())

    def marked_terms(self) -> list[str]:
        """The searched words marked in the passage (for tests and accessibility)."""
        return [s.cursor.selectedText() for s in self.text.extraSelections()[1:]]

    def highlighted_text(self) -> str:
        """The highlighted passage as the document holds it (for tests and accessibility)."""
        selections = self.text.extraSelections()
        if not selections:
            return ""
        return selections[0].cursor.selectedText().replace("\u2029", "\n")
