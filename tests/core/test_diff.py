"""Revision diff: golden files (hand-made cases, expected operations as JSON) and real
chapters from the shared corpus.

Golden files live in tests/core/golden/diff/*.json as {"a", "b", "expected"}. After an
intended change to the engine, regenerate with GHOSTLINE_UPDATE_GOLDEN=1 and read the
diff of the JSON before committing it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from ghostline_desktop.core.diff import (
    OpKind,
    apply,
    apply_change,
    diff_texts,
    diff_to_json,
    revert_change,
    similarity,
)
from ghostline_desktop.core.words import count_words

GOLDEN = Path(__file__).parent / "golden" / "diff"
CASES = sorted(GOLDEN.glob("*.json"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    diff = diff_texts(case["a"], case["b"])
    got = diff_to_json(diff)
    if os.environ.get("GHOSTLINE_UPDATE_GOLDEN") == "1":
        case["expected"] = got
        path.write_text(json.dumps(case, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert got == case["expected"]
    assert apply(case["a"], diff) == case["b"]


def test_golden_cases_exist() -> None:
    assert len(CASES) >= 8


def test_word_edit_highlights_exact_ranges() -> None:
    a = "It is a truth universally acknowledged.\n\nMr. Bennet made no answer.\n"
    b = "It is a truth widely acknowledged.\n\nMr. Bennet made no answer.\n"
    diff = diff_texts(a, b)
    (change,) = diff.changes
    assert change.kind is OpKind.REPLACE
    assert a[change.a_start : change.a_end] == "universally"
    assert b[change.b_start : change.b_end] == "widely"
    assert diff.summary.words_added == diff.summary.words_removed == 1
    assert diff.summary.paragraphs_changed == 1


def test_move_is_one_change_and_can_be_taken_alone() -> None:
    a = "Call me Ishmael, said he.\n\nSome years ago, never mind how long.\n\nIt is a way I have."
    b = "Some years ago, never mind how long.\n\nIt is a way I have.\n\nCall me Ishmael, said he."
    diff = diff_texts(a, b)
    assert diff.summary.paragraphs_moved == 1
    assert diff.summary.words_added == diff.summary.words_removed == 0
    (move,) = [c for c in diff.changes if c.kind is OpKind.MOVE]
    assert a[move.a_start : move.a_end] == "Call me Ishmael, said he."
    assert b[move.b_start : move.b_end].strip() == "Call me Ishmael, said he."
    assert apply_change(a, diff, move.id).split("\n\n") == b.split("\n\n")
    assert revert_change(a, diff, move.id).split("\n\n") == a.split("\n\n")


def test_take_one_of_several_changes() -> None:
    a = "The cat sat on the mat.\n\nIt was a dark night."
    b = "The dog sat on the rug.\n\nIt was a stormy night."
    diff = diff_texts(a, b)
    by_new = {b[c.b_start : c.b_end]: c.id for c in diff.changes}
    assert set(by_new) == {"dog", "rug", "stormy"}
    assert apply_change(a, diff, by_new["rug"]) == "The cat sat on the rug.\n\nIt was a dark night."
    assert revert_change(a, diff, by_new["dog"]) == "The cat sat on the rug.\n\nIt was a stormy night."


def test_unknown_change_is_refused() -> None:
    diff = diff_texts("a", "b")
    with pytest.raises(KeyError):
        apply_change("a", diff, 99)


def test_summary_counts_words_like_the_editor() -> None:
    a = "Plain words here.\n\nA paragraph about to go away forever."
    b = "Plain words here, well-known ones.\n\nA brand new rock'n'roll paragraph."
    diff = diff_texts(a, b)
    removed = count_words("A paragraph about to go away forever.")
    added = count_words("A brand new rock'n'roll paragraph.")
    s = diff.summary
    # One paragraph edited (", well-known ones" added), one replaced by an unrelated one.
    assert s.words_added >= added and s.words_removed >= removed - count_words("A paragraph")
    assert s.paragraphs_changed + s.paragraphs_added >= 1


def test_similarity() -> None:
    assert similarity("", "") == 1.0
    assert similarity("a b c d", "a b c d") == 1.0
    assert 0.0 < similarity("a b c d", "a b x d") < 1.0


def _chapter(text: str, number: str, following: str) -> str:
    start = text.index(number)
    return text[start : text.index(following, start)]


def test_pride_and_prejudice_chapter_one(corpus_dir: Path) -> None:
    book = (corpus_dir / "austen-pride-and-prejudice.txt").read_text(encoding="utf-8")
    a = _chapter(book, "It is a truth universally acknowledged", "CHAPTER II.")
    paras = a.split("\n\n")
    mover = next(i for i, p in enumerate(paras) if p.startswith("Mr. Bennet was so odd a mixture"))
    edited = list(paras)
    moved = edited.pop(mover)
    edited.insert(3, moved)  # the closing character sketch moved near the start
    first = next(i for i, p in enumerate(edited) if p.startswith("It is a truth"))
    edited[first] = edited[first].replace("universally", "widely")
    edited[first + 1] = edited[first + 1].replace("neighbourhood", "neighborhood")
    b = "\n\n".join(edited)

    diff = diff_texts(a, b)
    assert apply(a, diff) == b
    s = diff.summary
    assert s.paragraphs_moved == 1
    assert (s.paragraphs_changed, s.words_added, s.words_removed) == (2, 2, 2)
    assert s.paragraphs_added == s.paragraphs_removed == 0
    (move,) = [c for c in diff.changes if c.kind is OpKind.MOVE]
    assert a[move.a_start : move.a_end].startswith("Mr. Bennet was so odd a mixture")
    highlighted = {(a[c.a_start : c.a_end], b[c.b_start : c.b_end]) for c in diff.changes if c.kind is OpKind.REPLACE}
    assert highlighted == {("universally", "widely"), ("neighbourhood", "neighborhood")}


def test_moby_dick_chapter_moved_and_edited(corpus_dir: Path) -> None:
    """A long chapter with a paragraph moved *and* reworded: still reported as a move."""
    book = (corpus_dir / "melville-moby-dick.txt").read_text(encoding="utf-8")
    a = _chapter(book, "Call me Ishmael.", "CHAPTER 2.")
    paras = a.split("\n\n")
    k = max(range(len(paras)), key=lambda i: len(paras[i]))
    edited = list(paras)
    moved = edited.pop(k).replace(" the ", " a ", 1)
    edited.append(moved)
    b = "\n\n".join(edited)
    diff = diff_texts(a, b)
    assert apply(a, diff) == b
    assert diff.summary.paragraphs_moved == 1
    (op,) = [o for o in diff.ops if o.kind is OpKind.MOVE_IN]
    changed = [w for w in op.words if w.kind is not OpKind.EQUAL and w.new_text.strip()]
    assert [w.new_text for w in changed] == ["a"]


def test_whole_book_against_itself_with_scattered_edits(corpus_dir: Path) -> None:
    book = (corpus_dir / "doyle-adventures-of-sherlock-holmes.txt").read_text(encoding="utf-8")
    a = book[:200_000]
    b = re.sub(r"\bHolmes\b", "Sherlock", a, count=40)
    diff = diff_texts(a, b)
    assert apply(a, diff) == b
    assert diff.summary.words_added == diff.summary.words_removed == 40
    assert all(b[c.b_start : c.b_end] == "Sherlock" for c in diff.changes)
