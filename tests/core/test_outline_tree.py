import pytest

from ghostline_desktop.core import outline_tree as ot

GOOD = {
    "parts": [
        {
            "title": "Part I",
            "chapters": [
                {"title": "One", "scenes": ["a", "b"]},
                {"title": "Two", "scenes": []},
            ],
        },
        {"title": "Part II", "chapters": [{"title": "Three", "scenes": ["c"]}]},
    ]
}


def test_validate_keeps_a_good_tree_and_copies_it() -> None:
    clean = ot.validate(GOOD)
    assert clean == GOOD
    clean["parts"][0]["title"] = "changed"
    assert GOOD["parts"][0]["title"] == "Part I"


def test_counts_and_flatten() -> None:
    assert ot.count_parts(GOOD) == 2
    assert ot.count_chapters(GOOD) == 3
    assert ot.count_scenes(GOOD) == 3
    flat = ot.flatten(GOOD)
    assert [(c.number, c.part_index, c.chapter_index, c.title) for c in flat] == [
        (1, 0, 0, "One"),
        (2, 0, 1, "Two"),
        (3, 1, 0, "Three"),
    ]
    assert flat[2].part_title == "Part II" and flat[0].scenes == ("a", "b")
    assert flat[1].position == {"part": 0, "chapter": 1}
    assert ot.chapter_at(GOOD, {"part": 1, "chapter": 0}) == flat[2]
    assert ot.chapter_at(GOOD, {"part": 5, "chapter": 0}) is None


def test_empty_outline() -> None:
    assert ot.validate({"parts": []}) == {"parts": []}
    assert ot.validate(ot.empty()) == ot.empty()
    assert ot.count_chapters(ot.empty()) == 0 and ot.flatten(ot.empty()) == []


def test_cleaning() -> None:
    clean = ot.validate(
        {
            "parts": [
                {
                    "title": "  Part   I ",
                    "summary": "kept",
                    "chapters": [{"title": "One\n", "scenes": [" x ", "", "  "]}],
                },
                {"title": "No chapters key"},
            ],
            "notes": "kept too",
        }
    )
    assert clean == {
        "parts": [
            {"title": "Part I", "summary": "kept", "chapters": [{"title": "One", "scenes": ["x"]}]},
            {"title": "No chapters key", "chapters": []},
        ],
        "notes": "kept too",
    }


def test_unicode_titles() -> None:
    clean = ot.validate(
        {"parts": [{"title": "Première partie", "chapters": [{"title": "第一章 🐇", "scenes": ["Ünïcödé"]}]}]}
    )
    assert ot.flatten(clean)[0].title == "第一章 🐇"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (None, "object"),
        ([], "object"),
        ({}, "'parts'"),
        ({"parts": "x"}, "list"),
        ({"parts": ["x"]}, "Part 1"),
        ({"parts": [{"chapters": []}]}, "Part 1 needs a title"),
        ({"parts": [{"title": "  ", "chapters": []}]}, "empty title"),
        ({"parts": [{"title": 3, "chapters": []}]}, "Part 1"),
        ({"parts": [{"title": "P", "chapters": {"title": "x"}}]}, "list"),
        ({"parts": [{"title": "P", "chapters": [{"title": "C", "scenes": "s"}]}]}, "list"),
        ({"parts": [{"title": "P", "chapters": [{"title": "C", "scenes": [1]}]}]}, "scene 1"),
        ({"parts": [{"title": "P", "chapters": [{"title": "C"}, {"scenes": []}]}]}, "Part 1, chapter 2"),
        ({"parts": [{"title": "P", "chapters": ["C"]}]}, "chapter 1"),
        ({"parts": [{"title": "x" * 501}]}, "longer"),
    ],
)
def test_bad_shapes(bad: object, message: str) -> None:
    with pytest.raises(ot.OutlineShapeError, match=message):
        ot.validate(bad)
    assert not ot.is_valid(bad)
