"""Paragraph alignment for the revision diff (``core/diff.py``): matches, edits, moves.

Kept apart from the operation builder so each part stays small and testable; pure.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from ghostline_desktop.core.diff_words import common_prefix, common_suffix

# A paragraph: a run of lines that hold something other than whitespace. Matches start at
# a line start (indentation included) because the previous match ends at a line end.
_PARA_RE = re.compile(r"[^\S\n]*\S[^\n]*(?:\n[^\S\n]*\S[^\n]*)*")
# A paragraph needs this many words to be reported as moved: "* * *" or "Yes." appearing
# elsewhere is a coincidence, not a move the author made.
MIN_MOVE_WORDS = 3
# Word-bag similarity (Dice) needed to pair a deleted with an inserted paragraph of the
# same stretch as "this paragraph was edited": lower when it is the only candidate.
PAIR_MIN = 0.4
PAIR_MIN_ALONE = 0.2
# A stretch whose paragraph counts differ (a paragraph split or two merged) is diffed as
# one block of words when its text as a whole is this similar.
BLOCK_MIN = 0.7
# Near-identical moves: bag similarity to consider, sequence ratio to confirm.
MOVE_MIN_BAG = 0.8
MOVE_MIN_RATIO = 0.75
# Bounds that keep a full rewrite fast (the search for moves is "where feasible").
MAX_PAIR_DP = 2_500
MAX_MOVE_PAIRS = 20_000


@dataclass(frozen=True, slots=True)
class Paragraph:
    start: int  # where its gap (the blank lines before it) starts
    content_start: int
    end: int  # end of its last non-blank character
    key: str  # its text, gap (blank lines, first-line indentation) excluded


def paragraphs(text: str) -> tuple[list[Paragraph], int]:
    """The paragraphs of ``text`` and where its trailing whitespace starts.

    Units ``[start, end)`` are contiguous from 0, so together with the tail they cover
    the text exactly — which is what lets the operations rebuild it.
    """
    out: list[Paragraph] = []
    prev_end = 0
    for m in _PARA_RE.finditer(text):
        group = m.group()
        start = m.start() + len(group) - len(group.lstrip())  # indentation goes with the gap
        end = m.start() + len(group.rstrip())
        out.append(Paragraph(prev_end, start, end, text[start:end]))
        prev_end = end
    return out, prev_end


# ("equal" | "pair" | "delete" | "insert", A index, B index), -1 when absent, or
# ("block", index into Alignment.blocks, -1) for a re-paragraphed stretch diffed as one.
Row = tuple[str, int, int]


@dataclass
class Alignment:
    rows: list[Row] = field(default_factory=list)
    a_moves: dict[int, int] = field(default_factory=dict)  # A paragraph index -> move id
    b_moves: dict[int, int] = field(default_factory=dict)  # B paragraph index -> move id
    move_source: dict[int, int] = field(default_factory=dict)  # move id -> A paragraph index
    blocks: list[tuple[int, int, int, int]] = field(default_factory=list)  # (i1, i2, j1, j2)
    pairs: int = 0
    inserted: int = 0
    deleted: int = 0


class _Bags:
    """Word bags, computed only for paragraphs that did not match exactly."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[Counter[str], int]] = {}

    def get(self, text: str) -> tuple[Counter[str], int]:
        hit = self._cache.get(text)
        if hit is None:
            words = text.split()
            hit = self._cache[text] = (Counter(words), len(words))
        return hit

    def dice(self, x: str, y: str) -> float:
        # Shortcut for the usual edited paragraph: mostly the same text at both ends.
        # The share of characters kept at the ends is then a fair similarity in itself.
        longest = max(len(x), len(y))
        if longest:
            kept = (common_prefix(x, y) + common_suffix(x, y)) / longest
            if kept >= 0.75:
                return min(kept, 1.0)
        bx, nx = self.get(x)
        by, ny = self.get(y)
        if nx + ny == 0:
            return 1.0
        return 2 * sum((bx & by).values()) / (nx + ny)


