"""Word-level alignment inside one changed stretch of text (pure, no I/O).

``core/diff.py`` aligns whole paragraphs first and calls :func:`word_spans` only for a
paragraph that changed, so this module sees a few hundred tokens at a time. Two things
keep it fast on the odd huge "paragraph" (a 20,000-word chapter with no blank lines):

- the common prefix and suffix are stripped before anything quadratic runs;
- a middle longer than :data:`DIRECT_LIMIT` tokens is aligned by sentence/line chunks
  first (hashable strings, cheap to match), and only the chunks that differ get a
  token-level :class:`difflib.SequenceMatcher`.

Whitespace tokens are "junk" to SequenceMatcher: they never start a match (a run of
spaces matches everywhere, which is what makes a naive word diff quadratic) but are
absorbed into matches around them.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from itertools import accumulate, pairwise

# A word (letters/digits/combining marks, joined by an inner apostrophe or hyphen, like
# core/words.py), a run of whitespace, or any other single character (punctuation).
_TOKEN_RE = re.compile(r"[\w\u0300-\u036f]+(?:['\u2019\u2010\u2011-][\w\u0300-\u036f]+)*|\s+|.", re.DOTALL)
# Token counts per side up to which a stretch is matched token by token directly.
DIRECT_LIMIT = 64
# Above this product of token counts a chunk group is shown as one replacement: it is a
# rewrite, and word detail would cost seconds while telling the author nothing.
GIVE_UP_PRODUCT = 4_000_000
_SENTENCE_END = frozenset(".!?…")
_CLOSERS = frozenset("\"'’”)]_*")

Span = tuple[str, int, int, int, int]  # (tag, a_start, a_end, b_start, b_end)


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
    ta, tb = tokenize(a), tokenize(b)
    raw: list[Span] = []
    _diff_tokens(ta, tb, 0, len(ta), 0, len(tb), raw, chunked=False)
    return _cleanup(_to_chars(raw, _offsets(ta), _offsets(tb)), a)


def _offsets(tokens: list[str]) -> list[int]:
    return list(accumulate(map(len, tokens), initial=0))


def _diff_tokens(
    ta: list[str], tb: list[str], i1: int, i2: int, j1: int, j2: int, out: list[Span], *, chunked: bool
) -> None:
    prefix = 0
    while i1 + prefix < i2 and j1 + prefix < j2 and ta[i1 + prefix] == tb[j1 + prefix]:
        prefix += 1
    suffix = 0
    while i2 - suffix > i1 + prefix and j2 - suffix > j1 + prefix and ta[i2 - suffix - 1] == tb[j2 - suffix - 1]:
        suffix += 1
    if prefix:
        out.append(("equal", i1, i1 + prefix, j1, j1 + prefix))
    mi1, mi2, mj1, mj2 = i1 + prefix, i2 - suffix, j1 + prefix, j2 - suffix
    n, m = mi2 - mi1, mj2 - mj1
    if n == 0 and m == 0:
        pass
    elif n == 0:
        out.append(("insert", mi1, mi1, mj1, mj2))
    elif m == 0:
        out.append(("delete", mi1, mi2, mj1, mj1))
    elif n <= DIRECT_LIMIT and m <= DIRECT_LIMIT:
        _matcher(ta, tb, mi1, mi2, mj1, mj2, out)
    elif not chunked:
        _diff_chunks(ta, tb, mi1, mi2, mj1, mj2, out)
    elif n * m <= GIVE_UP_PRODUCT:
        _matcher(ta, tb, mi1, mi2, mj1, mj2, out)
    else:
        out.append(("replace", mi1, mi2, mj1, mj2))
    if suffix:
        out.append(("equal", i2 - suffix, i2, j2 - suffix, j2))


def _matcher(ta: list[str], tb: list[str], i1: int, i2: int, j1: int, j2: int, out: list[Span]) -> None:
    sm = SequenceMatcher(str.isspace, ta[i1:i2], tb[j1:j2], autojunk=False)
    for tag, a1, a2, b1, b2 in sm.get_opcodes():
        out.append((tag, i1 + a1, i1 + a2, j1 + b1, j1 + b2))


def _chunk_bounds(tokens: list[str], start: int, stop: int) -> list[int]:
    """Token indexes where sentence/line chunks end (the last is ``stop``)."""
    bounds: list[int] = []
    for k in range(start, stop):
        token = tokens[k]
        if not token.isspace() or k == start:
            continue
        prev = tokens[k - 1]
        if (
            "\n" in token
            or prev in _SENTENCE_END
            or (prev in _CLOSERS and k - 2 >= start and tokens[k - 2] in _SENTENCE_END)
        ):
            bounds.append(k + 1)
    if not bounds or bounds[-1] != stop:
        bounds.append(stop)
    return bounds


def _diff_chunks(ta: list[str], tb: list[str], i1: int, i2: int, j1: int, j2: int, out: list[Span]) -> None:
    bounds_a = [i1, *_chunk_bounds(ta, i1, i2)]
    bounds_b = [j1, *_chunk_bounds(tb, j1, j2)]
    ids: dict[str, int] = {}
    keys_a = [ids.setdefault("".join(ta[s:e]), len(ids)) for s, e in pairwise(bounds_a)]
    keys_b = [ids.setdefault("".join(tb[s:e]), len(ids)) for s, e in pairwise(bounds_b)]
    sm = SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for tag, c1, c2, d1, d2 in sm.get_opcodes():
        a_lo, a_hi, b_lo, b_hi = bounds_a[c1], bounds_a[c2], bounds_b[d1], bounds_b[d2]
        if tag == "equal":
            out.append(("equal", a_lo, a_hi, b_lo, b_hi))
        else:
            _diff_tokens(ta, tb, a_lo, a_hi, b_lo, b_hi, out, chunked=True)


def _to_chars(spans: list[Span], oa: list[int], ob: list[int]) -> list[Span]:
    return [(tag, oa[i1], oa[i2], ob[j1], ob[j2]) for tag, i1, i2, j1, j2 in spans]


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
