"""The outline tree: parts → chapters → scenes, as stored in ``book_outlines.structure``.

Shape::

    {"parts": [{"title": str, "chapters": [{"title": str, "scenes": [str, ...]}, ...]}, ...]}

``validate`` is the one gate every saved outline passes through, so the UI, the AI
outline generator and imports all produce the same shape. Extra keys on a part or a
chapter (a summary, a target length) are kept untouched, so later features can add
detail without a migration. Pure: no I/O, no imports from the rest of GhostLine.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

MAX_TITLE = 500


class OutlineShapeError(ValueError):
    """The structure is not a valid outline; the message says where, for a person."""


@dataclass(frozen=True)
class FlatChapter:
    """One chapter of the outline, with where it sits."""

    part_index: int  # 0-based
    chapter_index: int  # 0-based, within its part
    number: int  # 1-based, across the whole book
    part_title: str
    title: str
    scenes: tuple[str, ...]

    @property
    def position(self) -> dict[str, int]:
        """The value stored in ``chapters.outline_position``."""
        return {"part": self.part_index, "chapter": self.chapter_index}


def empty() -> dict[str, Any]:
    return {"parts": []}


def _title(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise OutlineShapeError(f"{where} needs a title (text).")
    title = " ".join(value.split())
    if not title:
        raise OutlineShapeError(f"{where} has an empty title.")
    if len(title) > MAX_TITLE:
        raise OutlineShapeError(f"{where} has a title longer than {MAX_TITLE} characters.")
    return title


def _list(node: dict[str, Any], key: str, where: str) -> list[Any]:
    value = node.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise OutlineShapeError(f"{where}: '{key}' must be a list.")
    return value


def validate(structure: object) -> dict[str, Any]:
    """Check ``structure`` and return a cleaned deep copy.

    Cleaning: titles and scenes have their whitespace collapsed; blank scenes are
    dropped (a trailing empty line in a scene list is not a scene); a missing
    ``chapters`` or ``scenes`` list means an empty one. Anything else that is not the
    documented shape raises ``OutlineShapeError``.
    """
    if not isinstance(structure, dict):
        raise OutlineShapeError("An outline must be an object with a list of parts.")
    if "parts" not in structure:
        raise OutlineShapeError("An outline needs a 'parts' list.")
    out: dict[str, Any] = {k: copy.deepcopy(v) for k, v in structure.items() if k != "parts"}
    parts_out: list[dict[str, Any]] = []
    for p_i, part in enumerate(_list(structure, "parts", "The outline"), start=1):
        where = f"Part {p_i}"
        if not isinstance(part, dict):
            raise OutlineShapeError(f"{where} must be an object with a title and chapters.")
        part_out = {k: copy.deepcopy(v) for k, v in part.items() if k not in ("title", "chapters")}
        part_out["title"] = _title(part.get("title"), where)
        chapters_out: list[dict[str, Any]] = []
        for c_i, chapter in enumerate(_list(part, "chapters", where), start=1):
            c_where = f"Part {p_i}, chapter {c_i}"
            if not isinstance(chapter, dict):
                raise OutlineShapeError(f"{c_where} must be an object with a title and scenes.")
            chapter_out = {k: copy.deepcopy(v) for k, v in chapter.items() if k not in ("title", "scenes")}
            chapter_out["title"] = _title(chapter.get("title"), c_where)
            scenes: list[str] = []
            for s_i, scene in enumerate(_list(chapter, "scenes", c_where), start=1):
                if not isinstance(scene, str):
                    raise OutlineShapeError(f"{c_where}, scene {s_i} must be text.")
                scene = " ".join(scene.split())
                if scene:
                    scenes.append(scene)
            chapter_out["scenes"] = scenes
            chapters_out.append(chapter_out)
        part_out["chapters"] = chapters_out
        parts_out.append(part_out)
    out["parts"] = parts_out
    return out


def is_valid(structure: object) -> bool:
    try:
        validate(structure)
    except OutlineShapeError:
        return False
    return True


def flatten(structure: dict[str, Any]) -> list[FlatChapter]:
    """Every chapter in reading order. Expects a validated structure."""
    out: list[FlatChapter] = []
    number = 0
    for p_i, part in enumerate(structure.get("parts", [])):
        for c_i, chapter in enumerate(part.get("chapters", [])):
            number += 1
            out.append(
                FlatChapter(
                    part_index=p_i,
                    chapter_index=c_i,
                    number=number,
                    part_title=part.get("title", ""),
                    title=chapter.get("title", ""),
                    scenes=tuple(chapter.get("scenes", [])),
                )
            )
    return out


def count_parts(structure: dict[str, Any]) -> int:
    return len(structure.get("parts", []))


def count_chapters(structure: dict[str, Any]) -> int:
    return sum(len(part.get("chapters", [])) for part in structure.get("parts", []))


def count_scenes(structure: dict[str, Any]) -> int:
    return sum(
        len(chapter.get("scenes", [])) for part in structure.get("parts", []) for chapter in part.get("chapters", [])
    )


def chapter_at(structure: dict[str, Any], position: dict[str, Any]) -> FlatChapter | None:
    """The chapter at an ``outline_position`` ({"part": i, "chapter": j}), or None if the
    outline no longer has one there."""
    for chapter in flatten(structure):
        if chapter.part_index == position.get("part") and chapter.chapter_index == position.get("chapter"):
            return chapter
    return None
