"""Decoding dropped text files: what is read, and what is refused rather than garbled."""

from __future__ import annotations

import codecs

import pytest

from ghostline_desktop.core.text_files import TextDecodeProblem, decode_text


@pytest.mark.parametrize(
    "data",
    [
        "Café crème — “quoted”".encode(),
        codecs.BOM_UTF8 + "Café crème — “quoted”".encode(),
        codecs.BOM_UTF16_LE + "Café crème — “quoted”".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "Café crème — “quoted”".encode("utf-16-be"),
        codecs.BOM_UTF32_LE + "Café crème — “quoted”".encode("utf-32-le"),
    ],
)
def test_reads_utf8_and_bom_marked_unicode(data: bytes) -> None:
    assert decode_text(data) == "Café crème — “quoted”"


def test_refuses_latin1_instead_of_guessing() -> None:
    with pytest.raises(TextDecodeProblem, match="not UTF-8"):
        decode_text("café".encode("latin-1"))


def test_refuses_binary() -> None:
    with pytest.raises(TextDecodeProblem, match="binary"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_refuses_broken_utf16() -> None:
    with pytest.raises(TextDecodeProblem, match="UTF-16"):
        decode_text(codecs.BOM_UTF16_LE + b"\x00\xd8")  # a lone surrogate
