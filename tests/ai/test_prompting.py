"""The prompt builder and the outline reply reader (pure)."""

from __future__ import annotations

import pytest

from ghostline_desktop.ai import prompting
from ghostline_desktop.ai.outline_reply import OutlineReplyError, parse_outline_reply
from ghostline_desktop.ai.prompting import Passage

PASSAGES = [
    Passage(str(i), f"Source {i}", f"Passage {i} text about the lighthouse. " * 20, 1.0 - i / 10) for i in range(8)
]


def test_every_template_is_package_data_and_renders() -> None:
    for name in ("system", "outline", "outline_repair", "chapter", "revise", "feedback", "summarize", "continuity"):
        assert prompting.template(name).template.strip()
    with pytest.raises(KeyError):  # a missing value is a bug, not a silent blank
        prompting.render("revise", book_title="B")


def test_chapter_prompt_has_passages_voice_and_continuity() -> None:
    p = prompting.chapter_prompt(
        "Harbour Lights",
        number=2,
        title="Kilrush",
        part_title="One",
        summary="The herring town.",
        scenes=["Boats at dawn", "The cannery closes"],
        passages=PASSAGES[:2],
        voice_sample="I write short sentences. Always.",
        previous_title="The Keeper",
        previous_summary="Grandfather kept the lamp lit.",
        target_words=1000,
    )
    user = p.messages[1]["content"]
    assert p.messages[0] == {"role": "system", "content": p.system} and "Harbour Lights" in p.system
    assert user.index("[1] From “Source 0”") < user.index("Write chapter 2") < user.index("- Boats at dawn")
    assert "Grandfather kept the lamp lit." in user and "I write short sentences. Always." in user
    assert "about 1000 words" in user and p.max_completion_tokens == 1800
    assert p.estimate > p.prompt_estimate > 0


def test_fit_passages_keeps_the_best_within_the_budget_and_trimmed_halves() -> None:
    fitted = prompting.fit_passages(PASSAGES, budget_tokens=500)
    assert 1 <= len(fitted) < len(PASSAGES) and [p.chunk_id for p in fitted] == [str(i) for i in range(len(fitted))]
    long = Passage("x", "Long", "word " * 2_000)
    (cut,) = prompting.fit_passages([long])
    assert len(cut.text) <= prompting.PASSAGE_MAX_CHARS + 2 and cut.text.endswith("…")
    p = prompting.outline_prompt("B", PASSAGES)
    smaller = prompting.trimmed(p)
    assert smaller is not None and len(smaller.passages) == 4 and smaller.estimate < p.estimate
    assert prompting.trimmed(prompting.outline_prompt("B", [])) is None


def test_outline_reply_reader() -> None:
    good = (
        '```json\n{"title": "T", "parts": [{"title": "P", "chapters": [{"title": " C ", "scenes": ["s", ""]}]}]}\n```'
    )
    out = parse_outline_reply(good)
    assert out["parts"][0]["chapters"][0] == {"title": "C", "scenes": ["s"]}
    with pytest.raises(OutlineReplyError, match="not valid JSON"):
        parse_outline_reply('{"title": "Broken", "ch')
    with pytest.raises(OutlineReplyError, match="'parts' must be a non-empty list"):
        parse_outline_reply('{"parts": []}')
    with pytest.raises(OutlineReplyError, match="chapter 1 of part 1: 'scenes' must be a list of strings"):
        parse_outline_reply('{"parts": [{"title": "P", "chapters": [{"title": "C", "scenes": [1]}]}]}')
    with pytest.raises(OutlineReplyError, match="no chapters"):
        parse_outline_reply('{"parts": [{"title": "P", "chapters": []}]}')
