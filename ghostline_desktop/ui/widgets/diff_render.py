"""What a revision diff shows, before any Qt: a ``core.diff.TextDiff`` as rows of
segments (side by side) or one run of segments (inline), each marked insert, delete,
move or note, plus the light and dark colours the marks are drawn in.

Side by side is one row per operation, so a paragraph and its edited version sit next
to each other whatever their lengths; long stretches are cut into rows at paragraph
breaks, and long unchanged stretches are folded. ``diff_document.py`` turns these into
QTextDocuments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ghostline_desktop.core.diff import DiffOp, OpKind, TextDiff, WordOp

#: An unchanged stretch longer than this many characters is shown folded (start … end).
FOLD_CHARS = 1_600
FOLD_KEEP = 500
#: Rows are cut at a paragraph break past this many characters (each row is laid out whole).
SPLIT_CHARS = 2_000


class Mark(StrEnum):
    """What a stretch of text is, as the highlight shows it."""

    PLAIN = "plain"
    INSERT = "insert"  # a whole inserted paragraph (tint)
    DELETE = "delete"
    INSERT_WORD = "insert_word"  # an inserted word inside a changed paragraph (strong)
    DELETE_WORD = "delete_word"
    MOVE = "move"  # a moved paragraph
    NOTE = "note"  # our own muted annotation ("moved down"), not text of either revision


@dataclass(frozen=True)
class DiffColors:
    insert: str
    insert_word: str
    delete: str
    delete_word: str
    move: str
    move_word: str
    note: str
    empty_cell: str
    rule: str
    current: str


# Tints chosen for contrast with the theme's text colour (≥ 7:1 for #262626 on the light
# ones, #e6e4df on the dark ones), and told apart by hue *and* lightness, so the strike-
# through on deletions is not the only cue for readers who confuse red and green.
LIGHT_COLORS = DiffColors(
    insert="#e3f4e6",
    insert_word="#a9dfb4",
    delete="#fbe6e4",
    delete_word="#f2b8b2",
    move="#e4ebf7",
    move_word="#b9cbee",
    note="#7b776f",
    empty_cell="#f4f3ef",
    rule="#dcd9d2",
    current="#ffe08a",  # amber: the change next/previous landed on, apart from red/green/blue
)
DARK_COLORS = DiffColors(
    insert="#1e3326",
    insert_word="#2f6b42",
    delete="#3d2225",
    delete_word="#7d3439",
    move="#222d40",
    move_word="#35507e",
    note="#9a978f",
    empty_cell="#222326",
    rule="#3b3c42",
    current="#6b5714",
)


def palette_for(dark: bool) -> DiffColors:
    return DARK_COLORS if dark else LIGHT_COLORS


@dataclass
class Segment:
    text: str
    mark: Mark = Mark.PLAIN
    change_id: int | None = None


@dataclass
class Row:
    """One row of the side-by-side table: A's cell, B's cell, and how each is tinted."""

    left: list[Segment] = field(default_factory=list)
    right: list[Segment] = field(default_factory=list)
    left_tint: Mark = Mark.PLAIN
    right_tint: Mark = Mark.PLAIN


# -- building segments from operations -------------------------------------------------------------


def _word_rows(a: str, words: tuple[WordOp, ...], *, moved: bool) -> list[tuple[list[Segment], list[Segment]]]:
    """A's and B's segments of a stretch changed word by word, cut into rows at paragraph
    breaks both sides share once a row is long (a long row is slow to lay out).

    In a moved paragraph, changes of spacing alone are its new surroundings (blank lines
    before it), not edits: they are shown as plain text."""
    rows: list[tuple[list[Segment], list[Segment]]] = [([], [])]
    size = 0
    base = Mark.MOVE if moved else Mark.PLAIN
    for w in words:
        left, right = rows[-1]
        old = a[w.a_start : w.a_end]
        if w.kind is OpKind.EQUAL:
            cut = old.find("\n\n") if size > SPLIT_CHARS else -1
            if cut >= 0:
                left.append(Segment(old[:cut], base))
                right.append(Segment(old[:cut], base))
                rows.append(([Segment(old[cut:], base)], [Segment(old[cut:], base)]))
                size = len(old) - cut
            else:
                left.append(Segment(old, base))
                right.append(Segment(old, base))
                size += len(old)
            continue
        size += len(old) + len(w.new_text)
        if moved and not (old + w.new_text).strip():
            right.append(Segment(w.new_text, Mark.PLAIN))
            continue
        if w.kind in (OpKind.DELETE, OpKind.REPLACE) and old:
            left.append(Segment(old, Mark.DELETE_WORD, w.change_id))
        if w.kind in (OpKind.INSERT, OpKind.REPLACE) and w.new_text:
            right.append(Segment(w.new_text, Mark.INSERT_WORD, w.change_id))
    return rows


def _chunks(segments: list[Segment]) -> list[list[Segment]]:
    """One side's segments cut at paragraph breaks into pieces of about SPLIT_CHARS."""
    chunks: list[list[Segment]] = [[]]
    size = 0
    for seg in segments:
        text = seg.text
        while size + len(text) > SPLIT_CHARS:
            cut = text.find("\n\n", max(0, SPLIT_CHARS - size))
            if cut <= 0:
                break
            chunks[-1].append(Segment(text[:cut], seg.mark, seg.change_id))
            chunks.append([])
            size, text = 0, text[cut:]
        if text:
            chunks[-1].append(Segment(text, seg.mark, seg.change_id))
            size += len(text)
    return [c for c in chunks if c]


