"""The shapes every extractor returns, and the one error type they raise.

Extractors run inside a process pool, so everything here must pickle: frozen dataclasses of
plain values, and errors whose ``__reduce__`` rebuilds them from (reason, code).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

#: Why an extraction failed; the service branches on this, never on the message.
ErrorCode = Literal[
    "empty",
    "corrupt",
    "password_required",
    "wrong_password",
    "unsupported",
    "too_large",
    "zip_bomb",
    "needs_provider",
    "no_text",
]


def clean_text(text: str) -> str:
    """Text PostgreSQL will store: no NUL characters (it rejects them outright) and no lone
    surrogates (psycopg cannot encode them to UTF-8; broken PDFs and odd decoders make them)."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


@dataclass(frozen=True)
class Segment:
    """A run of text with its position in the original (page, heading, chapter)."""

    text: str
    page: int | None = None  # 1-based PDF page
    section: str | None = None  # heading / EPUB chapter title / "Footnotes"

    def __post_init__(self) -> None:
        # Cleaning here, once, means no extractor can forget it.
        object.__setattr__(self, "text", clean_text(self.text))
        if self.section is not None:
            object.__setattr__(self, "section", clean_text(self.section))


@dataclass(frozen=True)
class Extraction:
    segments: tuple[Segment, ...]
    metadata: dict[str, Any] = field(default_factory=dict)  # {"pages": 300, "encoding": "cp1252", "ocr_pages": [...]}
    needs_ocr: bool = False  # pages without a text layer that could not be recognised here

    @property
    def text(self) -> str:
        """The segments joined exactly as the chunker assumes when it computes offsets."""
        return "\n\n".join(segment.text for segment in self.segments)


class ExtractionError(Exception):
    """A file could not be turned into text, for a reason an author can act on.

    ``reason`` completes the sentence "The file …" (``str(exc)``) or "“name” …"
    (``exc.for_file(name)``), since extractors only see a storage path, not the author's file name.
    """

    def __init__(self, reason: str, code: ErrorCode = "corrupt") -> None:
        super().__init__(reason, code)
        self.reason = reason
        self.code: ErrorCode = code

    def __str__(self) -> str:
        return f"The file {self.reason}."

    def for_file(self, name: str) -> str:
        return f"“{name}” {self.reason}."

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle through their args; spell it out so subclasses with other
        # signatures (or added attributes) cannot break the trip across the process pool.
        return (type(self), (self.reason, self.code))


class PasswordRequired(ExtractionError):
    """An encrypted document: code ``password_required`` (none given) or ``wrong_password``."""

    def __init__(self, reason: str, code: ErrorCode = "password_required") -> None:
        super().__init__(reason, code)


def build_extraction(
    segments: list[Segment], metadata: dict[str, Any], *, what: str = "text", needs_ocr: bool = False
) -> Extraction:
    """Drop blank segments; an extraction with nothing left is an error, not an empty source."""
    kept = tuple(segment for segment in segments if segment.text.strip())
    if not kept and not needs_ocr:
        raise ExtractionError(f"contains no {what}", "no_text")
    return Extraction(segments=kept, metadata=metadata, needs_ocr=needs_ocr)
