"""Build the prompts the generation agents send, from the template files in ``ai/prompts/``.

Pure: no I/O beyond reading the bundled templates, no database, no provider. The same
:class:`BuiltPrompt` is what "Preview Prompt" shows and what the agent sends, so the preview can
never drift from the real request.

Why ``string.Template`` (``$name``): the templates contain JSON examples with braces, which
``str.format`` would take for fields; substituted values are never re-parsed either way.
"""

from __future__ import annotations

import json
import string
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

from ghostline_desktop.ai.estimate import estimate_chat, estimate_tokens

#: Retrieved passages get at most this many tokens of the prompt by default; a "context too
#: long" reply halves it once (see :func:`trimmed`).
PASSAGE_BUDGET_TOKENS = 6_000
PASSAGE_MAX_CHARS = 2_400  # one passage is cut here (chunks are ~1,000 tokens; keeps many sources)
VOICE_SAMPLE_MAX_CHARS = 3_000
DEFAULT_CHAPTER_WORDS = 2_500
SUMMARY_WORDS = 200


@cache
def template(name: str) -> string.Template:
    """The template ``ai/prompts/<name>.md`` (package data)."""
    text = resources.files("ghostline_desktop.ai").joinpath("prompts", f"{name}.md").read_text(encoding="utf-8")
    return string.Template(text.strip())


def render(name: str, **values: object) -> str:
    return template(name).substitute({k: "" if v is None else str(v) for k, v in values.items()})


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk of the author's material, as the prompt cites it."""

    chunk_id: str
    source_title: str
    text: str
    score: float = 0.0
    page: int | None = None
    section: str | None = None

    @property
    def where(self) -> str:
        bits = [f"“{self.source_title}”"]
        if self.page is not None:
            bits.append(f"p. {self.page}")
        if self.section:
            bits.append(self.section)
        return ", ".join(bits)


@dataclass(frozen=True)
class BuiltPrompt:
    """Exactly what one call sends: the system prompt, the passages, the instructions."""

    agent: str  # OUTLINE_GENERATION, CHAPTER_GENERATION, CHAPTER_REVISION, AI_FEEDBACK, SUMMARIZATION
    system: str
    passages: tuple[Passage, ...]
    instructions: str
    max_completion_tokens: int
    json_reply: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def passages_text(self) -> str:
        return render_passages(self.passages)

    @property
    def user_text(self) -> str:
        block = self.passages_text
        return f"{block}\n\n{self.instructions}" if block else self.instructions

    @property
    def messages(self) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user_text}]

    @property
    def estimate(self) -> int:
        """Tokens the call may cost at most: the prompt plus the reply it allows."""
        return estimate_chat(self.messages, self.max_completion_tokens)

    @property
    def prompt_estimate(self) -> int:
        return estimate_chat(self.messages, 0)

    def as_text(self) -> str:
        """The whole request as plain text (the preview's "Copy")."""
        return f"## System\n\n{self.system}\n\n## User\n\n{self.user_text}\n"


def render_passages(passages: Sequence[Passage]) -> str:
    if not passages:
        return ""
    parts = ["Passages from the author's material (cite nothing else):"]
    for i, p in enumerate(passages, 1):
        parts.append(f"[{i}] From {p.where}:\n{p.text.strip()}")
    return "\n\n".join(parts)


def fit_passages(passages: Sequence[Passage], budget_tokens: int = PASSAGE_BUDGET_TOKENS) -> tuple[Passage, ...]:
    """The best-ranked passages that fit ``budget_tokens`` (each cut to ``PASSAGE_MAX_CHARS``)."""
    out: list[Passage] = []
    used = 0
    for p in passages:
        text = p.text.strip()
        if len(text) > PASSAGE_MAX_CHARS:
            cut = text.rfind(" ", 0, PASSAGE_MAX_CHARS)
            text = text[: cut if cut > 0 else PASSAGE_MAX_CHARS] + " …"
        cost = estimate_tokens(text) + 12  # the "[n] From …" line
        if out and used + cost > budget_tokens:
            break
        out.append(replace(p, text=text))
        used += cost
    return tuple(out)


def trimmed(prompt: BuiltPrompt) -> BuiltPrompt | None:
    """The prompt with half its passages (the retry after "context too long"); None when there
    is nothing left to trim."""
    if not prompt.passages:
        return None
    keep = len(prompt.passages) // 2
    return replace(prompt, passages=prompt.passages[:keep])


