"""Revision diff engine: text A, text B → operations a view can draw and a caller can apply.

Pure and Qt-free, so the diff view, the CLI (``ghostline chapter diff``) and "take this
side" share one engine, and the CPU work can run in a worker thread.

How it works, and why:

1. **Paragraphs first.** A paragraph is a run of non-blank lines; each carries the blank
   lines and indentation before it as its "gap". Paragraph texts, spacing normalised (a
   re-wrapped paragraph is the same paragraph, edited), are interned to integers and
   aligned by :class:`difflib.SequenceMatcher` (``autojunk`` off: a book repeats
   "* * *" far more than 1 % of the time and must still align). Two revisions of a
   chapter share almost all paragraphs, so this step is linear in practice and does
   most of the work.
2. **Moves.** A paragraph deleted in one place and inserted, identical or nearly so
   (≥ 80 % of its words in order), somewhere else is reported as a move pair
   (``MOVE_OUT`` at the old place, ``MOVE_IN`` at the new) rather than as text lost and
   text added. Near-identical search is bounded, so a full rewrite stays fast; moves are
   shown "where feasible".
3. **Words inside changed paragraphs.** Deleted and inserted paragraphs in the same
   stretch are paired when similar (a paragraph that was edited); each pair gets a
   word-level diff (``core/diff_words.py``) with character offsets into A and B so a
   view can highlight exact ranges. A stretch that was re-paragraphed (one paragraph
   split in two, two merged) is word-diffed as one block, so a split shows as "a space
   became a blank line" rather than as a paragraph rewritten plus one added.

Every operation covers a contiguous span of A and of B, in order, so ``EQUAL`` spans
plus the B-side text the operations carry rebuild B from A alone (:func:`apply`), and
any subset of changes can be taken (:func:`compose`, :func:`apply_change`,
:func:`revert_change`). Word counts in the summary come from ``core/words.py``, the
app's one word counter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from enum import StrEnum
from typing import Any

from ghostline_desktop.core.diff_align import Alignment, Paragraph, align, paragraphs
from ghostline_desktop.core.diff_words import word_spans
from ghostline_desktop.core.words import count_words


class OpKind(StrEnum):
    EQUAL = "equal"
    INSERT = "insert"
    DELETE = "delete"
    REPLACE = "replace"
    MOVE_OUT = "move_out"  # where a moved paragraph was (A side only)
    MOVE_IN = "move_in"  # where it went (B side only); ``source`` is its span in A
    MOVE = "move"  # only in :class:`Change`: a move pair as one change


@dataclass(frozen=True, slots=True)
class WordOp:
    """A word-level span inside a ``REPLACE`` or ``MOVE_IN`` operation (absolute offsets)."""

    kind: OpKind
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    new_text: str = ""  # B's text for INSERT/REPLACE, so B can be rebuilt from A alone
    change_id: int | None = None


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One paragraph-level operation. Spans are half-open character offsets.

    ``INSERT``/``DELETE``/word-less ``REPLACE`` (a whitespace-only change) are one change
    each (``change_id``); a ``REPLACE`` with ``words`` has one change per changed word
    span; a move pair shares one ``change_id`` and one ``move_id``.
    """

    kind: OpKind
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    new_text: str = ""
    words: tuple[WordOp, ...] = ()
    move_id: int | None = None
    source: tuple[int, int] | None = None
    change_id: int | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """A navigable, individually takeable change (next/previous change, "take this side").

    For a move, ``a_*`` is where the paragraph was in A and ``b_*`` where it is in B.
    """

    id: int
    kind: OpKind
    a_start: int
    a_end: int
    b_start: int
    b_end: int


@dataclass(frozen=True, slots=True)
class DiffSummary:
    words_added: int = 0
    words_removed: int = 0
    paragraphs_changed: int = 0
    paragraphs_added: int = 0
    paragraphs_removed: int = 0
    paragraphs_moved: int = 0

    @property
    def identical(self) -> bool:
        return self == DiffSummary()


@dataclass(frozen=True, slots=True)
class TextDiff:
    ops: tuple[DiffOp, ...]
    summary: DiffSummary
    changes: tuple[Change, ...]

    def change(self, change_id: int) -> Change:
        for change in self.changes:
            if change.id == change_id:
                return change
        raise KeyError(change_id)


def diff_texts(a: str, b: str) -> TextDiff:
    """Diff two revisions. See the module docstring for the method."""
    pa, tail_a = paragraphs(a)
    pb, tail_b = paragraphs(b)
    alignment = align(pa, pb)
    builder = _Builder(a, b, pa, pb, alignment)
    builder.build()
    builder.plain(tail_a, len(a), tail_b, len(b))
    ops = _merge(builder.ops, a)
    ops, changes = _number_changes(ops, b)
    return TextDiff(tuple(ops), builder.summary(ops), tuple(changes))


