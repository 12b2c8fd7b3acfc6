"""Decode a text file's bytes the way an author's editor saved them.

Pure: bytes in, text out, or a ``TextDecodeProblem`` naming what is wrong, which the
service turns into a message. ``decode_text`` is strict (notes typed for the app: refuse
rather than guess); ``guess_decode`` is for imported sources, which come in any encoding
and must never fail on a bad byte.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

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


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # Python codec name, recorded with the source so a wrong guess can be traced


# Control bytes that never appear in real text in any single-byte encoding (tab, newlines,
# form feed and escape are allowed); a file with many of them is binary.
_CONTROL = frozenset(range(0x00, 0x09)) | frozenset((0x0B, 0x0E, 0x0F)) | frozenset(range(0x10, 0x1B)) | {0x1C, 0x1D}
_SAMPLE = 16 * 1024
# Western single-byte guesses charset-normalizer makes on short text; cp1252 decodes all of their
# printable letters the same way and adds the curly quotes and dashes Windows editors write.
_WESTERN = frozenset({"latin_1", "iso8859_15", "cp1252", "iso8859_1", "cp850", "cp437", "mac_roman"})


def _wide_unicode(sample: bytes) -> str | None:
    """UTF-16/32 without a BOM, told apart from binary by where the NUL bytes sit: text in the
    Latin range has a NUL in every high byte, so NULs crowd one byte position and avoid the other."""
    quads = len(sample) // 4
    if quads >= 4:
        at = [sample[i::4][:quads].count(0) for i in range(4)]
        if at[2] >= 0.9 * quads and at[3] >= 0.9 * quads and at[0] < 0.5 * quads:
            return "utf-32-le"
        if at[0] >= 0.9 * quads and at[1] >= 0.9 * quads and at[3] < 0.5 * quads:
            return "utf-32-be"
    pairs = len(sample) // 2
    even, odd = sample[0::2][:pairs].count(0), sample[1::2][:pairs].count(0)
    if odd >= max(2, 0.05 * pairs) and even <= 0.05 * odd:
        return "utf-16-le"
    if even >= max(2, 0.05 * pairs) and odd <= 0.05 * even:
        return "utf-16-be"
    return None


def looks_binary(sample: bytes) -> bool:
    """True for bytes that are not text in any encoding we read: NULs in no UTF-16/32 pattern,
    or control bytes in more than a trace (a stray NUL or two, or NUL padding at the end, as a
    crashed editor leaves, is still text)."""
    sample = sample.rstrip(b"\x00")
    if not sample or any(sample.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" in sample and _wide_unicode(sample) is not None:
        return False
    controls = sum(1 for byte in sample if byte in _CONTROL)
    return controls > 0.02 * len(sample)


def guess_decode(data: bytes) -> DecodedText:
    """Decode text in whatever common encoding it was saved in, never failing on bad bytes.

    Order matters: a BOM is certain; the NUL pattern of BOM-less UTF-16/32 is near certain; valid
    UTF-8 is almost never an accident in non-UTF-8 text; only then is the encoding guessed.
    Raises ``TextDecodeProblem`` only for binary data.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return DecodedText(data[len(bom) :].decode(encoding, "replace"), encoding)
    sample = data[:_SAMPLE]
    if b"\x00" in sample:
        wide = _wide_unicode(sample)
        if wide is not None:
            return DecodedText(data.decode(wide, "replace"), wide)
    if looks_binary(sample):
        raise TextDecodeProblem("it looks like a binary file, not text")
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            # A UTF-8 file cut mid-character (an interrupted copy): keep it UTF-8.
            return DecodedText(data.decode("utf-8", "replace"), "utf-8")
    encoding = _guess_single_byte(data)
    return DecodedText(data.decode(encoding, "replace"), encoding)


def _guess_single_byte(data: bytes) -> str:
    """cp1252 for text in a Latin script, else charset-normalizer's guess.

    Statistical detectors are unreliable on Latin text where accents are few (French in cp1252
    comes back as cp1250 or cp1125), so they are only asked when most letters are outside ASCII,
    as in Cyrillic, Greek or Hebrew, where they are good. cp1252 is what Windows editors in the
    West write, and decodes Latin-1 the same way.
    """
    sample = data[: 256 * 1024]
    high = sum(1 for byte in sample if byte >= 0x80)
    ascii_letters = sum(1 for byte in sample if 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A)
    if high < 0.3 * (high + ascii_letters):
        return "cp1252"
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency; cp1252 is still a fair guess
        return "cp1252"
    best = from_bytes(sample).best()
    if best is None:
        return "cp1252"
    encoding = codecs.lookup(best.encoding).name.replace("-", "_")
    return "cp1252" if encoding in _WESTERN or encoding.startswith(("utf", "ascii")) else best.encoding
