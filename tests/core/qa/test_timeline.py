from ghostline_desktop.core.enums import FindingType
from ghostline_desktop.core.qa.runner import run_checks

from .helpers import book

TIMELINE = {FindingType.TIMELINE_ERROR}


def _spans(chapters):
    by_id = {c.chapter_id: c for c in chapters}
    return [(by_id[f.chapter_id].text[f.start : f.end], f.rule) for f in run_checks(chapters, enabled=TIMELINE)]


def test_a_date_that_is_not_the_stated_weekday():
    # 3 March 1812 was a Tuesday; 4 July 1776 a Thursday
    chapters = book(
        "It was Monday, 3 March 1812. It was Tuesday, March 3, 1812. They met on Thursday the 4th of July, 1776. "
        "It was Friday, 4 July 1776."
    )
    assert _spans(chapters) == [
        ("Monday, 3 March 1812", "timeline.weekday"),
        ("Friday, 4 July 1776", "timeline.weekday"),
    ]


def test_an_age_that_does_not_fit_the_birth_year():
    chapters = book(
        "Anne was born in 1790. She grew up at the rectory.",
        "In 1812, Anne was twenty-two years old. In 1815 Anne was thirty years old.",
    )
    assert _spans(chapters) == [("Anne was thirty years old", "timeline.age")]


def test_two_dated_ages_that_disagree():
    chapters = book("In 1800, Tom was ten years old.", "In 1810, Tom was twelve years old.")
    assert _spans(chapters) == [("Tom was twelve years old", "timeline.age")]


def test_a_memory_is_not_a_statement_of_age():
    chapters = book("Anne was born in 1790.", "In 1812 she remembered when Anne was ten years old.")
    assert _spans(chapters) == []


def test_dates_out_of_order_only_where_the_text_says_later():
    chapters = book(
        "The ball was held on 12 March 1812.",
        "The next day, on 4 March 1812, the letter came. On 3 January 1811 she had been a child.",
        "On 1 February 1811 she remembered the old house.",  # a flashback: no cue
    )
    assert _spans(chapters) == [("4 March 1812", "timeline.order")]


def test_impossible_dates_are_ignored():
    assert _spans(book("It was Monday, 31 February 1812.")) == []


def test_a_person_does_not_grow_younger():
    chapters = book("Tom was twelve years old.", "Tom was thirteen years old.", "Tom was ten years old.")
    assert _spans(chapters) == [("Tom was ten years old", "timeline.age")]


def test_weekday_after_the_date_and_the_chapters_year():
    chapters = book(
        "It was 3 March 1812, a Monday. The ball was on 4 March 1812, which was a Thursday. "
        "It was 5 March 1812, a Thursday.",
        "In 1812 they lived in town. On Friday, 6 March she left. On Sunday, 7 March she came back.",
        "On Friday, 6 March she left again.",  # no year stated in this chapter: not checked
    )
    assert _spans(chapters) == [
        ("3 March 1812, a Monday", "timeline.weekday"),
        ("4 March 1812, which was a Thursday", "timeline.weekday"),
        ("Sunday, 7 March", "timeline.weekday"),
    ]
