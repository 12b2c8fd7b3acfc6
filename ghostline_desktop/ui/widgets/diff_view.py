"""A read-only view of a revision diff: side by side or inline, with next/previous change.

The view only draws; it never reaches a service. Whoever shows it (the revision diff dialog)
computes the ``TextDiff`` off the GUI thread and hands it over with both texts. Documents are
built lazily per mode and rebuilt when the theme changes, so the highlights always use the
colours of the palette in effect.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QShowEvent, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QLabel, QStackedWidget, QTextEdit, QVBoxLayout, QWidget

from ghostline_desktop.core.diff import Change, OpKind, TextDiff
from ghostline_desktop.ui.theme import EDITOR_POINT_SIZE, editor_font
from ghostline_desktop.ui.widgets.diff_document import Rendered, build_inline, build_side_by_side
from ghostline_desktop.ui.widgets.diff_render import DiffColors, palette_for

#: The diff is read in a narrower column than the editor's page: a size smaller reads better.
DIFF_POINT_SIZE = EDITOR_POINT_SIZE - 2


class DiffMode(StrEnum):
    SIDE_BY_SIDE = "side"
    INLINE = "inline"


CHANGE_WORDS = {
    OpKind.INSERT: "added",
    OpKind.DELETE: "removed",
    OpKind.REPLACE: "replaced",
    OpKind.MOVE: "paragraph moved",
}


def describe_change(change: Change, a: str, b: str) -> str:
    """“words replaced: ‘quick’ → ‘slow’”: a short line for the change bar."""
    old = " ".join(a[change.a_start : change.a_end].split())
    new = " ".join(b[change.b_start : change.b_end].split())

    def clip(text: str) -> str:
        return text if len(text) <= 40 else text[:39].rstrip() + "…"

    if change.kind is OpKind.MOVE:
        return f"paragraph moved: “{clip(new or old)}”"
    if change.kind is OpKind.INSERT:
        return f"added: “{clip(new)}”" if new else "blank lines added"
    if change.kind is OpKind.DELETE:
        return f"removed: “{clip(old)}”" if old else "blank lines removed"
    if not old and not new:
        return "spacing changed"
    return f"replaced: “{clip(old)}” → “{clip(new)}”"


def _is_dark(widget: QWidget) -> bool:
    return widget.palette().color(widget.backgroundRole()).lightness() < 128


class DiffTextEdit(QTextEdit):
    """A read-only page for one rendering; keeps its keyboard focus for scrolling."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)


