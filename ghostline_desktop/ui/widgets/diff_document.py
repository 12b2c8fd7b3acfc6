"""Revision diff documents: the rows and segments of ``diff_render`` as QTextDocuments.

Side by side is a two-column table per row, not one big table: Qt lays a table out
whole, and a long chapter in one table froze the window for half a second; separate
tables are laid out lazily, as the author scrolls. Highlights are character formats set
while the text is inserted (not painted on top), so tests can read them back and they
survive copy and print. Each change's document ranges are recorded for next/previous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFrameFormat,
    QTextLength,
    QTextTableCellFormat,
    QTextTableFormat,
)

from ghostline_desktop.core.diff import TextDiff
from ghostline_desktop.ui.widgets.diff_render import (
    DiffColors,
    Mark,
    Segment,
    inline_segments,
    side_by_side_rows,
)

#: Space below each paragraph (px): blank lines in the text stay, this only adds air.
PARAGRAPH_GAP = 4.0
_LEADING_BLANK = re.compile(r"^\s*\n")
_TRAILING_BLANK = re.compile(r"\n\s*$")


@dataclass
class Rendered:
    document: QTextDocument
    #: change id → document ranges (start, end) that show it, in document order.
    ranges: dict[int, list[tuple[int, int]]]


def _trim(segments: list[Segment]) -> list[Segment]:
    """Drop the blank lines at a cell's edges (the row already separates paragraphs).

    Word-level changes and notes are never trimmed: a deleted blank line must still show."""
    segs = [Segment(s.text, s.mark, s.change_id) for s in segments if s.text]
    keep = (Mark.INSERT_WORD, Mark.DELETE_WORD, Mark.NOTE)
    for seg in segs:
        if seg.mark in keep:
            break
        seg.text = _LEADING_BLANK.sub("", seg.text)
        if seg.text:
            break
    for seg in reversed(segs):
        if seg.mark in keep:
            break
        seg.text = _TRAILING_BLANK.sub("", seg.text)
        if seg.text:
            break
    return [s for s in segs if s.text]


def char_format(mark: Mark, colors: DiffColors, base: QTextCharFormat) -> QTextCharFormat:
    fmt = QTextCharFormat(base)
    if mark is Mark.PLAIN:
        return fmt
    if mark is Mark.NOTE:
        fmt.setForeground(QBrush(QColor(colors.note)))
        fmt.setFontItalic(True)
        fmt.setFontPointSize(max(8.0, base.font().pointSizeF() * 0.85))
        return fmt
    background = {
        Mark.INSERT: colors.insert,
        Mark.DELETE: colors.delete,
        Mark.INSERT_WORD: colors.insert_word,
        Mark.DELETE_WORD: colors.delete_word,
        Mark.MOVE: colors.move,
    }[mark]
    fmt.setBackground(QBrush(QColor(background)))
    if mark in (Mark.DELETE, Mark.DELETE_WORD):
        fmt.setFontStrikeOut(True)
    return fmt


def visible_text(seg: Segment) -> str:
    """A highlighted change made only of line breaks would be invisible: show a pilcrow."""
    changed = seg.mark in (Mark.INSERT_WORD, Mark.DELETE_WORD, Mark.INSERT, Mark.DELETE)
    if changed and "\n" in seg.text and not seg.text.strip():
        return "¶" + seg.text
    return seg.text


class _Writer:
    def __init__(self, doc: QTextDocument, colors: DiffColors) -> None:
        self.doc = doc
        self.colors = colors
        self.base = QTextCharFormat()
        self.base.setFont(doc.defaultFont())
        self.ranges: dict[int, list[tuple[int, int]]] = {}

    def write(self, cursor: QTextCursor, segments: list[Segment]) -> None:
        for seg in segments:
            text = visible_text(seg)
            if not text:
                continue
            start = cursor.position()
            cursor.insertText(text, char_format(seg.mark, self.colors, self.base))
            if seg.change_id is not None:
                spans = self.ranges.setdefault(seg.change_id, [])
                if spans and spans[-1][1] == start:
                    spans[-1] = (spans[-1][0], cursor.position())
                else:
                    spans.append((start, cursor.position()))


def _new_document(font: QFont) -> QTextDocument:
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setDocumentMargin(10)
    doc.setUndoRedoEnabled(False)
    return doc


def _block_format() -> QTextBlockFormat:
    fmt = QTextBlockFormat()
    fmt.setBottomMargin(PARAGRAPH_GAP)
    return fmt


def build_side_by_side(a: str, diff: TextDiff, font: QFont, colors: DiffColors) -> Rendered:
    doc = _new_document(font)
    rows = side_by_side_rows(a, diff)
    writer = _Writer(doc, colors)
    cursor = QTextCursor(doc)
    cursor.setBlockFormat(_block_format())
    if not rows:
        return Rendered(doc, {})
    table_format = QTextTableFormat()
    table_format.setBorder(0)
    table_format.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_None)
    table_format.setCellSpacing(0)
    table_format.setCellPadding(6)
    table_format.setWidth(QTextLength(QTextLength.Type.PercentageLength, 100))
    half = QTextLength(QTextLength.Type.PercentageLength, 50)
    table_format.setColumnWidthConstraints([half, half])
    # One small table per row, not one big table: Qt lays a table out whole, and a long
    # chapter in one table froze the window for half a second; separate tables are laid
    # out lazily, as the author scrolls.
    for row in rows:
        cursor.movePosition(QTextCursor.MoveOperation.End)
        table = cursor.insertTable(1, 2, table_format)
        for column, (segments, tint) in enumerate(((row.left, row.left_tint), (row.right, row.right_tint))):
            cell = table.cellAt(0, column)
            cell_format = cell.format().toTableCellFormat()
            _tint_cell(cell_format, tint, not segments, colors, column == 0)
            cell.setFormat(cell_format)
            cell_cursor = cell.firstCursorPosition()
            cell_cursor.setBlockFormat(_block_format())
            writer.write(cell_cursor, _trim(segments))
    _flatten_separators(doc)
    return Rendered(doc, writer.ranges)


def _flatten_separators(doc: QTextDocument) -> None:
    """Qt keeps an empty paragraph between two tables; make it a hairline, not a blank line."""
    fmt = QTextBlockFormat()
    fmt.setLineHeight(1, QTextBlockFormat.LineHeightTypes.FixedHeight.value)
    fmt.setTopMargin(0)
    fmt.setBottomMargin(0)
    tiny = QTextCharFormat()
    tiny.setFontPointSize(1)
    it = doc.rootFrame().begin()
    while not it.atEnd():
        block = it.currentBlock()
        if block.isValid():
            cursor = QTextCursor(block)
            cursor.setBlockFormat(fmt)
            cursor.setBlockCharFormat(tiny)
        it += 1


def _tint_cell(fmt: QTextTableCellFormat, tint: Mark, empty: bool, colors: DiffColors, left: bool) -> None:
    background = {Mark.INSERT: colors.insert, Mark.DELETE: colors.delete, Mark.MOVE: colors.move}.get(tint)
    if empty:
        background = colors.empty_cell
    if background is not None:
        fmt.setBackground(QBrush(QColor(background)))
    if left:  # a thin rule between the two revisions
        fmt.setRightBorder(1)
        fmt.setRightBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
        fmt.setRightBorderBrush(QBrush(QColor(colors.rule)))
    fmt.setLeftPadding(10)
    fmt.setRightPadding(10)


def build_inline(a: str, diff: TextDiff, font: QFont, colors: DiffColors) -> Rendered:
    doc = _new_document(font)
    writer = _Writer(doc, colors)
    cursor = QTextCursor(doc)
    cursor.setBlockFormat(_block_format())
    segments = inline_segments(a, diff)
    while segments and not segments[0].text.strip() and segments[0].mark is Mark.PLAIN:
        segments.pop(0)
    writer.write(cursor, segments)
    return Rendered(doc, writer.ranges)


def highlighted_spans(doc: QTextDocument) -> list[tuple[str, str, bool]]:
    """(text, background #rrggbb, struck out) of every highlighted fragment, in order.

    For tests and accessibility checks: reads the formats back from the document.
    """
    out: list[tuple[str, str, bool]] = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            fmt = frag.charFormat()
            if frag.isValid() and fmt.background().style() != Qt.BrushStyle.NoBrush:
                out.append((frag.text(), fmt.background().color().name(), fmt.fontStrikeOut()))
            it += 1
        block = block.next()
    return out
