"""Read a model's outline reply: JSON checked against the outline schema (pure).

The schema (what ``ai/prompts/outline.md`` asks for)::

    {"title": str?, "parts": [{"title": str, "chapters": [{"title": str, "summary": str?,
                                                           "scenes": [str, ...]}, ...]}, ...]}

Why our own checks rather than a JSON-schema library: the rules are few, the messages go back
to the model in the one repair attempt (so they must say precisely what was wrong), and the
result then passes ``core.outline_tree.validate`` like every outline the app stores.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ghostline_desktop.core import outline_tree

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)
MAX_CHAPTERS = 200


class OutlineReplyError(ValueError):
    """The reply is not a usable outline; the message says what is wrong (sent back to the model)."""


def _need(cond: bool, problem: str) -> None:
    if not cond:
        raise OutlineReplyError(problem)


def parse_outline_reply(text: str) -> dict[str, Any]:
    """The outline structure in ``text``, cleaned and validated; raises :class:`OutlineReplyError`."""
    raw = (text or "").strip()
    fenced = _FENCE.match(raw)
    if fenced:  # models often wrap JSON in a code fence despite being told not to
        raw = fenced.group(1)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise OutlineReplyError(f"the reply is not valid JSON ({exc.msg} at character {exc.pos}).") from None
    _need(isinstance(data, dict), "the reply must be a JSON object with a 'parts' list.")
    parts = data.get("parts")
    _need(isinstance(parts, list) and len(parts) > 0, "'parts' must be a non-empty list.")
    total = 0
    for i, part in enumerate(parts, 1):
        _need(isinstance(part, dict), f"part {i} must be an object.")
        _need(isinstance(part.get("title"), str) and part["title"].strip() != "", f"part {i} needs a 'title'.")
        chapters = part.get("chapters")
        _need(isinstance(chapters, list), f"part {i} needs a 'chapters' list.")
        for j, ch in enumerate(chapters, 1):
            where = f"chapter {j} of part {i}"
            _need(isinstance(ch, dict), f"{where} must be an object.")
            _need(isinstance(ch.get("title"), str) and ch["title"].strip() != "", f"{where} needs a 'title'.")
            scenes = ch.get("scenes", [])
            _need(
                isinstance(scenes, list) and all(isinstance(s, str) for s in scenes),
                f"{where}: 'scenes' must be a list of strings.",
            )
            summary = ch.get("summary")
            _need(summary is None or isinstance(summary, str), f"{where}: 'summary' must be a string.")
            total += 1
    _need(total > 0, "the outline has no chapters.")
    _need(total <= MAX_CHAPTERS, f"the outline has {total} chapters; at most {MAX_CHAPTERS}.")
    title = data.get("title")
    _need(title is None or isinstance(title, str), "'title' must be a string.")
    try:
        return outline_tree.validate(data)
    except outline_tree.OutlineShapeError as exc:
        raise OutlineReplyError(str(exc)) from None
