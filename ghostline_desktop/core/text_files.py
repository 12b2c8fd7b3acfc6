"""Decode a small text file's bytes the way an author's editor saved them.

Pure: bytes in, text out, or a ``TextDecodeProblem`` naming what is wrong, which the
service turns into a message. Big files are not for this path (they go through source
import), so the caller checks the size before reading.
"""

from __future__ import annotations

import codecs

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class TextDecodeProblem(ValueError):
    """The bytes are not text GhostLine can read with confidence."""


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or BOM-marked UTF-16/32; anything else is refused rather
    than guessed, since a wrong guess silently garbles every accented letter."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise TextDecodeProblem(f"it starts like {encoding.upper()} text but is not valid {encoding}") from exc
    if b"\x00" in data[:4096]:
        raise TextDecodeProblem("it looks like a binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TextDecodeProblem(
            f"it is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}); save it as UTF-8"
        ) from exc