class _Builder:
    """Turns the paragraph alignment into contiguous operations over both texts."""

    def __init__(self, a: str, b: str, pa: list[Paragraph], pb: list[Paragraph], alignment: Alignment) -> None:
        self.a, self.b, self.pa, self.pb, self.al = a, b, pa, pb, alignment
        self.ops: list[DiffOp] = []
        self.ca = 0  # A offset reached
        self.cb = 0  # B offset reached

    def build(self) -> None:
        for row in self.al.rows:
            kind, i, j = row
            if kind == "equal":
                self.equal(self.pa[i], self.pb[j])
            elif kind == "pair":
                self.pair(self.pa[i], self.pb[j])
            elif kind == "block":
                i1, i2, j1, j2 = self.al.blocks[i]
                a1, a2, b1, b2 = self.pa[i1].start, self.pa[i2 - 1].end, self.pb[j1].start, self.pb[j2 - 1].end
                self.push(OpKind.REPLACE, a1, a2, b1, b2, words=self.words(a1, a2, b1, b2))
            elif kind == "delete":
                p = self.pa[i]
                move_id = self.al.a_moves.get(i)
                kind_out = OpKind.DELETE if move_id is None else OpKind.MOVE_OUT
                self.push(kind_out, p.start, p.end, self.cb, self.cb, move_id=move_id)
            else:  # "insert"
                q = self.pb[j]
                move_id = self.al.b_moves.get(j)
                if move_id is None:
                    self.push(OpKind.INSERT, self.ca, self.ca, q.start, q.end, new_text=self.b[q.start : q.end])
                else:
                    self.move_in(self.pa[self.al.move_source[move_id]], q, move_id)

    def move_in(self, src: Paragraph, q: Paragraph, move_id: int) -> None:
        # Compare the moved paragraph's own text, not its surroundings: its blank lines
        # belong to where it stood, and B's blank lines before it are simply inserted.
        words = self.words(src.content_start, src.end, q.content_start, q.end)
        if q.content_start > q.start:
            gap = WordOp(OpKind.INSERT, self.ca, self.ca, q.start, q.content_start, self.b[q.start : q.content_start])
            words = (gap, *words)
        source = (src.content_start, src.end)
        self.push(OpKind.MOVE_IN, self.ca, self.ca, q.start, q.end, words=words, move_id=move_id, source=source)

    def push(self, kind: OpKind, a1: int, a2: int, b1: int, b2: int, **extra: Any) -> None:
        self.ops.append(DiffOp(kind, a1, a2, b1, b2, **extra))
        self.ca, self.cb = a2, b2

    def plain(self, a1: int, a2: int, b1: int, b2: int) -> None:
        """A span pair compared as whole strings (gaps between paragraphs, the tail)."""
        if a1 == a2 and b1 == b2:
            return
        if self.a[a1:a2] == self.b[b1:b2]:
            self.push(OpKind.EQUAL, a1, a2, b1, b2)
        elif a1 == a2:
            self.push(OpKind.INSERT, a1, a2, b1, b2, new_text=self.b[b1:b2])
        elif b1 == b2:
            self.push(OpKind.DELETE, a1, a2, b1, b2)
        else:
            self.push(OpKind.REPLACE, a1, a2, b1, b2, new_text=self.b[b1:b2])

    def equal(self, p: Paragraph, q: Paragraph) -> None:
        self.plain(p.start, p.content_start, q.start, q.content_start)
        self.push(OpKind.EQUAL, p.content_start, p.end, q.content_start, q.end)

    def pair(self, p: Paragraph, q: Paragraph) -> None:
        self.push(OpKind.REPLACE, p.start, p.end, q.start, q.end, words=self.words(p.start, p.end, q.start, q.end))

    def words(self, a1: int, a2: int, b1: int, b2: int) -> tuple[WordOp, ...]:
        out = []
        for tag, x1, x2, y1, y2 in word_spans(self.a[a1:a2], self.b[b1:b2]):
            kind = OpKind(tag)
            new_text = self.b[b1 + y1 : b1 + y2] if kind in (OpKind.INSERT, OpKind.REPLACE) else ""
            out.append(WordOp(kind, a1 + x1, a1 + x2, b1 + y1, b1 + y2, new_text))
        return tuple(out)

    def summary(self, ops: list[DiffOp]) -> DiffSummary:
        added = removed = 0
        for op in ops:
            if op.kind is OpKind.INSERT or (op.kind is OpKind.REPLACE and not op.words):
                added += count_words(op.new_text)
            if op.kind is OpKind.DELETE or (op.kind is OpKind.REPLACE and not op.words):
                removed += count_words(self.a[op.a_start : op.a_end])
            for w in op.words:
                if w.kind in (OpKind.INSERT, OpKind.REPLACE):
                    added += count_words(w.new_text)
                if w.kind in (OpKind.DELETE, OpKind.REPLACE):
                    removed += count_words(self.a[w.a_start : w.a_end])
        return DiffSummary(
            words_added=added,
            words_removed=removed,
            paragraphs_changed=self.al.pairs,
            paragraphs_added=self.al.inserted,
            paragraphs_removed=self.al.deleted,
            paragraphs_moved=len(self.al.move_source),
        )


