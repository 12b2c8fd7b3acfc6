"""The voice score on real books: five authors, profiles from the first part of each book, scored
against held-out passages of the same book and of the others (issue 10's proof that it works)."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from ghostline_desktop.core.style_eval import EvalResult, build_profiles, evaluate, in_book_scores
from ghostline_desktop.core.style_profile import StyleProfile

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
    assert r.auc >= 0.90, r.summary()  # target 0.95; measured 0.98 (bench prints it)


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
    assert results[500].auc >= 0.8, results[500].summary()  # reported, not a target (0.90 measured)


@pytest.fixture(scope="module")
def in_book() -> dict[str, tuple[StyleProfile, list[tuple[str, float]]]]:
    from tests.conftest import CORPUS_DIR

    if not CORPUS_DIR.exists():
        pytest.skip("shared/corpus is only on development machines")
    return {a: in_book_scores((Path(CORPUS_DIR) / f).read_text(encoding="utf-8")) for a, f in BOOKS.items()}


@pytest.mark.slow
def test_the_authors_own_later_chapters_score_as_theirs(
    in_book: dict[str, tuple[StyleProfile, list[tuple[str, float]]]],
) -> None:
    # What an author sees: a profile from the first ~15,000 words of chapters (as the manuscript
    # import splits them), then every later chapter of 1,000+ words — dialogue scenes, narrative
    # summary, letters. Before the situational floors and the clip Austen had 76 % ≥ 0.5 (Darcy's
    # letter, ch. 36, scored 0.03).
    for author, (profile, scored) in in_book.items():
        scores = [s for _, s in scored]
        assert len(scores) >= 5, author
        share = sum(s >= 0.5 for s in scores) / len(scores)
        median = statistics.median(scores)
        rng = profile.score_range()
        # The QA check's bar (core/qa/style.py): how many of the author's own chapters it flags.
        bar = min(rng["low"], rng["mean"] - 3 * rng["std"], 0.5)
        flagged = sum(s < bar for s in scores) / len(scores)
        print(
            f"\n  {author:9} {len(scores):3} chapters  ≥0.5 {share:.0%}  median {median:.2f}  "
            f"min {min(scores):.2f}  score_range {rng}  QA flags {flagged:.0%}"
        )
        assert share >= 0.9, (author, sorted(scored, key=lambda x: x[1])[:5])
        assert median >= 0.7, author
        # score_range describes what the author's new chapters score: its mean within 0.15 of
        # theirs, and the QA bar flags at most one chapter in ten.
        assert abs(rng["mean"] - statistics.fmean(scores)) <= 0.15, author
        assert flagged <= 0.1, author
