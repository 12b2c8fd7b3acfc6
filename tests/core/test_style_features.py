"""Each stylometric feature on hand-made text with known values."""

from __future__ import annotations

import pytest

from ghostline_desktop.core.style_features import (
    FEATURE_NAMES,
    mtld,
    split_paragraphs,
    split_sentences,
    syllables,
    text_stats,
    windows,
)

TEXT = (
    "The cat sat. The dog ran quickly!\n\n"
    "“Where is he?” she asked; nobody knew.\n\n"
    "I walked home — slowly (very slowly): it was late."
)


def test_paragraphs_blank_lines_or_single_lines() -> None:
    assert split_paragraphs("a b\nc\n\n d e \n\n\n") == ["a b\nc", "d e"]
    assert split_paragraphs("one\ntwo\nthree") == ["one", "two", "three"]
    assert split_paragraphs("   ") == []
    assert split_paragraphs("# Chapter 1\n\nText here.\n\n* * *\n\nMore.") == ["Text here.", "More."]


def test_sentences_respect_titles_initials_and_quoted_questions() -> None:
    assert split_sentences("Mr. Darcy came. “Who is he?” she asked. J. Smith left! Then") == [
        "Mr. Darcy came.",
        "“Who is he?” she asked.",
        "J. Smith left!",
        "Then",
    ]


def test_syllables_heuristic() -> None:
    assert [syllables(w) for w in ("cat", "table", "make", "beautiful", "free", "rhythm")] == [1, 2, 1, 3, 1, 1]


def test_mtld_of_repetition_and_of_all_new_words() -> None:
    assert mtld([]) == 0.0
    # Every word new: the TTR never drops to 0.72, so a single partial factor of (1-1)/(0.28) = 0
    # → the measure falls back to the length.
    assert mtld([f"w{i}" for i in range(50)]) == 50.0
    # "a a a ...": TTR 1/2 at the second word → one factor every 2 words.
    assert mtld(["a"] * 40) == pytest.approx(2.0, rel=0.05)


def test_counts_of_the_hand_made_text() -> None:
    st = text_stats(TEXT)
    v = st.values
    assert st.words == 23 and st.sentences == 4 and st.paragraphs == 3
    assert v["sentence_length"] == pytest.approx(23 / 4)
    lengths = [3, 4, 7, 9]
    mean = sum(lengths) / 4
    assert v["sentence_spread"] == pytest.approx((sum((x - mean) ** 2 for x in lengths) / 4) ** 0.5)
    assert v["paragraph_length"] == pytest.approx(23 / 3)
    assert v["dialogue"] == pytest.approx(3 / 23)  # “Where is he?”
    assert v["dialogue_paragraphs"] == pytest.approx(1 / 3)
    assert v["semicolons"] == pytest.approx(100 / 23)
    assert v["colons"] == pytest.approx(100 / 23)
    assert v["dashes"] == pytest.approx(100 / 23)
    assert v["exclamations"] == pytest.approx(100 / 23)
    assert v["questions"] == pytest.approx(100 / 23)
    assert v["parentheses"] == pytest.approx(100 / 23)
    assert v["adverbs"] == pytest.approx(300 / 23)  # quickly, slowly, slowly
    assert v["fw:the"] == pytest.approx(2 / 23)
    assert v["fw:i"] == pytest.approx(1 / 23)
    letters = sum(len(w) for w in TEXT.replace("—", " ").split() for w in [w.strip(".,!?;:()“”")] if w)
    assert v["word_length"] == pytest.approx(letters / 23)
    assert set(v) == set(FEATURE_NAMES)


def test_long_words_and_readability() -> None:
    v = text_stats("Extraordinary complications. Cat sat.").values
    assert v["long_words"] == pytest.approx(0.5)
    syll = 5 + 4 + 1 + 1  # ex-tra-or-di-nar-y counts 5 vowel groups (eo), com-pli-ca-tions 4
    assert v["readability"] == pytest.approx(206.835 - 1.015 * 2 - 84.6 * syll / 4)


def test_tense_and_point_of_view_of_the_narration_not_the_dialogue() -> None:
    past_third = text_stats("He walked in. She was tired. “I am here,” I is not narration.").values
    assert past_third["past_tense"] > 0.5
    present_first = text_stats("I walk in. I am sleepy. We go home. He is there.").values
    assert present_first["past_tense"] == pytest.approx(0.0)
    assert present_first["first_person"] == pytest.approx(3 / 4)  # I, I, We against He


def test_windows_cut_at_paragraphs_and_merge_a_short_tail() -> None:
    text = "\n\n".join(" ".join(["word"] * 100) for _ in range(25))
    parts = windows(text, 500)
    assert [len(p.split()) for p in parts] == [500] * 5
    parts = windows(text + "\n\n" + "tail " * 50, 500)
    assert [len(p.split()) for p in parts] == [500] * 4 + [550]


def test_empty_text_is_all_zeros() -> None:
    st = text_stats("")
    assert st.words == 0 and all(v in (0.0, 0.5) for v in st.values.values())