def _merge(ops: list[DiffOp], a: str) -> list[DiffOp]:
    """Join neighbours a reader sees as one: consecutive ``EQUAL``s, consecutive
    ``INSERT``s or ``DELETE``s (a block of new paragraphs is one change), and a change of
    blank lines next to an edited or moved paragraph (it belongs to that paragraph)."""
    out: list[DiffOp] = []
    for op in ops:
        prev = out[-1] if out else None
        if prev is not None and prev.kind is op.kind and op.kind in (OpKind.EQUAL, OpKind.INSERT, OpKind.DELETE):
            out[-1] = replace(prev, a_end=op.a_end, b_end=op.b_end, new_text=prev.new_text + op.new_text)
            continue
        joined = None
        if prev is not None and _is_blank_change(op, a):
            joined = _absorb(prev, op, after=True)
        elif prev is not None and _is_blank_change(prev, a):
            joined = _absorb(op, prev, after=False)
        if joined is not None:
            out[-1] = joined
        else:
            out.append(op)
    return out


def _is_blank_change(op: DiffOp, a: str) -> bool:
    if op.kind not in (OpKind.INSERT, OpKind.DELETE, OpKind.REPLACE) or op.words:
        return False
    return (a[op.a_start : op.a_end] + op.new_text).isspace()


def _absorb(target: DiffOp, blank: DiffOp, *, after: bool) -> DiffOp | None:
    """``target`` grown by the whitespace-only change ``blank`` beside it, or None."""
    a1, a2 = min(target.a_start, blank.a_start), max(target.a_end, blank.a_end)
    b1, b2 = min(target.b_start, blank.b_start), max(target.b_end, blank.b_end)
    if target.kind is OpKind.MOVE_OUT and blank.kind is OpKind.DELETE:
        return replace(target, a_start=a1, a_end=a2)
    if not (target.kind is OpKind.REPLACE and target.words) and not (
        target.kind is OpKind.MOVE_IN and blank.kind is OpKind.INSERT
    ):
        return None
    word = WordOp(blank.kind, blank.a_start, blank.a_end, blank.b_start, blank.b_end, blank.new_text)
    words = (*target.words, word) if after else (word, *target.words)
    if target.kind is OpKind.MOVE_IN:
        return replace(target, b_start=b1, b_end=b2, words=words)
    return replace(target, a_start=a1, a_end=a2, b_start=b1, b_end=b2, words=_join_words(words))


def _join_words(words: tuple[WordOp, ...]) -> tuple[WordOp, ...]:
    out: list[WordOp] = []
    for w in words:
        prev = out[-1] if out else None
        if prev is not None and prev.kind is not OpKind.EQUAL and w.kind is not OpKind.EQUAL:
            a_empty, b_empty = prev.a_start == w.a_end, prev.b_start == w.b_end
            kind = OpKind.INSERT if a_empty else OpKind.DELETE if b_empty else OpKind.REPLACE
            out[-1] = WordOp(kind, prev.a_start, w.a_end, prev.b_start, w.b_end, prev.new_text + w.new_text)
        else:
            out.append(w)
    return tuple(out)


