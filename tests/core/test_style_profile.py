"""Profile building, calibration, the score and its plain-words reasons."""

from __future__ import annotations

import random

import pytest

from ghostline_desktop.core.style_features import FEATURE_NAMES
from ghostline_desktop.core.style_profile import (
    MIN_WORDS,
    StyleProfile,
    TooLittleTextError,
    build_profile,
    score_text,
    style_vector,
)
from ghostline_desktop.core.style_words import describe_profile, reasons

_SHORT = "The man walked to the door. It was late, and he was tired of the day."
_LONG = (
    "Notwithstanding the considerable inconvenience occasioned by the weather, which had been "
    "uncommonly disagreeable throughout the preceding fortnight, the whole family assembled in "
    "the drawing room; and Mrs. Bennet, who had long anticipated the occasion, declared herself "
    "entirely satisfied with the arrangements."
)


def _prose(sentence: str, words: int, seed: int) -> str:
    rng = random.Random(seed)
    parts = sentence.split(". ")
    paras, count = [], 0
    while count < words:
        para = ". ".join(rng.choice(parts).rstrip(".") for _ in range(4)) + "."
        paras.append(para)
        count += len(para.split())
    return "\n\n".join(paras)


def test_too_little_text_is_refused_with_the_count() -> None:
    with pytest.raises(TooLittleTextError) as err:
        build_profile(_prose(_SHORT, 1000, 1))
    assert f"{MIN_WORDS:,}" in str(err.value)
    assert 900 < err.value.words < 1200


def test_same_style_scores_high_and_a_different_style_low_with_reasons() -> None:
    profile = build_profile(_prose(_SHORT, 6000, 1))
    own = score_text(profile, _prose(_SHORT, 1500, 2))
    other = score_text(profile, _prose(_LONG, 1500, 3))
    assert own.score > 0.6 > other.score
    assert 0.0 <= other.score <= 1.0
    assert any(r.startswith("sentences") and ("longer than yours" in r or "as long as" in r) for r in other.reasons)
    assert score_text(profile, "").score == 0.0


def test_profile_round_trips_through_json_with_a_score_range() -> None:
    profile = build_profile(_prose(_SHORT, 5000, 4))
    data = profile.to_json()
    rng = data["score_range"]
    assert set(rng) == {"low", "mean", "std"} and 0 <= rng["low"] <= rng["mean"] <= 1
    again = StyleProfile.from_json(data)
    text = _prose(_SHORT, 800, 5)
    assert score_text(again, text).score == pytest.approx(score_text(profile, text).score)
    vec = style_vector(again.means())
    assert len(vec) == len(FEATURE_NAMES)


def test_reasons_in_plain_words() -> None:
    means = {"sentence_length": 10.0, "dialogue": 0.4, "adverbs": 1.0}
    values = {"sentence_length": 14.0, "dialogue": 0.05, "adverbs": 2.0}
    z = {"sentence_length": 2.0, "dialogue": -3.5, "adverbs": 1.6}
    assert reasons(means, values, z, {"upon": 4.0}) == [
        "far fewer dialogue lines",
        "sentences 40% longer than yours",
        "more adverbs",
        "uses “upon” more often than you do",
    ]
    assert reasons(means, values, {k: 0.2 for k in z}, {}) == ["close to your voice on every measure"]
    long_paragraphs = reasons({"paragraph_length": 40.0}, {"paragraph_length": 229.0}, {"paragraph_length": 4.0}, {})
    assert long_paragraphs == ["paragraphs 5.7 times as long as yours"]


def test_profile_description_mentions_each_aspect() -> None:
    profile = build_profile(_prose(_SHORT, 5000, 6))
    text = " ".join(describe_profile(profile.means(), profile.words))
    for word in ("Sentences average", "Paragraphs", "MTLD", "Dialogue", "commas", "Reading ease", "past tense"):
        assert word in text
