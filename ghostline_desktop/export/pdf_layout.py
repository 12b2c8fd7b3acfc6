"""Book page geometry: trim sizes, margins, type sizes and the gutter rule.

Numbers follow what print-on-demand services ask for (KDP's "margins" table, IngramSpark's
guide): the inside margin (gutter) grows with the page count because a thicker book opens
less far at the spine. Outside/top/bottom margins and the type size belong to the trim: a
pocket 5×8 sets 10 pt, a Letter or A4 proof 12 pt with wide margins.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Trim:
    key: str
    label: str
    width_in: float
    height_in: float
    font_pt: float
    outside_in: float
    top_in: float
    bottom_in: float
    words_per_page: int  # for the first guess of the page count (the gutter depends on it)


TRIMS: dict[str, Trim] = {
    t.key: t
    for t in (
        Trim("6x9", "6 × 9 in (US trade)", 6.0, 9.0, 11.0, 0.5, 0.75, 0.7, 330),
        Trim("5.5x8.5", "5.5 × 8.5 in (digest)", 5.5, 8.5, 10.5, 0.5, 0.7, 0.65, 300),
        Trim("5x8", "5 × 8 in (pocket)", 5.0, 8.0, 10.0, 0.45, 0.65, 0.6, 280),
        Trim("a5", "A5 (148 × 210 mm)", 5.83, 8.27, 10.5, 0.5, 0.7, 0.65, 300),
        Trim("letter", "US Letter (8.5 × 11 in)", 8.5, 11.0, 12.0, 1.0, 1.0, 1.0, 450),
        Trim("a4", "A4 (210 × 297 mm)", 8.27, 11.69, 12.0, 1.0, 1.0, 1.0, 480),
    )
}

#: (up to this many pages, gutter in inches) — KDP's table, capped at 0.75 in past 500 pages.
GUTTER_STEPS: tuple[tuple[int, float], ...] = ((150, 0.375), (300, 0.5), (500, 0.625))
GUTTER_MAX_IN = 0.75


def gutter_for(pages: int) -> float:
    """Inside margin for a book of ``pages`` pages: 0.375 in up to 150, 0.75 in past 500."""
    for limit, inches in GUTTER_STEPS:
        if pages <= limit:
            return inches
    return GUTTER_MAX_IN


def estimate_pages(words: int, trim: Trim, chapters: int, *, right_hand: bool) -> int:
    """A first guess before typesetting: text pages plus a part page per chapter opening
    (half a blank page on average when chapters start on the right) and the front matter."""
    openings = chapters * (1.0 if right_hand else 0.5)
    return int(words / trim.words_per_page + openings + 6)
