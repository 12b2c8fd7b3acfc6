"""Word-level alignment inside one changed stretch of text (pure, no I/O).

``core/diff.py`` aligns whole paragraphs first and calls :func:`word_spans` only for a
paragraph that changed. Three things keep this fast even on a huge "paragraph" (a
20,000-word chapter with no blank lines) with edits scattered through it:

- the common prefix and suffix are skipped before anything is tokenized (C-speed slice
  comparisons; one edit in a paragraph leaves a middle of a few characters);
- a middle longer than :data:`DIRECT_CHARS` is aligned by sentence/line chunks first
  (strings, matched by hash), and only chunks that differ are tokenized;
- whitespace tokens are "junk" to :class:`difflib.SequenceMatcher`: they never start a
  match (a space matches everywhere, which makes a naive word diff quadratic) but are
  absorbed into the matches around them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from difflib import SequenceMatcher
from itertools import accumulate

# A word (letters/digits/combining marks, joined by an inner apostrophe or hyphen, like
# core/words.py), a run of whitespace, or any other single character (punctuation).
_TOKEN_RE = re.compile(r"[\w\u0300-\u036f]+(?:['\u2019\u2010\u2011-][\w\u0300-\u036f]+)*|\s+|.", re.DOTALL)
# A sentence (ending in . ! ? … and maybe a closing quote, then spaces) or a line.
_CHUNK_RE = re.compile(r"[^\n]*?(?:[.!?\u2026]+[\"'\u2019\u201d)\]_*]*[^\S\n]+|\n\s*|\Z)")
# Up to this many characters (both sides together) a middle is tokenized whole.
DIRECT_CHARS = 600
# Above this product of token counts a chunk group is shown as one replacement: it is a
# rewrite, and word detail would cost seconds while telling the author nothing.
GIVE_UP_PRODUCT = 4_000_000

Span = tuple[str, int, int, int, int]  # (tag, a_start, a_end, b_start, b_end)
_Differ = Callable[[str, str, int, int, list[Span]], None]


def tokenize(text: str) -> list[str]:
    """Words, whitespace runs and single punctuation marks; ``"".join`` gives ``text`` back."""
    return _TOKEN_RE.findall(text)


def word_spans(a: str, b: str) -> list[Span]:
    """Character spans turning ``a`` into ``b``: tags ``equal``/``insert``/``delete``/``replace``.

    Spans are contiguous and cover both strings, so a caller can rebuild ``b`` from the
    ``equal`` parts of ``a`` plus ``b``'s text of the other parts.
    """
    if a == b:
        return [("equal", 0, len(a), 0, len(b))] if a else []
    spans: list[Span] = []
    _trimmed(a, b, 0, 0, spans, _diff_middle)
    return _cleanup(spans, a)


def _trimmed(x: str, y: str, ox: int, oy: int, out: list[Span], inner: _Differ) -> None:
    """Emit the common prefix and suffix as equal (cut at whitespace so no word is
    split) and hand the middle to ``inner``."""
    pre = common_prefix(x, y)
    while pre and not x[pre - 1].isspace():
        pre -= 1
    suf = common_suffix(x[pre:], y[pre:])
    while suf and not x[len(x) - suf].isspace():
        suf -= 1
    if pre:
        out.append(("equal", ox, ox + pre, oy, oy + pre))
    inner(x[pre : len(x) - suf], y[pre : len(y) - suf], ox + pre, oy + pre, out)
    if suf:
        out.append(("equal", ox + len(x) - suf, ox + len(x), oy + len(y) - suf, oy + len(y)))


def common_prefix(a: str, b: str) -> int:
    """Length of the common prefix, by bisection over C-speed slice comparisons."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def common_suffix(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _diff_middle(x: str, y: str, ox: int, oy: int, out: list[Span]) -> None:
    if x and y and x.split() == y.split():
        _whitespace_only(x, y, ox, oy, out)  # re-wrapped or re-spaced: one pass, no search
        return
    if not x or not y or len(x) + len(y) <= DIRECT_CHARS:
        _diff_tokens(x, y, ox, oy, out)
        return
    cx = [c for c in _CHUNK_RE.findall(x) if c]
    cy = [c for c in _CHUNK_RE.findall(y) if c]
    if len(cx) == 1 and len(cy) == 1:
        _diff_tokens(x, y, ox, oy, out)
        return
    ids: dict[str, int] = {}
    kx = [ids.setdefault(c, len(ids)) for c in cx]
    ky = [ids.setdefault(c, len(ids)) for c in cy]
    px = list(accumulate(map(len, cx), initial=0))
    py = list(accumulate(map(len, cy), initial=0))
    for tag, c1, c2, d1, d2 in SequenceMatcher(None, kx, ky, autojunk=False).get_opcodes():
        x1, x2, y1, y2 = px[c1], px[c2], py[d1], py[d2]
        if tag == "equal":
            out.append(("equal", ox + x1, ox + x2, oy + y1, oy + y2))
        else:
            _trimmed(x[x1:x2], y[y1:y2], ox + x1, oy + y1, out, _diff_tokens)


