"""MISSING_CONTENT: placeholders an author left to fill in (TK, TODO, XXX, [citation needed] …).

Blocking by default: a manuscript with "TK" in it must not go out. Case matters for the
markers (a "tk" or "todo" in prose is rare, "TK" never is prose), and "XXX" is skipped
where it is a Roman numeral ("Chapter XXX", "XXX." on its own line).
"""

from __future__ import annotations

import re
import uuid

from ghostline_desktop.core.enums import FindingType, Severity
from ghostline_desktop.core.qa.model import Finding
from ghostline_desktop.core.qa.text import line_excerpt

# case-sensitive markers first ("TK" is never prose, "tk" may be), brackets and filler apart:
# one case-insensitive alternation over the whole text was the slowest part of the check
_PLACEHOLDER_RE = re.compile(
    r"(?P<tk>\b(?:TK)+\b)"
    r"|(?P<todo>\b(?:TODO|FIXME|TBD)\b:?)"
    r"|(?P<xxx>\bXXX+\b)"
    r"|(?P<bracket>\[[^\[\]\n]{0,80}\]|\(\s*\)|\{\s*\}|<\s*>)"
    r"|(?P<lorem>\b[Ll]orem [Ii]psum\b(?:\s+dolor(?:\s+sit\s+amet)?)?)"
)
# where a placeholder may start: literal prefixes let the regex engine skip ahead fast
_CANDIDATE_RE = re.compile(r"TK|TODO|FIXME|TBD|XXX|\[|\(\s*\)|\{\s*\}|<\s*>|[Ll]orem [Ii]psum")
_CITE_RE = re.compile(r"\[\s*(?:citation|source|reference)s?\s+needed\s*\]", re.I)
_BRACKET_PLACEHOLDER_RE = re.compile(
    r"\[\s*(?:(?:insert|add|name|date|fill|tk|todo|tbd|placeholder|something)\b[^\]]*|\?+|\s*)\]"
    r"|\(\s*\)|\{\s*\}|<\s*>",
    re.I,
)
_ROMAN_CONTEXT_RE = re.compile(r"(?:chapter|letter|book|part|volume|canto|article|section)s?\s+$", re.I)
_LABELS = {
    "tk": ("Placeholder “TK”", "“TK” marks text still to come."),
    "todo": ("TODO note left in the text", "A note to the author is still in the manuscript."),
    "xxx": ("Placeholder “XXX”", "“XXX” marks something still to be filled in."),
    "cite": ("Citation needed", "A reference is still missing here."),
    "bracket": ("Empty or placeholder brackets", "Brackets left as a placeholder for missing text."),
    "lorem": ("Lorem ipsum filler", "Dummy text is still in the manuscript."),
}


def check_placeholders(
    text: str, chapter_id: uuid.UUID | None = None, revision_id: uuid.UUID | None = None
) -> list[Finding]:
    """Every placeholder in ``text``, blocking, at its exact span."""
    out: list[Finding] = []
    end = -1
    for c in _CANDIDATE_RE.finditer(text):
        if c.start() < end:
            continue
        m = _PLACEHOLDER_RE.match(text, c.start())
        if m is None:
            continue
        end = m.end()
        kind = m.lastgroup or "bracket"
        token = m.group()
        if kind == "bracket":
            if _CITE_RE.fullmatch(token):
                kind = "cite"
            elif not _BRACKET_PLACEHOLDER_RE.fullmatch(token):
                continue  # ordinary brackets: "[Illustration]", "(he said)"
        if kind == "xxx" and _roman_numeral(text, m.start(), m.end()):
            continue
        title, why = _LABELS[kind]
        out.append(
            Finding(
                finding_type=FindingType.MISSING_CONTENT,
                severity=Severity.HIGH,
                is_blocking=True,
                chapter_id=chapter_id,
                start=m.start(),
                end=m.end(),
                excerpt=line_excerpt(text, m.start(), m.end()),
                title=title,
                explanation=why,
                suggestion="Write the missing text or remove the marker.",
                rule=f"placeholder.{kind}",
                subject=" ".join(token.lower().split()),
                revision_id=revision_id,
            )
        )
    return out


def _roman_numeral(text: str, start: int, end: int) -> bool:
    """ "Chapter XXX", or "XXX." alone on a line: a numeral, not a placeholder."""
    if _ROMAN_CONTEXT_RE.search(text, max(0, start - 20), start):
        return True
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end < 0 else line_end].strip()
    return line.rstrip(".") == text[start:end]
