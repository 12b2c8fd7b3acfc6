"""Property tests of the revision diff: whatever the texts, the operations are a faithful
patch (A + ops = B), cover both texts in order, and every single change can be taken or
undone on its own."""

from __future__ import annotations

import re
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ghostline_desktop.core.diff import (
    DiffOp,
    OpKind,
    TextDiff,
    apply,
    apply_change,
    compose,
    diff_texts,
    revert_change,
)

WORDS = [
    "the",
    "whale",
    "sea",
    "Ishmael",
    "café",
    "cafe\u0301",
    "naïve",
    "我爱你",
    "don't",
    "well-known",
    "—",
    "42",
    "🙂",
]
word = st.sampled_from(WORDS) | st.text(min_size=1, max_size=6)
spacing = st.sampled_from([" ", "  ", "\t", " \u00a0"])
line = st.lists(word, min_size=1, max_size=8).map(" ".join)
paragraph = st.lists(line, min_size=1, max_size=3).map("\n".join)
gap = st.sampled_from(["\n\n", "\n\n\n", "\n \n", "\r\n\r\n", "\n\t\n\n"])
document = st.builds(
    lambda lead, paras, gaps, tail: lead + "".join(p + g for p, g in zip(paras, gaps, strict=False)) + tail,
    st.sampled_from(["", "\n", "  "]),
    st.lists(paragraph, max_size=8),
    st.lists(gap, min_size=8, max_size=8),
    st.sampled_from(["", "\n", " \n\n"]),
)
# Fully arbitrary text too: control characters, lone surrogates excluded by hypothesis.
anything = st.text(max_size=200)


@st.composite
def edited(draw: st.DrawFn) -> tuple[str, str]:
    """A document and a revision of it: word edits, moved, duplicated, dropped paragraphs."""
    a = draw(document)
    paras = a.split("\n\n")
    for _ in range(draw(st.integers(0, 4))):
        action = draw(st.sampled_from(["edit", "move", "dup", "drop", "add", "blank"]))
        if not paras:
            paras.append(draw(paragraph))
            continue
        k = draw(st.integers(0, len(paras) - 1))
        if action == "edit":
            ws = paras[k].split(" ")
            w = draw(st.integers(0, len(ws) - 1))
            ws[w] = draw(word)
            paras[k] = " ".join(ws)
        elif action == "move":
            p = paras.pop(k)
            paras.insert(draw(st.integers(0, len(paras))), p)
        elif action == "dup":
            paras.insert(draw(st.integers(0, len(paras))), paras[k])
        elif action == "drop":
            paras.pop(k)
        elif action == "add":
            paras.insert(k, draw(paragraph))
        else:
            paras[k] = paras[k] + draw(spacing)
    return a, "\n\n".join(paras)


def check_structure(a: str, b: str, diff: TextDiff) -> None:
    """Operations cover A and B contiguously, in order; EQUAL spans really are equal."""
    ca = cb = 0
    for op in diff.ops:
        assert (op.a_start, op.b_start) == (ca, cb), op
        assert op.a_start <= op.a_end and op.b_start <= op.b_end
        if op.kind is OpKind.EQUAL:
            assert a[op.a_start : op.a_end] == b[op.b_start : op.b_end]
        if op.kind is OpKind.MOVE_OUT:
            assert op.b_start == op.b_end
        if op.kind in (OpKind.MOVE_IN, OpKind.INSERT):
            assert op.a_start == op.a_end
        if op.kind is OpKind.REPLACE and op.words:
            check_words(a, b, op)
        ca, cb = op.a_end, op.b_end
    assert (ca, cb) == (len(a), len(b))
    ids = sorted({c.id for c in diff.changes})
    assert ids == list(range(len(diff.changes)))
    for change in diff.changes:
        assert 0 <= change.a_start <= change.a_end <= len(a)
        assert 0 <= change.b_start <= change.b_end <= len(b)


def check_words(a: str, b: str, op: DiffOp) -> None:
    ca, cb = op.a_start, op.b_start
    for w in op.words:
        assert (w.a_start, w.b_start) == (ca, cb)
        if w.kind is OpKind.EQUAL:
            assert a[w.a_start : w.a_end] == b[w.b_start : w.b_end]
        else:
            assert w.change_id is not None
            assert w.new_text == b[w.b_start : w.b_end]
        ca, cb = w.a_end, w.b_end
    assert (ca, cb) == (op.a_end, op.b_end)


def only(change_id: int) -> Callable[[int | None], bool]:
    return lambda c: c == change_id


def all_but(change_id: int) -> Callable[[int | None], bool]:
    return lambda c: c != change_id


def check_all(a: str, b: str) -> TextDiff:
    diff = diff_texts(a, b)
    assert apply(a, diff) == b
    assert compose(a, diff, lambda _change: False) == a
    check_structure(a, b, diff)
    if a == b:
        assert diff.summary.identical and not diff.changes
    for change in diff.changes[:6]:
        one = apply_change(a, diff, change.id)
        undone = revert_change(a, diff, change.id)
        assert one == compose(a, diff, only(change.id))
        assert undone == compose(a, diff, all_but(change.id))
        if len(diff.changes) == 1:
            assert (one, undone) == (b, a)
    return diff


# No example database on disk: the tests leave nothing in the working tree.
PROFILE = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@PROFILE
@given(a=document, b=document)
def test_unrelated_documents(a: str, b: str) -> None:
    check_all(a, b)


@PROFILE
@given(pair=edited())
def test_revisions_of_one_document(pair: tuple[str, str]) -> None:
    check_all(*pair)


@PROFILE
@given(a=anything, b=anything)
def test_arbitrary_strings(a: str, b: str) -> None:
    check_all(a, b)


@PROFILE
@given(a=st.text(alphabet=" \t\n\r\u00a0\u2028", max_size=30), b=st.text(alphabet=" \t\n\r\u00a0", max_size=30))
def test_whitespace_only(a: str, b: str) -> None:
    diff = check_all(a, b)
    assert diff.summary.words_added == diff.summary.words_removed == 0


@PROFILE
@given(p=paragraph, n=st.integers(1, 6), m=st.integers(0, 6))
def test_repeated_paragraphs(p: str, n: int, m: int) -> None:
    check_all("\n\n".join([p] * n), "\n\n".join([p] * m))


@PROFILE
@given(a=document)
def test_identical_texts_have_no_changes(a: str) -> None:
    diff = check_all(a, a)
    assert all(op.kind is OpKind.EQUAL for op in diff.ops)


@PROFILE
@given(a=document, data=st.data())
def test_rewrapped_and_respaced(a: str, data: st.DataObject) -> None:
    """Only whitespace changes (a re-wrapped or re-spaced paragraph): no words change."""
    spaces = [m.start() for m in re.finditer(r"[ \n]", a)]
    picks = data.draw(st.sets(st.sampled_from(spaces), max_size=6)) if spaces else set()
    b = "".join((" " if ch == "\n" else "\n") if k in picks else ch for k, ch in enumerate(a))
    diff = check_all(a, b)
    assert diff.summary.words_added == diff.summary.words_removed == 0