def align(pa: list[Paragraph], pb: list[Paragraph]) -> Alignment:
    ids: dict[str, int] = {}
    # Align on the words, not the spacing: a re-wrapped or re-spaced paragraph is the same
    # paragraph (edited), not one deleted and another inserted.
    ka = [ids.setdefault(" ".join(p.key.split()), len(ids)) for p in pa]
    kb = [ids.setdefault(" ".join(p.key.split()), len(ids)) for p in pb]
    opcodes = SequenceMatcher(None, ka, kb, autojunk=False).get_opcodes()
    regions = [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in opcodes if tag != "equal"]
    al = Alignment()
    bags = _Bags()

    # 1. exact moves: an unmatched paragraph of A reappearing verbatim in B.
    by_key: dict[int, deque[int]] = {}
    for i1, i2, _, _ in regions:
        for i in range(i1, i2):
            if bags.get(pa[i].key)[1] >= MIN_MOVE_WORDS:
                by_key.setdefault(ka[i], deque()).append(i)
    for _, _, j1, j2 in regions:
        for j in range(j1, j2):
            waiting = by_key.get(kb[j])
            if waiting:
                _add_move(al, waiting.popleft(), j)

    # 2. edits: pair the remaining deleted/inserted paragraphs of each stretch.
    a_pair: dict[int, int] = {}
    block_at: dict[int, int] = {}  # region index -> block index
    for r, (i1, i2, j1, j2) in enumerate(regions):
        left_a = [i for i in range(i1, i2) if i not in al.a_moves]
        left_b = [j for j in range(j1, j2) if j not in al.b_moves]
        if _is_block(left_a, left_b, i2 - i1, j2 - j1, pa, pb, bags):
            block_at[r] = len(al.blocks)
            al.blocks.append((i1, i2, j1, j2))
            n, m = i2 - i1, j2 - j1
            al.pairs += min(n, m)
            al.inserted += max(0, m - n)
            al.deleted += max(0, n - m)
            continue
        for i, j in _pair_stretch(left_a, left_b, pa, pb, bags):
            a_pair[i] = j
    b_paired = set(a_pair.values())
    for i1, i2, j1, j2 in al.blocks:  # not candidates for moves either
        a_pair.update((i, -1) for i in range(i1, i2))
        b_paired.update(range(j1, j2))

    # 3. near-identical moves among what is still unpaired.
    _near_moves(al, regions, pa, pb, a_pair, b_paired, bags)

    r = 0
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            for k in range(i2 - i1):
                same = pa[i1 + k].key == pb[j1 + k].key
                al.rows.append(("equal" if same else "pair", i1 + k, j1 + k))
                al.pairs += not same
            continue
        if r in block_at:
            al.rows.append(("block", block_at[r], -1))
        else:
            _walk(al, i1, i2, j1, j2, a_pair, b_paired)
        r += 1
    return al


def _is_block(
    left_a: list[int], left_b: list[int], n: int, m: int, pa: list[Paragraph], pb: list[Paragraph], bags: _Bags
) -> bool:
    """A split or merge of paragraphs: counts differ, nothing moved out, same words overall."""
    if n == m or len(left_a) != n or len(left_b) != m or not n or not m:
        return False
    joined_a = "\n".join(pa[i].key for i in left_a)
    joined_b = "\n".join(pb[j].key for j in left_b)
    return bags.dice(joined_a, joined_b) >= BLOCK_MIN


def _add_move(al: Alignment, i: int, j: int) -> None:
    move_id = len(al.move_source)
    al.a_moves[i] = move_id
    al.b_moves[j] = move_id
    al.move_source[move_id] = i