def _number_changes(ops: list[DiffOp], b: str) -> tuple[list[DiffOp], list[Change]]:
    numbered: list[DiffOp] = []
    changes: list[Change] = []
    move_change: dict[int, int] = {}
    for op in ops:
        if op.kind is OpKind.EQUAL:
            numbered.append(op)
        elif op.kind is OpKind.REPLACE and op.words:
            words = []
            for w in op.words:
                if w.kind is OpKind.EQUAL:
                    words.append(w)
                else:
                    words.append(replace(w, change_id=len(changes)))
                    changes.append(Change(len(changes), w.kind, w.a_start, w.a_end, w.b_start, w.b_end))
            numbered.append(replace(op, words=tuple(words)))
        elif op.move_id is not None:
            if op.move_id not in move_change:
                move_change[op.move_id] = len(changes)
                changes.append(Change(len(changes), OpKind.MOVE, 0, 0, 0, 0))  # spans filled in below
            numbered.append(replace(op, change_id=move_change[op.move_id]))
        else:
            numbered.append(replace(op, change_id=len(changes)))
            changes.append(Change(len(changes), op.kind, op.a_start, op.a_end, op.b_start, op.b_end))
    for op in numbered:
        if op.kind is OpKind.MOVE_IN and op.move_id is not None and op.source is not None:
            # Navigation and highlighting point at the paragraph itself, not its blank lines.
            text = b[op.b_start : op.b_end]
            b1 = op.b_start + len(text) - len(text.lstrip())
            b2 = op.b_start + len(text.rstrip())
            change_id = move_change[op.move_id]
            changes[change_id] = Change(change_id, OpKind.MOVE, op.source[0], op.source[1], b1, b2)
    return numbered, changes


def _render_words(
    a: str, words: tuple[WordOp, ...], take_b: Callable[[int | None], bool] | None = None
) -> Iterator[str]:
    for w in words:
        if w.kind is OpKind.EQUAL or (take_b is not None and not take_b(w.change_id)):
            yield a[w.a_start : w.a_end]
        else:
            yield w.new_text


def compose(a: str, diff: TextDiff, take_b: Callable[[int | None], bool]) -> str:
    """A text with B's side of the changes ``take_b`` accepts and A's side of the rest.

    Only A is needed: operations carry B's text for everything that differs.
    """
    out: list[str] = []
    for op in diff.ops:
        if op.kind is OpKind.EQUAL:
            out.append(a[op.a_start : op.a_end])
        elif op.kind is OpKind.REPLACE and op.words:
            out.extend(_render_words(a, op.words, take_b))
        elif op.kind is OpKind.MOVE_IN:
            if take_b(op.change_id):
                out.extend(_render_words(a, op.words))
        elif op.kind is OpKind.MOVE_OUT:
            if not take_b(op.change_id):
                out.append(a[op.a_start : op.a_end])
        else:
            out.append(op.new_text if take_b(op.change_id) else a[op.a_start : op.a_end])
    return "".join(out)


def apply(a: str, diff: TextDiff) -> str:
    """B, rebuilt from A and the operations (the property the tests check)."""
    return compose(a, diff, lambda _change: True)


def apply_change(a: str, diff: TextDiff, change_id: int) -> str:
    """A with only this one change made ("take B's side" of it, starting from A)."""
    diff.change(change_id)
    return compose(a, diff, lambda change: change == change_id)


def revert_change(a: str, diff: TextDiff, change_id: int) -> str:
    """B with only this one change undone ("take A's side" of it, starting from B)."""
    diff.change(change_id)
    return compose(a, diff, lambda change: change != change_id)


def similarity(a: str, b: str) -> float:
    """0..1 word-sequence similarity of two short texts (1.0 for two empty texts)."""
    wa, wb = a.split(), b.split()
    if not wa and not wb:
        return 1.0
    return SequenceMatcher(None, wa, wb, autojunk=False).ratio()


def diff_to_json(diff: TextDiff) -> dict[str, Any]:
    """Plain data for golden files, the CLI's ``--json`` and logs."""

    def span(x: DiffOp | WordOp) -> dict[str, Any]:
        return {"a": [x.a_start, x.a_end], "b": [x.b_start, x.b_end]}

    ops = []
    for op in diff.ops:
        item: dict[str, Any] = {"kind": op.kind.value, **span(op)}
        if op.change_id is not None:
            item["change"] = op.change_id
        if op.new_text and not op.words:
            item["new_text"] = op.new_text
        if op.move_id is not None:
            item["move"] = op.move_id
        if op.source is not None:
            item["source"] = list(op.source)
        if op.words:
            item["words"] = [
                {"kind": w.kind.value, **span(w), **({"new_text": w.new_text} if w.new_text else {})}
                | ({"change": w.change_id} if w.change_id is not None else {})
                for w in op.words
            ]
        ops.append(item)
    s = diff.summary
    return {
        "ops": ops,
        "summary": {
            "words_added": s.words_added,
            "words_removed": s.words_removed,
            "paragraphs_changed": s.paragraphs_changed,
            "paragraphs_added": s.paragraphs_added,
            "paragraphs_removed": s.paragraphs_removed,
            "paragraphs_moved": s.paragraphs_moved,
        },
    }
