"""The voice score on real books: five authors, profiles from the first part of each book, scored
against held-out passages of the same book and of the others (issue 10's proof that it works)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ghostline_desktop.core.style_eval import EvalResult, build_profiles, evaluate

BOOKS = {
    "austen": "austen-pride-and-prejudice.txt",
    "carroll": "carroll-alice-in-wonderland.txt",
    "doyle": "doyle-adventures-of-sherlock-holmes.txt",
    "melville": "melville-moby-dick.txt",
    "shelley": "shelley-frankenstein.txt",
}


@pytest.fixture(scope="module")
def results() -> dict[int, EvalResult]:
    from tests.conftest import CORPUS_DIR

    if not CORPUS_DIR.exists():
        pytest.skip("shared/corpus is only on development machines")
    books = {a: (Path(CORPUS_DIR) / f).read_text(encoding="utf-8") for a, f in BOOKS.items()}
    profiles, held = build_profiles(books)
    return {n: evaluate(profiles, held, n) for n in (2000, 500)}


@pytest.mark.slow
def test_same_author_outscores_other_authors_at_2000_words(results: dict[int, EvalResult]) -> None:
    r = results[2000]
    print("\n2,000 words:", r.summary())
    print("500 words:  ", results[500].summary())
    for author, (same, other) in r.per_profile.items():
        print(f"  profile {author:9} same-author mean {same:.2f}  other authors mean {other:.2f}")
    assert r.auc >= 0.90, r.summary()  # target 0.95; measured 0.99 (bench prints it)


@pytest.mark.slow
def test_scores_are_comparable_across_profiles(results: dict[int, EvalResult]) -> None:
    r = results[2000]
    # Same-author passages land above 0.6 whichever profile, and each profile ranks its own
    # author's passages above the others on average.
    assert sum(s > 0.6 for s in r.same) / len(r.same) >= 0.85, r.summary()
    for author, (same, other) in r.per_profile.items():
        assert same >= 0.6, author
        assert same > other + 0.2, author


@pytest.mark.slow
def test_short_passages_still_separate(results: dict[int, EvalResult]) -> None:
    assert results[500].auc >= 0.8, results[500].summary()  # reported, not a target (0.91 measured)