def _one_sided(segments: list[Segment], other: list[Segment], tint: Mark, *, left: bool) -> list[Row]:
    """Rows for text on one side only (added, removed, moved): long text over several rows."""
    rows = []
    for k, chunk in enumerate(_chunks(segments) or [[]]):
        across = other if k == 0 else []
        if left:
            rows.append(Row(chunk, across, tint, Mark.PLAIN))
        else:
            rows.append(Row(across, chunk, Mark.PLAIN, tint))
    return rows


def _moved_source(a: str, op: DiffOp, move_in: DiffOp | None) -> list[Segment]:
    """A moved paragraph where it was, with the words its move also changed struck out."""
    cuts = sorted(
        (w.a_start, w.a_end)
        for w in (move_in.words if move_in is not None else ())
        if w.kind in (OpKind.DELETE, OpKind.REPLACE)
        and op.a_start <= w.a_start < w.a_end <= op.a_end
        and a[w.a_start : w.a_end].strip()
    )
    out: list[Segment] = []
    pos = op.a_start
    for start, end in cuts:
        out.append(Segment(a[pos:start], Mark.MOVE, op.change_id))
        out.append(Segment(a[start:end], Mark.DELETE_WORD, op.change_id))
        pos = end
    out.append(Segment(a[pos : op.a_end], Mark.MOVE, op.change_id))
    return out


def side_by_side_rows(a: str, diff: TextDiff) -> list[Row]:
    moved_down = _moved_down(diff)
    move_ins = {op.move_id: op for op in diff.ops if op.kind is OpKind.MOVE_IN}
    rows = [row for op in diff.ops for row in _rows(a, op, moved_down, move_ins)]
    return [r for r in rows if _visible(r.left) or _visible(r.right)]


def _moved_down(diff: TextDiff) -> set[int]:
    """Move ids whose paragraph went further down (its MOVE_OUT comes first)."""
    seen_out: set[int] = set()
    down: set[int] = set()
    for op in diff.ops:
        if op.move_id is None:
            continue
        if op.kind is OpKind.MOVE_OUT:
            seen_out.add(op.move_id)
        elif op.kind is OpKind.MOVE_IN and op.move_id in seen_out:
            down.add(op.move_id)
    return down


def _move_note(op: DiffOp, moved_down: set[int], *, here: bool) -> Segment:
    number = (op.change_id or 0) + 1
    if here:
        arrow = "↓" if op.move_id in moved_down else "↑"
        where = "from above" if op.move_id in moved_down else "from below"
        return Segment(f"{arrow} Paragraph moved here {where} (change {number})", Mark.NOTE, op.change_id)
    arrow = "↓" if op.move_id in moved_down else "↑"
    where = "further down" if op.move_id in moved_down else "further up"
    return Segment(f"{arrow} This paragraph moved {where} (change {number})", Mark.NOTE, op.change_id)


