"""The seeded-error benchmark as a test: precision and recall per check, false findings on
the untouched corpus books. Fails below the issue's targets minus 0.1 (the bench prints the
same figures: ``python -m bench qa``)."""

from collections import Counter

import pytest

from ghostline_desktop.core.enums import FindingType
from ghostline_desktop.core.qa.runner import run_checks
from tests.qa_seed import BOOKS, CORPUS_DIR, SCORED, load_book, score, seeded_corpus

pytestmark = pytest.mark.skipif(not CORPUS_DIR.exists(), reason="the shared corpus is not here")

TARGETS = {
    FindingType.NAME_INCONSISTENCY: 0.95,
    FindingType.MISSING_CONTENT: 0.95,
    FindingType.TIMELINE_ERROR: 0.8,
    FindingType.POV_INCONSISTENCY: 0.8,
    FindingType.TENSE_INCONSISTENCY: 0.8,
}
SLACK = 0.1


@pytest.fixture(scope="module")
def scores():
    return score((b, run_checks(b.chapters, enabled=set(SCORED))) for b in seeded_corpus())


@pytest.mark.parametrize("kind", SCORED, ids=lambda t: t.name)
def test_precision_and_recall_meet_the_targets(scores, kind):
    s = scores[kind]
    assert s.seeds >= 15, f"too few {kind.name} seeds to measure"
    assert s.precision >= TARGETS[kind] - SLACK, f"{kind.name}: precision {s.precision:.2f}"
    assert s.recall >= TARGETS[kind] - SLACK, f"{kind.name}: recall {s.recall:.2f}"


def test_seeding_is_deterministic():
    a = seeded_corpus(books=BOOKS[1:2])[0]
    b = seeded_corpus(books=BOOKS[1:2])[0]
    assert a.seeds == b.seeds and [c.text for c in a.chapters] == [c.text for c in b.chapters]


def test_untouched_books_have_next_to_no_findings():
    per_book = {
        name: Counter(f.finding_type for f in run_checks(load_book(name), enabled=set(SCORED))) for name in BOOKS
    }
    for name, counts in per_book.items():
        assert counts[FindingType.NAME_INCONSISTENCY] <= 5, (name, counts)
        assert counts[FindingType.MISSING_CONTENT] == 0, (name, counts)
        assert counts[FindingType.TIMELINE_ERROR] == 0, (name, counts)
        assert counts[FindingType.POV_INCONSISTENCY] <= 2, (name, counts)
        assert counts[FindingType.TENSE_INCONSISTENCY] <= 4, (name, counts)
