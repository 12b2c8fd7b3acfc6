"""The editor's light Markdown highlighting: headings, emphasis, strong, scene breaks — and what it
leaves alone (snake_case, arithmetic, a lone asterisk)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from ghostline_desktop.ui.widgets.markdown_highlighter import Kind, MarkdownHighlighter, markdown_spans


def _kinds(line: str) -> list[tuple[str, Kind]]:
    return sorted((line[s.start : s.start + s.length], s.kind) for s in markdown_spans(line))


def test_emphasis_strong_and_their_marks() -> None:
    assert _kinds("It was *very* dark.") == [("*", Kind.MARK), ("*", Kind.MARK), ("*very*", Kind.EMPHASIS)]
    assert _kinds("an _old_ house") == [("_", Kind.MARK), ("_", Kind.MARK), ("_old_", Kind.EMPHASIS)]
    assert _kinds("**Stop.** she said") == [("**", Kind.MARK), ("**", Kind.MARK), ("**Stop.**", Kind.STRONG)]
    assert (" *so*", Kind.EMPHASIS) not in _kinds("**very *so* much**")
    assert ("*so*", Kind.EMPHASIS) in _kinds("**very *so* much**")  # emphasis inside strong


@pytest.mark.parametrize(
    "line", ["snake_case_name here", "2*3*4 = 24", "a lone * star", "* a list item", "under_score_", "**"]
)
def test_plain_text_stays_plain(line: str) -> None:
    assert not any(s.kind in (Kind.EMPHASIS, Kind.STRONG) for s in markdown_spans(line)), _kinds(line)


def test_headings_and_scene_breaks() -> None:
    assert _kinds("## The Storm") == [("##", Kind.MARK), ("## The Storm", Kind.HEADING)]
    assert not markdown_spans("#hashtag")  # no space: not a heading
    for line in ("* * *", "***", "  *  *  *  ", "---", "#", "~~~"):
        assert _kinds(line) == [(line, Kind.SCENE_BREAK)], line
    assert not any(s.kind is Kind.SCENE_BREAK for s in markdown_spans("**bold** text"))


def test_the_highlighter_formats_the_document(qapp: QApplication) -> None:
    editor = QPlainTextEdit()  # a bare QTextDocument has no layout, so nothing would be highlighted
    doc = editor.document()
    font = QFont()
    font.setPointSize(12)
    editor.setFont(font)
    highlighter = MarkdownHighlighter(doc, font)
    editor.setPlainText("# Title\n\nShe was *very* **tired**.\n\n* * *\n\nPlain.")

    def formats(block_no: int) -> dict[str, list[tuple[int, int]]]:
        ranges = doc.findBlockByNumber(block_no).layout().formats()  # kept: the formats live in the list
        out: dict[str, list[tuple[int, int]]] = {}
        for r in ranges:
            fmt = r.format
            if fmt.fontItalic():
                out.setdefault("italic", []).append((r.start, r.length))
            if fmt.fontWeight() >= QFont.Weight.Bold:
                out.setdefault("bold", []).append((r.start, r.length))
            if fmt.foreground().color() == highlighter.format_for(Kind.MARK).foreground().color():
                out.setdefault("muted", []).append((r.start, r.length))
        return out

    title = formats(0)
    assert (0, 1) in title["muted"] and title["bold"]
    title_ranges = doc.findBlockByNumber(0).layout().formats()
    assert max(r.format.fontPointSize() for r in title_ranges) > 12
    body = formats(2)  # "She was *very* **tired**."
    assert (8, 6) in body["italic"] or {(8, 1), (9, 4), (13, 1)} <= set(body["italic"])
    assert any(start >= 15 for start, _ in body["bold"])
    assert (8, 1) in body["muted"] and (13, 1) in body["muted"]
    scene = doc.findBlockByNumber(4).layout().formats()
    assert scene and scene[0].format.fontLetterSpacing() == 200.0
    assert not doc.findBlockByNumber(6).layout().formats()  # "Plain." has no format
    # The text itself is never changed: highlighting is display only.
    assert doc.toPlainText() == "# Title\n\nShe was *very* **tired**.\n\n* * *\n\nPlain."
