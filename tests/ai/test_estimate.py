"""The offline token estimate against real counts.

The expected counts in estimate_cases.json were measured once with OpenAI's cl100k_base
vocabulary (tiktoken, on a development machine; nothing is downloaded here): the five
corpus books whole, two passages of each (~300 tokens), other languages, Markdown/JSON,
short strings, and a chat in OpenAI's framing (3 tokens a message, 1 a name, 3 priming
the reply).

Tolerances (what the estimate promises):
- English prose, passages of 200+ tokens: ±8 % (measured: ±3 % typical);
- whole books: ±5 %;
- French/German: ±12 %; Cyrillic: ±15 %; CJK: ±30 %; Markdown/JSON: ±15 %;
- short strings: ±2 tokens.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from ghostline_desktop.ai.estimate import estimate_chat, estimate_prompt, estimate_tokens

CASES: dict[str, Any] = json.loads((Path(__file__).parent / "estimate_cases.json").read_text(encoding="utf-8"))
TOLERANCE = {
    "english": 0.08,
    "english_short": 0.10,
    "latin": 0.12,
    "other": 0.15,
    "cjk": 0.30,
    "structured": 0.15,
}


def _ids(case: dict[str, Any]) -> str:
    return f"{case['kind']}-{case['source']}-{case['cl100k']}"


@pytest.mark.parametrize("case", CASES["passages"], ids=_ids)
def test_passages_within_tolerance(case: dict[str, Any]) -> None:
    expected = case["cl100k"]
    got = estimate_tokens(case["text"])
    tolerance = TOLERANCE[case["kind"]]
    assert abs(got - expected) <= tolerance * expected, (got, expected, tolerance)


@pytest.mark.parametrize(("text", "expected"), sorted(CASES["short"].items()))
def test_short_strings_within_two_tokens(text: str, expected: int) -> None:
    assert abs(estimate_tokens(text) - expected) <= 2


def test_english_passages_unbiased() -> None:
    """Over all English passages the estimate is within 3 % of the real total (no drift one way)."""
    english = [c for c in CASES["passages"] if c["kind"] == "english"]
    real = sum(c["cl100k"] for c in english)
    estimated = sum(estimate_tokens(c["text"]) for c in english)
    assert abs(estimated - real) <= 0.03 * real, (estimated, real)


@pytest.mark.parametrize(("book", "expected"), sorted(CASES["books"].items()))
def test_whole_books(corpus_dir: Path, book: str, expected: int) -> None:
    text = (corpus_dir / f"{book}.txt").read_text(encoding="utf-8")
    got = estimate_tokens(text)
    assert abs(got - expected) <= 0.05 * expected, (got, expected)


def test_empty_and_tiny() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens(" ") == 1
    assert estimate_tokens("a") == 1
    assert estimate_tokens("\n\n") == 1
    assert estimate_tokens("_") == 1  # an underscore is punctuation (no piece is ever skipped)
    assert estimate_tokens("²") >= 1


def test_grows_with_text() -> None:
    text = "It is a truth universally acknowledged. "
    counts = [estimate_tokens(text * n) for n in (1, 2, 4, 8)]
    assert counts == sorted(counts)
    assert counts[3] == pytest.approx(8 * counts[0], rel=0.1)


def test_chat_framing_matches_openai_rule() -> None:
    chat = CASES["chat"]
    got = estimate_prompt(chat["messages"])
    assert abs(got - chat["cl100k"]) <= 0.08 * chat["cl100k"], (got, chat["cl100k"])


def test_estimate_chat_adds_the_whole_completion_allowance() -> None:
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello there"}]
    prompt = estimate_prompt(messages)
    # 3 priming + 2 messages × 3 framing + roles (1 each) + contents.
    assert prompt == 3 + 2 * 3 + 2 + estimate_tokens("Be brief.") + estimate_tokens("Hello there")
    assert estimate_chat(messages, 500) == prompt + 500
    assert estimate_chat(messages, 0) == prompt
    assert estimate_chat(messages, -5) == prompt  # a nonsense allowance never lowers the estimate


def test_chat_content_parts_and_missing_content() -> None:
    parts = [{"role": "user", "content": [{"type": "text", "text": "Hello there"}, {"type": "image_url"}]}]
    plain = [{"role": "user", "content": "Hello there"}]
    assert estimate_prompt(parts) == estimate_prompt(plain)
    assert estimate_prompt([{"role": "assistant", "content": None}]) == 3 + 3 + 1
    assert estimate_prompt([]) == 3


def test_fast_enough_for_a_long_prompt() -> None:
    """A 30,000-token prompt (a chapter plus retrieved passages) is estimated in well under 100 ms."""
    text = " ".join(c["text"] for c in CASES["passages"] if c["kind"] == "english") * 10
    started = time.perf_counter()
    estimate_tokens(text)
    assert time.perf_counter() - started < 0.5  # generous: 2 shared cores; ~40 ms measured