def _pair_stretch(
    left_a: list[int], left_b: list[int], pa: list[Paragraph], pb: list[Paragraph], bags: _Bags
) -> list[tuple[int, int]]:
    """Monotone pairs (i, j) maximising total similarity (an edited paragraph stays in place)."""
    n, m = len(left_a), len(left_b)
    if n == 0 or m == 0:
        return []
    if n == 1 and m == 1:
        i, j = left_a[0], left_b[0]
        return [(i, j)] if bags.dice(pa[i].key, pb[j].key) >= PAIR_MIN_ALONE else []
    if n == m:
        # The usual stretch: paragraphs edited in place, one for one. Skip the search.
        diagonal = list(zip(left_a, left_b, strict=True))
        if all(bags.dice(pa[i].key, pb[j].key) >= PAIR_MIN for i, j in diagonal):
            return diagonal
    if n * m > MAX_PAIR_DP:
        return [(i, j) for i, j in zip(left_a, left_b, strict=False) if bags.dice(pa[i].key, pb[j].key) >= PAIR_MIN]
    sim = [[bags.dice(pa[i].key, pb[j].key) for j in left_b] for i in left_a]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for x in range(1, n + 1):
        for y in range(1, m + 1):
            s = sim[x - 1][y - 1]
            diag = best[x - 1][y - 1] + s if s >= PAIR_MIN else -1.0
            best[x][y] = max(best[x - 1][y], best[x][y - 1], diag)
    pairs: list[tuple[int, int]] = []
    x, y = n, m
    while x > 0 and y > 0:
        s = sim[x - 1][y - 1]
        if s >= PAIR_MIN and best[x][y] == best[x - 1][y - 1] + s:
            pairs.append((left_a[x - 1], left_b[y - 1]))
            x, y = x - 1, y - 1
        elif best[x][y] == best[x - 1][y]:
            x -= 1
        else:
            y -= 1
    pairs.reverse()
    return pairs


def _near_moves(
    al: Alignment,
    regions: list[tuple[int, int, int, int]],
    pa: list[Paragraph],
    pb: list[Paragraph],
    a_pair: dict[int, int],
    b_paired: set[int],
    bags: _Bags,
) -> None:
    gone = [
        i
        for i1, i2, _, _ in regions
        for i in range(i1, i2)
        if i not in al.a_moves and i not in a_pair and bags.get(pa[i].key)[1] >= MIN_MOVE_WORDS
    ]
    new = [
        j
        for _, _, j1, j2 in regions
        for j in range(j1, j2)
        if j not in al.b_moves and j not in b_paired and bags.get(pb[j].key)[1] >= MIN_MOVE_WORDS
    ]
    if not gone or not new or len(gone) * len(new) > MAX_MOVE_PAIRS:
        return
    candidates: list[tuple[float, int, int]] = []
    for i in gone:
        ni = bags.get(pa[i].key)[1]
        for j in new:
            nj = bags.get(pb[j].key)[1]
            if min(ni, nj) < 0.6 * max(ni, nj):
                continue
            score = bags.dice(pa[i].key, pb[j].key)
            if score >= MOVE_MIN_BAG:
                candidates.append((score, i, j))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    for _, i, j in candidates:
        if i in used_a or j in used_b:
            continue
        ratio = SequenceMatcher(None, pa[i].key.split(), pb[j].key.split(), autojunk=False).ratio()
        if ratio >= MOVE_MIN_RATIO:
            used_a.add(i)
            used_b.add(j)
            _add_move(al, i, j)


def _walk(al: Alignment, i1: int, i2: int, j1: int, j2: int, a_pair: dict[int, int], b_paired: set[int]) -> None:
    """Rows of one stretch in an order consistent with both texts: unpaired A paragraphs
    before unpaired B ones, pairs where both sides reach them (pairs are monotone)."""
    i, j = i1, j1
    while i < i2 or j < j2:
        if i < i2 and i not in a_pair:
            al.rows.append(("delete", i, -1))
            if i not in al.a_moves:
                al.deleted += 1
            i += 1
        elif j < j2 and j not in b_paired:
            al.rows.append(("insert", -1, j))
            if j not in al.b_moves:
                al.inserted += 1
            j += 1
        else:
            al.rows.append(("pair", i, a_pair[i]))
            al.pairs += 1
            i, j = i + 1, a_pair[i] + 1