def _system(book_title: str) -> str:
    return render("system", book_title=book_title or "Untitled")


def outline_prompt(
    book_title: str, passages: Sequence[Passage], *, brief: str | None = None, chapters: int | None = None
) -> BuiltPrompt:
    brief_line = f"The author describes the book as: {brief.strip()}\n" if brief and brief.strip() else ""
    instructions = render(
        "outline", book_title=book_title or "Untitled", project_brief=brief_line, chapter_hint=chapters or "10–20"
    )
    return BuiltPrompt("OUTLINE_GENERATION", _system(book_title), tuple(passages), instructions, 4_000, json_reply=True)


def outline_repair_messages(prompt: BuiltPrompt, bad_reply: str, problem: str) -> list[dict[str, str]]:
    """The one repair attempt: the original conversation, the unusable reply, what was wrong."""
    return [
        *prompt.messages,
        {"role": "assistant", "content": bad_reply[:8_000]},
        {"role": "user", "content": render("outline_repair", problem=problem)},
    ]


def chapter_prompt(
    book_title: str,
    *,
    number: int,
    title: str,
    part_title: str | None,
    summary: str | None,
    scenes: Sequence[str],
    passages: Sequence[Passage],
    voice_sample: str | None,
    previous_title: str | None,
    previous_summary: str | None,
    target_words: int | None,
) -> BuiltPrompt:
    words = target_words or DEFAULT_CHAPTER_WORDS
    continuity = ""
    if previous_summary:
        continuity = "\n" + render("continuity", previous_title=previous_title or "", previous_summary=previous_summary)
    voice = ""
    if voice_sample and voice_sample.strip():
        voice = "\n" + render("voice", voice_sample=voice_sample.strip()[:VOICE_SAMPLE_MAX_CHARS])
    scene_lines = "\n".join(f"- {s}" for s in scenes) if scenes else "- (no scenes listed: follow the title)"
    instructions = render(
        "chapter",
        chapter_number=number,
        book_title=book_title or "Untitled",
        chapter_title=title,
        part_line=f" (part “{part_title}”)" if part_title else "",
        chapter_summary=f"In short: {summary.strip()}\n" if summary and summary.strip() else "",
        scenes=scene_lines,
        continuity=continuity,
        voice=voice,
        target_words=words,
    )
    # English prose runs ~1.35 tokens a word; the margin lets a draft run a little long.
    return BuiltPrompt("CHAPTER_GENERATION", _system(book_title), tuple(passages), instructions, int(words * 1.6) + 200)


def revision_prompt(
    book_title: str, *, title: str, text: str, feedback: str, passages: Sequence[Passage]
) -> BuiltPrompt:
    instructions = render(
        "revise", book_title=book_title or "Untitled", chapter_title=title, feedback=feedback, text=text
    )
    reply = int(estimate_tokens(text) * 1.3) + 400
    return BuiltPrompt("CHAPTER_REVISION", _system(book_title), tuple(passages), instructions, reply)


def feedback_prompt(book_title: str, *, title: str, text: str, passages: Sequence[Passage]) -> BuiltPrompt:
    instructions = render("feedback", book_title=book_title or "Untitled", chapter_title=title, text=text)
    return BuiltPrompt("AI_FEEDBACK", _system(book_title), tuple(passages), instructions, 1_200)


def summary_prompt(book_title: str, *, title: str, text: str) -> BuiltPrompt:
    instructions = render(
        "summarize", book_title=book_title or "Untitled", chapter_title=title, text=text, max_words=SUMMARY_WORDS
    )
    return BuiltPrompt("SUMMARIZATION", _system(book_title), (), instructions, SUMMARY_WORDS * 2)


def preview_dict(prompt: BuiltPrompt) -> dict[str, Any]:
    """A JSON-able form of the prompt (CLI ``--json``, tests)."""
    return {
        "agent": prompt.agent,
        "system": prompt.system,
        "passages": [
            {
                "chunk_id": p.chunk_id,
                "source_title": p.source_title,
                "where": p.where,
                "score": p.score,
                "text": p.text,
            }
            for p in prompt.passages
        ],
        "instructions": prompt.instructions,
        "estimate": prompt.estimate,
        "max_completion_tokens": prompt.max_completion_tokens,
    }


def dumps(prompt: BuiltPrompt) -> str:
    return json.dumps(preview_dict(prompt), ensure_ascii=False, indent=2)
