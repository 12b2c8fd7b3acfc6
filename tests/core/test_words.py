import pytest

from ghostline_desktop.core.words import count_words, iter_words, reading_minutes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        (None, 0),
        ("   \n\t ", 0),
        ("one", 1),
        ("Alice was beginning to get very tired", 7),
        ("don't can’t won\u02bct", 3),  # straight, curly and modifier-letter apostrophes
        ("’Tis the dogs' bones", 4),  # leading and trailing apostrophes do not split or add
        ("well-known rock'n'roll", 2),
        ("non\u2011breaking hyphen", 2),  # U+2011 inside a word joins
        ("think—yes -- no – maybe", 4),  # dashes as punctuation are not words
        ("3.14 and 1,000 miles", 4),
        ("end.Start", 2),
        ("# Heading\n\n* item with *emphasis*\n> quote", 5),
        ("Привет, мир!", 2),
        ("Ελληνικά κείμενα", 2),
        ("नमस्ते दुनिया", 2),  # spacing vowel signs stay inside the word
        ("café cafe\u0301", 2),  # composed and decomposed accents
        ("我爱你 hello", 4),  # one word per ideograph
        ("こんにちは", 5),
        ("emoji 🙂 are not words", 4),
        ("snake_case _very_", 3),  # underscores are Markdown emphasis, not word characters
    ],
)
def test_count_words(text: str | None, expected: int) -> None:
    assert count_words(text) == expected


def test_iter_words_keeps_joined_words_whole() -> None:
    assert list(iter_words("“Oh dear! Oh dear! I shall be late!” — the well-known Rabbit’s watch")) == [
        "Oh",
        "dear",
        "Oh",
        "dear",
        "I",
        "shall",
        "be",
        "late",
        "the",
        "well-known",
        "Rabbit’s",
        "watch",
    ]


def test_count_matches_whitespace_split_on_plain_prose(corpus_dir) -> None:
    """On real prose the count stays within 2% of a naive split (which counts dashes and
    stray punctuation as words), so authors see familiar numbers."""
    text = (corpus_dir / "carroll-alice-in-wonderland.txt").read_text(encoding="utf-8")
    naive = len(text.split())
    assert abs(count_words(text) - naive) / naive < 0.02


@pytest.mark.parametrize(("words", "minutes"), [(0, 0), (1, 1), (250, 1), (251, 2), (2500, 10)])
def test_reading_minutes(words: int, minutes: int) -> None:
    assert reading_minutes(words) == minutes


def test_the_fast_path_counts_exactly_like_the_full_rule() -> None:
    """Text without combining marks takes a faster regex; it must agree with the full one."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from ghostline_desktop.core import words

    alphabet = st.sampled_from([*"abcXYZ019 '’-—.,\n\t*#éüßçñ", "\u0301", "\u093f", "日", "テ"])

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet, max_size=80))
    def check(text: str) -> None:
        full = sum(1 for _ in words._word_re().finditer(words._prepare(text)))
        assert words.count_words(text) == (0 if not text or text.isspace() else full)
        assert len(list(words.iter_words(text))) == (0 if not text else full)

    check()
