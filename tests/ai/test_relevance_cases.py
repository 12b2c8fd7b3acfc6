"""The shared relevance cases stay usable: each passage is found once, and paraphrases stay paraphrases."""

import re
from pathlib import Path

from tests.support.relevance_cases import CASES, book_text, is_hit, locate, passage_span, passage_text


def _content_words(text: str) -> set[str]:
    """Words of five letters or more: a cheap way to leave out "the", "with", "their"… ."""
    return set(re.findall(r"[a-z]{5,}", text.lower()))


def test_every_passage_is_located_exactly_once(corpus_dir: Path) -> None:
    assert len(CASES) >= 40
    assert len({c.book for c in CASES}) == 5
    for case in CASES:
        text = book_text(case.book, corpus_dir)
        start, end = locate(case, text)
        p_start, p_end = passage_span(case, text)
        assert p_start <= start < end <= p_end
        assert is_hit(case, text, start, end) and not is_hit(case, text, 0, start)
        assert case.keywords.strip() and case.paraphrase.strip()


def test_paraphrases_do_not_borrow_the_passage_words(corpus_dir: Path) -> None:
    for case in CASES:
        borrowed = _content_words(case.paraphrase) & _content_words(passage_text(case, corpus_dir))
        assert len(borrowed) <= len(_content_words(case.paraphrase)) / 2, (case.paraphrase, borrowed)
