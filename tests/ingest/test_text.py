"""Plain text, Markdown and HTML: any common encoding, never a crash on bad bytes."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from ghostline_desktop.ingest import ExtractionError, extract

SAMPLE = "Café crème — “quoted” naïve façade. The keeper’s log, 1821.\nSecond line."


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8"),
        (SAMPLE.encode("cp1252"), "cp1252"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),  # no BOM: told by where the NUL bytes sit
        (SAMPLE.encode("utf-16-be"), "utf-16-be"),
        (codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (SAMPLE.encode("utf-32-le"), "utf-32-le"),
    ],
    ids=["utf8", "utf8-bom", "cp1252", "utf16le-nobom", "utf16be-nobom", "utf16le-bom", "utf32le-nobom"],
)
def test_text_in_common_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(data)
    result = extract(str(path), "TEXT")
    assert result.text == SAMPLE
    assert result.metadata["encoding"] == encoding


def test_cp1252_long_french_text_with_windows_newlines(tmp_path: Path) -> None:
    text = "Là-bas, près de l’église, l’été était doux ; « Où êtes-vous ? » demanda-t-elle.\r\n" * 40
    path = tmp_path / "lettre.txt"
    path.write_bytes(text.encode("cp1252"))
    result = extract(str(path), "TEXT")
    assert result.text == text.replace("\r\n", "\n").strip("\n")
    assert result.metadata["encoding"] == "cp1252"


def test_other_single_byte_encodings_are_detected(tmp_path: Path) -> None:
    text = "Он долго смотрел на море, и волны шептали ему старые истории о моряках и маяках. " * 20
    path = tmp_path / "russian.txt"
    path.write_bytes(text.encode("cp1251"))
    result = extract(str(path), "TEXT")
    assert result.text.strip() == text.strip()
    assert result.metadata["encoding"] == "cp1251"


def test_bad_bytes_never_crash(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"Good start. " + b"\x81\x8d\x8f\x90\x9d" + " café".encode("cp1252") + b" end.")
    result = extract(str(path), "TEXT")
    assert result.text.startswith("Good start.")
    assert result.text.endswith("café end.")


def test_utf8_file_cut_mid_character_stays_utf8(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt"
    path.write_bytes("Crème brûlée".encode()[:-1])
    result = extract(str(path), "TEXT")
    assert result.metadata["encoding"] == "utf-8"
    assert result.text.startswith("Crème br")


def test_nul_bytes_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "nul.txt"
    path.write_bytes(("Plain words. " * 200).encode() + b"\x00" + b"more words")
    result = extract(str(path), "TEXT")
    assert "\x00" not in result.text
    assert result.text.endswith("Plain words. more words")


def test_random_binary_is_not_text(tmp_path: Path) -> None:
    import random

    path = tmp_path / "data.txt"
    path.write_bytes(random.Random(6).randbytes(20_000))
    with pytest.raises(ExtractionError) as failed:
        extract(str(path), "TEXT")
    assert failed.value.code == "unsupported"
    assert "binary" in str(failed.value)


def test_blank_text_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text("  \n\n\t \n")
    with pytest.raises(ExtractionError) as failed:
        extract(str(path), "TEXT")
    assert failed.value.code == "empty"


def test_note_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "note"
    path.write_text("A note written in the app.")
    assert extract(str(path), "NOTE").text == "A note written in the app."


def test_markdown_headings_become_sections(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text(
        "Intro line.\n\n# Part One\n\nThe harbour.\n\n```python\n# not a heading\n```\n\n## Scene 2\n\nThe storm.\n",
        encoding="utf-8",
    )
    result = extract(str(path), "MARKDOWN")
    assert [(segment.section, segment.text) for segment in result.segments] == [
        (None, "Intro line."),
        ("Part One", "# Part One\n\nThe harbour.\n\n```python\n# not a heading\n```"),
        ("Scene 2", "## Scene 2\n\nThe storm."),
    ]


HTML = """<!DOCTYPE html>
<html><head><title>Keeper&#39;s Log</title>
<style>p { color: red; } .secret { display: none }</style>
<script>var hidden = "do not index me";</script>
</head>
<body>
<nav>Home</nav>
<h1>The   Lighthouse</h1>
<p>The lamp was lit at dusk &amp; kept till dawn.<br>Every night.</p>
<div>Wind from the <b>north</b>-east.</div>
<h2>Supplies</h2>
<ul><li>Oil</li><li>Wicks</li></ul>
<table><tr><th>Item</th><th>Count</th></tr><tr><td>Oil</td><td>12</td></tr></table>
<pre>  two  spaces
kept</pre>
<script>document.write("nor me")</script>
<p>Caf&eacute; &mdash; fin.</p>
</body></html>
"""


def test_html_text_without_markup(tmp_path: Path) -> None:
    path = tmp_path / "log.html"
    path.write_text(HTML, encoding="utf-8")
    result = extract(str(path), "HTML")
    assert [(segment.section, segment.text) for segment in result.segments] == [
        (None, "Home"),
        (
            "The Lighthouse",
            "The Lighthouse\n\nThe lamp was lit at dusk & kept till dawn.\nEvery night.\n\nWind from the north-east.",
        ),
        ("Supplies", "Supplies\n\nOil\n\nWicks\n\nItem\tCount\nOil\t12\n\n  two  spaces\nkept\n\nCafé — fin."),
    ]
    assert "hidden" not in result.text and "color" not in result.text and "nor me" not in result.text
    assert result.metadata["title"] == "Keeper's Log"


def test_html_in_declared_legacy_charset(tmp_path: Path) -> None:
    path = tmp_path / "old.htm"
    path.write_bytes(
        '<html><head><meta charset="windows-1252"></head><body><p>“Olé”</p></body></html>'.encode("cp1252")
    )
    result = extract(str(path), "HTML")
    assert result.text == "“Olé”"
    assert result.metadata["encoding"] == "cp1252"


def test_html_with_unclosed_head_and_no_body_tag(tmp_path: Path) -> None:
    path = tmp_path / "sloppy.html"
    path.write_text("<html><head><title>T</title><p>Text after a head nobody closed.", encoding="utf-8")
    assert extract(str(path), "HTML").text == "Text after a head nobody closed."
