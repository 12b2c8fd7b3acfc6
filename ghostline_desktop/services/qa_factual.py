"""FACTUAL_INCONSISTENCY: a claim in a chapter contradicted by the author's own sources.

Model-based, so only with a provider. Per chapter: the paragraphs most likely to state facts
(numbers, dates, names) are the search queries; the hybrid search's best passages from the
author's sources go to the model with the chapter, and the model answers JSON naming each
claim it finds contradicted, quoting the source. A claim is kept only if it can be found in
the chapter's text (an exact range is what the panel jumps to), and the source passage is
quoted in the explanation. Every call is checked against the balance first and debited with
the usage the provider reported.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ghostline_desktop.core.enums import FindingType, Severity
from ghostline_desktop.core.qa.model import ChapterText, Finding

if TYPE_CHECKING:
    from ghostline_desktop.ai.provider import Provider
    from ghostline_desktop.services.dto import SearchHit
    from ghostline_desktop.services.tokens import TokenService

RULE = "factual.source_contradiction"
MAX_QUERIES = 4
PASSAGES = 6
MAX_CHAPTER_CHARS = 12_000
MAX_REPLY_TOKENS = 900
_FACTY = re.compile(r"\d|\b[A-Z][a-z]+\b")
_SEVERITY = {"low": Severity.LOW, "medium": Severity.MEDIUM, "high": Severity.HIGH, "critical": Severity.HIGH}

SYSTEM = (
    "You are a fact-checking editor. You compare a chapter of the author's manuscript with passages "
    "from the author's own research sources. Report only claims in the chapter that a source passage "
    "clearly CONTRADICTS (different dates, numbers, names, places, events) — not claims the sources "
    "merely do not mention, and not fiction the author plainly invented. Reply with a JSON object: "
    '{"contradictions": [{"claim": "<exact words copied from the chapter>", '
    '"source": "<source title>", "source_quote": "<exact words copied from the passage>", '
    '"explanation": "<one sentence>", "suggestion": "<how to fix>", "severity": "low|medium|high"}]}. '
    'Reply {"contradictions": []} when nothing is contradicted.'
)

Search = Callable[[uuid.UUID, str], Awaitable[list["SearchHit"]]]


@dataclass
class FactualOutcome:
    findings: list[Finding]
    checked: list[uuid.UUID]  # chapters actually checked (only their FACTUAL rows are reconciled)
    tokens: int = 0
    stopped: str | None = None  # why checking stopped early (balance, provider error)


def _estimate(messages: list[dict[str, str]], max_tokens: int) -> int:
    from ghostline_desktop.ai.estimate import estimate_chat

    return int(estimate_chat(messages, max_tokens))


def claim_queries(text: str) -> list[str]:
    """The paragraphs most dense in facts (digits, capitalised words), as search queries."""
    paras = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if len(p.strip()) > 40]
    ranked = sorted(paras, key=lambda p: -len(_FACTY.findall(p)) / (1 + len(p) / 200))
    return [p[:300] for p in ranked[:MAX_QUERIES]]


def locate(text: str, claim: str) -> tuple[int, int] | None:
    """Where the model's quoted claim is in the chapter: exact, else ignoring case and spacing."""
    claim = claim.strip().strip("“”\"'")
    if not claim:
        return None
    at = text.find(claim)
    if at >= 0:
        return at, at + len(claim)
    words = [re.escape(w) for w in claim.split()]
    if not words:
        return None
    m = re.search(r"\s+".join(words), text, re.I)
    return (m.start(), m.end()) if m else None


def build_messages(chapter: ChapterText, hits: list[SearchHit]) -> list[dict[str, str]]:
    passages = "\n\n".join(f"[{i + 1}] {h.source_title}:\n{h.text.strip()}" for i, h in enumerate(hits))
    body = chapter.text[:MAX_CHAPTER_CHARS]
    return [
        {"role": "system", "content": SYSTEM},
        {
            "role": "user",
            "content": f"CHAPTER “{chapter.title}”:\n{body}\n\nSOURCE PASSAGES:\n{passages}",
        },
    ]


def parse_reply(chapter: ChapterText, reply: str) -> list[Finding]:
    try:
        data = json.loads(reply)
    except ValueError:
        return []
    items = data.get("contradictions") if isinstance(data, dict) else None
    out: list[Finding] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        claim = str(item.get("claim") or "")
        span = locate(chapter.text, claim)
        if span is None:
            continue  # not in the text (paraphrased or invented): nothing to jump to
        source = str(item.get("source") or "a source").strip()
        quote = str(item.get("source_quote") or "").strip()
        why = str(item.get("explanation") or "A source says otherwise.").strip()
        explanation = f"{why}\n\n{source}: “{quote}”" if quote else why
        start, end = span
        out.append(
            Finding(
                finding_type=FindingType.FACTUAL_INCONSISTENCY,
                severity=_SEVERITY.get(str(item.get("severity", "")).lower(), Severity.MEDIUM),
                is_blocking=False,
                chapter_id=chapter.chapter_id,
                start=start,
                end=end,
                excerpt=chapter.text[start:end],
                title=f"Contradicted by “{source}”"[:200],
                explanation=explanation,
                suggestion=(str(item.get("suggestion")).strip() or None) if item.get("suggestion") else None,
                rule=RULE,
                subject=chapter.text[start:end],
                revision_id=chapter.revision_id,
            )
        )
    return out


async def check_facts(
    *,
    provider: Provider,
    tokens: TokenService,
    search: Search,
    project_id: uuid.UUID,
    user_id: uuid.UUID | None,
    chapters: list[ChapterText],
    job_id: uuid.UUID | None,
    check_cancelled: Callable[[], None],
) -> FactualOutcome:
    """Check each chapter; stop (keeping what was found) when the balance or the provider fails."""
    from ghostline_desktop.errors import InsufficientTokensError, ProviderError

    out = FactualOutcome([], [])
    for chapter in chapters:
        check_cancelled()
        hits: dict[uuid.UUID, SearchHit] = {}
        for q in claim_queries(chapter.text):
            for h in await search(project_id, q):
                hits.setdefault(h.chunk_id, h)
        if not hits:
            out.checked.append(chapter.chapter_id)  # no sources: nothing can contradict it
            continue
        best = sorted(hits.values(), key=lambda h: -h.score)[:PASSAGES]
        messages = build_messages(chapter, best)
        try:
            if user_id is not None:
                await tokens.check_affordable(user_id, _estimate(messages, MAX_REPLY_TOKENS), "Checking facts")
            result = await provider.chat(
                messages, response_format={"type": "json_object"}, max_tokens=MAX_REPLY_TOKENS, temperature=0
            )
        except InsufficientTokensError as exc:
            out.stopped = str(exc)
            break
        except ProviderError as exc:
            out.stopped = f"The AI provider failed: {exc}"
            break
        if user_id is not None:
            await tokens.debit_usage(
                user_id,
                prompt_tokens=result.prompt_tokens,
                completion_tokens=result.completion_tokens,
                model=result.model,
                description=f"QA fact check of “{chapter.title}”"[:200],
                project_id=project_id,
                generation_task_id=job_id,
            )
        out.tokens += result.prompt_tokens + result.completion_tokens
        out.findings.extend(parse_reply(chapter, result.text))
        out.checked.append(chapter.chapter_id)
    return out