def _whitespace_only(x: str, y: str, ox: int, oy: int, out: list[Span]) -> None:
    """Spans for two texts whose words and punctuation are the same in the same order."""
    tx, ty = tokenize(x), tokenize(y)
    i = j = px = py = 0
    while i < len(tx) or j < len(ty):
        a = tx[i] if i < len(tx) else ""
        b = ty[j] if j < len(ty) else ""
        a_space, b_space = a.isspace(), b.isspace()
        if (a_space and b_space) or (not a_space and not b_space and a == b):
            out.append(("equal" if a == b else "replace", ox + px, ox + px + len(a), oy + py, oy + py + len(b)))
            i, j, px, py = i + 1, j + 1, px + len(a), py + len(b)
        elif a_space or not b:
            out.append(("delete", ox + px, ox + px + len(a), oy + py, oy + py))
            i, px = i + 1, px + len(a)
        else:
            out.append(("insert", ox + px, ox + px, oy + py, oy + py + len(b)))
            j, py = j + 1, py + len(b)


def _diff_tokens(x: str, y: str, ox: int, oy: int, out: list[Span]) -> None:
    if not x or not y:
        if x or y:
            out.append(("insert" if not x else "delete", ox, ox + len(x), oy, oy + len(y)))
        return
    tx, ty = tokenize(x), tokenize(y)
    if (len(tx) == 1 and len(ty) == 1) or len(tx) * len(ty) > GIVE_UP_PRODUCT:
        out.append(("replace", ox, ox + len(x), oy, oy + len(y)))
        return
    qx = list(accumulate(map(len, tx), initial=0))
    qy = list(accumulate(map(len, ty), initial=0))
    sm = SequenceMatcher(str.isspace, tx, ty, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        out.append((tag, ox + qx[i1], ox + qx[i2], oy + qy[j1], oy + qy[j2]))


def _cleanup(spans: list[Span], a: str) -> list[Span]:
    """Readable highlights: merge neighbours of one kind, fold a whitespace-only ``equal``
    between two changes into them ("quick brown" → "slow red" is one replacement, not
    two with an unchanged space between), and name each merged change by what it holds."""
    merged: list[Span] = []
    for span in spans:
        tag, a1, a2, b1, b2 = span
        if a1 == a2 and b1 == b2:
            continue
        if merged and (merged[-1][0] == "equal") == (tag == "equal"):
            prev = merged[-1]
            merged[-1] = (prev[0] if tag == "equal" else "replace", prev[1], a2, prev[3], b2)
        else:
            merged.append(span)
    folded: list[Span] = []
    k = 0
    while k < len(merged):
        span = merged[k]
        if (
            span[0] == "equal"
            and folded
            and k + 1 < len(merged)
            and a[span[1] : span[2]].isspace()
            and folded[-1][0] != "equal"
        ):
            nxt = merged[k + 1]
            prev = folded[-1]
            folded[-1] = ("replace", prev[1], nxt[2], prev[3], nxt[4])
            k += 2
            continue
        folded.append(span)
        k += 1
    return [_named(span) for span in folded]


def _named(span: Span) -> Span:
    tag, a1, a2, b1, b2 = span
    if tag == "equal":
        return span
    if a1 == a2:
        return ("insert", a1, a2, b1, b2)
    if b1 == b2:
        return ("delete", a1, a2, b1, b2)
    return ("replace", a1, a2, b1, b2)
