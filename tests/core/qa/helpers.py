"""Small builders for QA check tests."""

from __future__ import annotations

import uuid

from ghostline_desktop.core.qa.model import ChapterText


def chapter(text: str, order: int = 0) -> ChapterText:
    return ChapterText(uuid.uuid5(uuid.NAMESPACE_URL, f"qa-test/{order}"), order, f"Chapter {order + 1}", text)


def book(*texts: str) -> list[ChapterText]:
    return [chapter(t, i) for i, t in enumerate(texts)]


def filler(names: list[str], sentences: int) -> str:
    """Past-tense third-person narration that mentions ``names`` mid-sentence, round-robin."""
    out = []
    verbs = ["walked to the window", "looked at the garden", "waited for the letter", "sat by the fire",
             "turned away from the door", "smiled at the news"]  # fmt: skip
    for i in range(sentences):
        name = names[i % len(names)]
        out.append(f"After a while {name} {verbs[i % len(verbs)]}.")
        if i % 4 == 3:
            out.append("\n\n")
    return " ".join(out)
