import pytest

from ghostline_desktop.core.enums import FindingType
from ghostline_desktop.core.qa.runner import run_checks

from .helpers import book, filler

NAMES = {FindingType.NAME_INCONSISTENCY}


def _flagged(chapters):
    return [(c.text[f.start : f.end], f.subject) for f in run_checks(chapters, enabled=NAMES) for c in chapters
            if c.chapter_id == f.chapter_id]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "variant"),
    [("Katherine", "Catherine"), ("Darcy", "Darcey"), ("John", "Jon"), ("Elizabeth", "Elisabeth")],
)
def test_rare_variant_of_a_frequent_name_is_flagged_at_each_use(name, variant):
    chapters = book(
        filler([name, "Margaret"], 40),
        f"Later that day {variant} came home. The next morning Mr. {variant} left.",
    )
    flagged = _flagged(chapters)
    assert [s for s, _ in flagged] == [variant, variant]
    assert flagged[0][1] == f"{variant.lower()}→{name.lower()}"


def test_two_frequent_names_are_two_people():
    chapters = book(filler(["Jane", "Jean", "Mark", "Mary"], 80))
    assert _flagged(chapters) == []


def test_plurals_possessives_and_other_full_names_are_not_variants():
    chapters = book(
        filler(["Bingley", "German"], 40),
        "They dined with the Bingleys. It was Bingley’s house. He met Bernard Germain there.",
    )
    assert _flagged(chapters) == []


def test_words_the_book_writes_in_lower_case_are_not_names():
    chapters = book(filler(["Will"], 40), "Well, they went home. It was well done.")
    assert _flagged(chapters) == []


def test_sound_alike_variants_on_request():
    chapters = book(filler(["Katherine", "Margaret"], 40), "Later that day Catharine came home.")
    assert _flagged(chapters) == []
    found = run_checks(chapters, enabled=NAMES, sound_alike_names=True)
    assert [(chapters[1].text[f.start : f.end], f.subject) for f in found] == [("Catharine", "catharine→katherine")]