class DiffView(QWidget):
    #: The current change moved: its index in ``changes`` (-1 for none).
    currentChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diffView")
        self.a_text = ""
        self.b_text = ""
        self.diff: TextDiff | None = None
        self.mode = DiffMode.SIDE_BY_SIDE
        self.index = -1
        self._rendered: dict[DiffMode, Rendered] = {}
        self._dark: bool | None = None
        self.side = DiffTextEdit("diffSideBySide", self)
        self.inline = DiffTextEdit("diffInline", self)
        self.message = QLabel(self)
        self.message.setObjectName("emptyState")
        self.message.setProperty("role", "empty")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.stack = QStackedWidget(self)
        for w in (self.side, self.inline, self.message):
            self.stack.addWidget(w)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.show_message(self.tr("Pick two revisions to compare."))

    # -- content ------------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        """A state instead of a diff ("Comparing…", a failure)."""
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def set_diff(self, a_text: str, b_text: str, diff: TextDiff) -> None:
        self.a_text, self.b_text, self.diff = a_text, b_text, diff
        self._drop_rendered()
        self.index = -1
        if diff.summary.identical:
            self.show_message(self.tr("The two revisions have the same text."))
            self.currentChanged.emit(-1)
            return
        self._show_mode()
        self.currentChanged.emit(-1)

    def set_mode(self, mode: DiffMode | str) -> None:
        self.mode = DiffMode(mode)
        if self.diff is not None and not self.diff.summary.identical:
            self._show_mode()
            if self.index >= 0:
                self._highlight_current()

    def document(self, mode: DiffMode | str | None = None) -> QTextDocument:
        """The rendered document of ``mode`` (default: the one shown), built if needed."""
        return self._render(DiffMode(mode) if mode is not None else self.mode).document

    def change_ranges(self, change_id: int, mode: DiffMode | str | None = None) -> list[tuple[int, int]]:
        return list(self._render(DiffMode(mode) if mode is not None else self.mode).ranges.get(change_id, []))

    def editor(self, mode: DiffMode | None = None) -> DiffTextEdit:
        return self.side if (mode or self.mode) is DiffMode.SIDE_BY_SIDE else self.inline

    def colors(self) -> DiffColors:
        return palette_for(_is_dark(self))

    def _render(self, mode: DiffMode) -> Rendered:
        rendered = self._rendered.get(mode)
        if rendered is None:
            assert self.diff is not None
            font = editor_font(DIFF_POINT_SIZE)
            build = build_side_by_side if mode is DiffMode.SIDE_BY_SIDE else build_inline
            rendered = build(self.a_text, self.diff, font, self.colors())
            rendered.document.setParent(self)  # owned by Qt: an edit may still show it
            self._rendered[mode] = rendered
        return rendered

    def _drop_rendered(self) -> None:
        """Forget the built documents; the edits get a blank one until the next is shown."""
        old = [r.document for r in self._rendered.values()]
        self._rendered.clear()
        for edit in (self.side, self.inline):
            if edit.document() in old:
                edit.setDocument(QTextDocument(edit))
        for doc in old:
            doc.deleteLater()

    def _show_mode(self) -> None:
        rendered = self._render(self.mode)
        edit = self.editor()
        if edit.document() is not rendered.document:
            edit.setDocument(rendered.document)
        self.stack.setCurrentWidget(edit)

    # -- navigation ---------------------------------------------------------------------------
    @property
    def changes(self) -> tuple[Change, ...]:
        return self.diff.changes if self.diff is not None else ()

    def current_change(self) -> Change | None:
        return self.changes[self.index] if 0 <= self.index < len(self.changes) else None

    def next_change(self) -> None:
        if self.changes:
            self.go_to(min(self.index + 1, len(self.changes) - 1) if self.index >= 0 else 0)

    def previous_change(self) -> None:
        if self.changes:
            self.go_to(max(self.index - 1, 0) if self.index >= 0 else len(self.changes) - 1)

    def go_to(self, index: int) -> None:
        if not 0 <= index < len(self.changes):
            return
        self.index = index
        self._highlight_current()
        self.currentChanged.emit(index)

    def _highlight_current(self) -> None:
        change = self.current_change()
        edit = self.editor()
        if change is None or self.stack.currentWidget() is not edit:
            edit.setExtraSelections([])
            return
        ranges = self.change_ranges(change.id)
        selections = []
        fmt = QTextCharFormat()  # drawn over the change's own tint; strike-through stays
        fmt.setBackground(QColor(self.colors().current))
        doc = edit.document()
        for start, end in ranges:
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(doc)
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            sel.format = fmt
            selections.append(sel)
        edit.setExtraSelections(selections)
        if ranges:
            self._scroll_to(edit, ranges[0][0])

    def _scroll_to(self, edit: QTextEdit, position: int) -> None:
        """Put the change a third of the way down the page (context above, more below)."""
        cursor = QTextCursor(edit.document())
        cursor.setPosition(position)
        edit.setTextCursor(cursor)
        rect = edit.cursorRect(cursor)
        bar = edit.verticalScrollBar()
        bar.setValue(bar.value() + rect.top() - edit.viewport().height() // 3)

    # -- theme --------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            dark = _is_dark(self)
            if self._dark is not None and dark != self._dark and self.diff is not None:
                self._drop_rendered()
                if not self.diff.summary.identical:
                    self._show_mode()
                    self._highlight_current()
            self._dark = dark

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._dark = _is_dark(self)