def _rows(a: str, op: DiffOp, moved_down: set[int], move_ins: dict[int | None, DiffOp]) -> list[Row]:
    old = a[op.a_start : op.a_end]
    kind = op.kind
    if kind is OpKind.EQUAL:
        return [Row(_folded(old), _folded(old))]
    if kind is OpKind.INSERT:
        return _one_sided([Segment(op.new_text, Mark.INSERT, op.change_id)], [], Mark.INSERT, left=False)
    if kind is OpKind.DELETE:
        return _one_sided([Segment(old, Mark.DELETE, op.change_id)], [], Mark.DELETE, left=True)
    if kind is OpKind.REPLACE and not op.words:
        return [
            Row(
                [Segment(old, Mark.DELETE, op.change_id)],
                [Segment(op.new_text, Mark.INSERT, op.change_id)],
                Mark.DELETE,
                Mark.INSERT,
            )
        ]
    if kind is OpKind.REPLACE:
        return [Row(left, right, Mark.DELETE, Mark.INSERT) for left, right in _word_rows(a, op.words, moved=False)]
    note = [_move_note(op, moved_down, here=kind is OpKind.MOVE_IN)]
    if kind is OpKind.MOVE_OUT:
        return _one_sided(_moved_source(a, op, move_ins.get(op.move_id)), note, Mark.MOVE, left=True)
    # MOVE_IN: B's paragraph, with the small edits made to it on the way
    right = [seg for _left, r in _word_rows(a, op.words, moved=True) for seg in r]
    for seg in right:
        seg.change_id = op.change_id
    return _one_sided(right, note, Mark.MOVE, left=False)


def _folded(text: str) -> list[Segment]:
    """A long unchanged stretch shows its start and end, so the changes stay close together."""
    if len(text) <= FOLD_CHARS:
        return [Segment(text)]
    head = text[:FOLD_KEEP]
    tail = text[-FOLD_KEEP:]
    head = head[: head.rfind(" ")] if " " in head else head
    tail = tail[tail.find(" ") + 1 :] if " " in tail else tail
    hidden = len(text) - len(head) - len(tail)
    return [Segment(head), Segment(f"\n… {hidden:,} unchanged characters …\n", Mark.NOTE), Segment(tail)]


def inline_segments(a: str, diff: TextDiff) -> list[Segment]:
    """One flowing text: B as it reads, deletions struck through where they were."""
    moved_down = _moved_down(diff)
    out: list[Segment] = []
    for op in diff.ops:
        old = a[op.a_start : op.a_end]
        kind = op.kind
        if kind is OpKind.EQUAL:
            out.extend(_folded(old))
        elif kind is OpKind.INSERT:
            out.append(Segment(op.new_text, Mark.INSERT, op.change_id))
        elif kind is OpKind.DELETE:
            out.append(Segment(old, Mark.DELETE, op.change_id))
        elif kind is OpKind.REPLACE and not op.words:
            out += [Segment(old, Mark.DELETE, op.change_id), Segment(op.new_text, Mark.INSERT, op.change_id)]
        elif kind is OpKind.REPLACE:
            out.extend(_inline_words(a, op.words, None))
        elif kind is OpKind.MOVE_IN:
            words = list(op.words)
            while words and words[0].kind is OpKind.INSERT and not words[0].new_text.strip():
                out.append(Segment(words.pop(0).new_text))  # the blank lines before it in B
            out += [_move_note(op, moved_down, here=True), Segment("\n")]
            out.extend(_inline_words(a, tuple(words), op.change_id))
        elif kind is OpKind.MOVE_OUT:
            # The text itself shows where it went; here only a pointer, with its first words.
            first = " ".join(old.split()[:8])
            lead = old[: len(old) - len(old.lstrip())]
            out.append(Segment(lead))
            out.append(_move_note(op, moved_down, here=False))
            out.append(Segment(f" — “{first}…”", Mark.NOTE, op.change_id))
            out.append(Segment("\n" if old.endswith("\n") else ""))
    return out


def _inline_words(a: str, words: tuple[WordOp, ...], move_change: int | None) -> list[Segment]:
    """Word changes inline; inside a moved paragraph every piece belongs to the move."""
    out: list[Segment] = []
    for w in words:
        text = a[w.a_start : w.a_end]
        change = move_change if move_change is not None else w.change_id
        if w.kind is OpKind.EQUAL:
            out.append(Segment(text, Mark.PLAIN if move_change is None else Mark.MOVE, move_change))
            continue
        if move_change is not None and not (text + w.new_text).strip():
            out.append(Segment(w.new_text))
            continue
        if w.kind in (OpKind.DELETE, OpKind.REPLACE) and text:
            out.append(Segment(text, Mark.DELETE_WORD, change))
        if w.kind in (OpKind.INSERT, OpKind.REPLACE) and w.new_text:
            out.append(Segment(w.new_text, Mark.INSERT_WORD, change))
    return out


def _visible(segments: list[Segment]) -> bool:
    return any(s.text.strip() or s.mark not in (Mark.PLAIN, Mark.NOTE) for s in segments)
