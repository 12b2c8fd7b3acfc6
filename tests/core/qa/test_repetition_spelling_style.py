from ghostline_desktop.core.enums import FindingType, Severity
from ghostline_desktop.core.qa.runner import run_checks
from ghostline_desktop.core.qa.style import check_style_deviation

from .helpers import book, chapter, filler


def _found(chapters, kind):
    by_id = {c.chapter_id: c for c in chapters}
    return [(by_id[f.chapter_id].text[f.start : f.end], f) for f in run_checks(chapters, enabled={kind})]


def test_a_distinctive_phrase_repeated_within_a_short_span():
    text = (
        "The grey stone tower stood on the hill. Nobody went there. "
        "At dusk she saw the grey stone tower again, darker now."
    )
    found = _found(book(text), FindingType.REPETITION)
    assert [s for s, _ in found] == ["the grey stone tower"]


def test_common_phrases_and_far_repeats_are_not_repetition():
    text = "It was one of the best. " + "She sat. " * 200 + "It was one of the best."
    assert _found(book(text), FindingType.REPETITION) == []


def test_an_overused_crutch_word_against_the_book_baseline():
    calm = filler(["Anne"], 200)
    busy = " ".join(["Suddenly the door opened and she suddenly stood up."] * 6)
    found = _found(book(calm, busy), FindingType.REPETITION)
    assert any(f.rule == "repetition.overuse" and f.subject == "suddenly" for _s, f in found)


def test_a_typo_is_flagged_with_a_suggestion():
    found = _found(book("She walked to the windw and looked out. " + filler(["Anne"], 20)), FindingType.SPELLING)
    assert [s for s, _ in found] == ["windw"]
    assert found[0][1].title.startswith("“windw” — did you mean")


def test_the_books_own_words_british_spellings_names_and_dialogue_are_not_flagged():
    coinage = "The snargle hissed. " * 3  # used often: the author's word
    text = coinage + "The colour of the centre was realised. Zephyrine smiled. “Whalin’ is purty,” he said."
    assert _found(book(text), FindingType.SPELLING) == []


def test_style_deviation_below_the_authors_range():
    ch_ok, ch_off = chapter("Fine prose.", 0), chapter("Odd prose.", 1)
    score_range = {"low": 0.70, "mean": 0.80, "std": 0.04}
    found = check_style_deviation([(ch_ok, 0.78), (ch_off, 0.20)], score_range)
    assert [f.chapter_id for f in found] == [ch_off.chapter_id]
    f = found[0]
    assert f.finding_type is FindingType.STYLE_DEVIATION and f.severity is Severity.MEDIUM
    assert (f.start, f.end) == (0, len(ch_off.text)) and not f.is_blocking
    # between 0.5 and the author's "low": the author's own later chapters land there often
    assert check_style_deviation([(ch_off, 0.6)], score_range) == []
    # a wide range (mean - 3 std below 0.5) sets the bar; just under it is advisory (LOW)
    wide = {"low": 0.5, "mean": 0.7, "std": 0.1}
    assert check_style_deviation([(ch_off, 0.35)], wide)[0].severity is Severity.LOW


def test_style_deviation_needs_a_range():
    ch = chapter("Odd prose.")
    assert check_style_deviation([(ch, 0.1)], {}) == []
    assert check_style_deviation([(ch, 0.1)], {"low": None, "mean": 0.8, "std": 0.1}) == []
