"""Light Markdown highlighting for the chapter editor.

Authors write chapters in plain Markdown; the editor should show ``*very*`` as emphasis rather
than bare asterisks, without turning into a rich-text editor (the text stays exactly what is
saved). So: headings, ``*emphasis*``/``_emphasis_``, ``**strong**``/``__strong__`` and scene
breaks (``* * *``, ``***``, ``---``, a lone ``#``) get a format, and their marks are dimmed.

:func:`markdown_spans` is the pure part (text of one line → spans) so the rules can be tested
without a document; :class:`MarkdownHighlighter` applies them per block. Every pattern is
anchored and lazy, so one line costs microseconds and a 20,000-word chapter highlights in a
few tens of milliseconds on load.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtGui import QColor, QFont, QPalette, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QApplication


class Kind(StrEnum):
    HEADING = "heading"
    STRONG = "strong"
    EMPHASIS = "emphasis"
    MARK = "mark"  # the Markdown characters themselves (#, *, _): dimmed
    SCENE_BREAK = "scene_break"


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    length: int
    kind: Kind


#: A line that is only a scene break: ``* * *``, ``***``, ``---``, ``- - -``, ``~~~`` or a lone ``#``.
SCENE_BREAK_RE = re.compile(r"^\s*(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:~\s*){3,}|#)\s*$")
_HEADING_RE = re.compile(r"^(#{1,6})[ \t]+\S")
# Strong first (its marks are doubled); emphasis may not touch a further mark or a word character
# on the outside, so snake_case_names and 2*3*4 stay plain.
_STRONG_RE = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS_RE = re.compile(
    r"(?<![*\w])(\*)(?=[^\s*])(.+?)(?<=[^\s*])\*(?![*\w])|(?<![_\w])(_)(?=\S)(.+?)(?<=\S)_(?![_\w])"
)


def markdown_spans(line: str) -> list[Span]:
    """The formatted spans of one line (one QTextBlock), in no particular order."""
    if not line.strip():
        return []
    if SCENE_BREAK_RE.match(line):
        return [Span(0, len(line), Kind.SCENE_BREAK)]
    spans: list[Span] = []
    heading = _HEADING_RE.match(line)
    if heading:
        spans.append(Span(0, len(line), Kind.HEADING))
        spans.append(Span(0, len(heading.group(1)), Kind.MARK))
    taken: list[tuple[int, int]] = []
    for m in _STRONG_RE.finditer(line):
        mark = len(m.group(1))
        spans.append(Span(m.start(), m.end() - m.start(), Kind.STRONG))
        spans.append(Span(m.start(), mark, Kind.MARK))
        spans.append(Span(m.end() - mark, mark, Kind.MARK))
        taken.append((m.start(), m.end()))
    for m in _EMPHASIS_RE.finditer(line):
        start, end = m.start(), m.end()
        if any(a <= start < b or a < end <= b for a, b in taken):
            inner = _inside_strong(line, start, end, taken)
            if not inner:
                continue
        spans.append(Span(start, end - start, Kind.EMPHASIS))
        spans.append(Span(start, 1, Kind.MARK))
        spans.append(Span(end - 1, 1, Kind.MARK))
    return spans


def _inside_strong(line: str, start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    """``**a *b* c**``: an emphasis wholly inside a strong span (not overlapping its marks)."""
    return any(a + 2 <= start and end <= b - 2 for a, b in taken)


class MarkdownHighlighter(QSyntaxHighlighter):
    """Applies :func:`markdown_spans` to every block of the editor's document."""

    def __init__(self, document: QTextDocument, base_font: QFont | None = None) -> None:
        super().__init__(document)
        self._base_size = (base_font or document.defaultFont()).pointSizeF()
        self._formats: dict[Kind, QTextCharFormat] = {}
        self.refresh_colors()

    def refresh_colors(self) -> None:
        """Rebuild the formats from the current palette (the theme changed) and re-highlight."""
        app = QApplication.instance()
        palette = app.palette() if isinstance(app, QApplication) else QPalette()
        muted = QColor(palette.color(QPalette.ColorRole.PlaceholderText))
        accent = QColor(palette.color(QPalette.ColorRole.Link))

        heading = QTextCharFormat()
        heading.setFontWeight(QFont.Weight.Bold)
        if self._base_size > 0:
            heading.setFontPointSize(self._base_size * 1.25)
        strong = QTextCharFormat()
        strong.setFontWeight(QFont.Weight.Bold)
        emphasis = QTextCharFormat()
        emphasis.setFontItalic(True)
        mark = QTextCharFormat()
        mark.setForeground(muted)
        scene = QTextCharFormat()
        scene.setForeground(accent)
        scene.setFontLetterSpacing(200.0)
        self._formats = {
            Kind.HEADING: heading,
            Kind.STRONG: strong,
            Kind.EMPHASIS: emphasis,
            Kind.MARK: mark,
            Kind.SCENE_BREAK: scene,
        }
        self.rehighlight()

    def format_for(self, kind: Kind) -> QTextCharFormat:
        return self._formats[kind]

    def highlightBlock(self, text: str) -> None:
        # Wide formats first, then the narrower ones merge over them (a mark inside a heading keeps
        # the heading's size but takes the muted colour).
        order = (Kind.HEADING, Kind.SCENE_BREAK, Kind.STRONG, Kind.EMPHASIS, Kind.MARK)
        spans = sorted(markdown_spans(text), key=lambda s: order.index(s.kind))
        for span in spans:
            fmt = QTextCharFormat(self.format(span.start)) if span.kind is not Kind.HEADING else QTextCharFormat()
            fmt.merge(self._formats[span.kind])
            self.setFormat(span.start, span.length, fmt)
