"""Markdown: one file, YAML front matter (pandoc's metadata block), chapters as ``#`` headings.

The YAML values are written as JSON strings (valid YAML, no quoting surprises with colons or
quotes in a title); dedication and copyright are YAML fields too (``dedication``,
``rights``), "About the Author" a last ``#`` section. Text is escaped so a paragraph that begins with
``#`` or ``1.`` stays a paragraph.
"""

from __future__ import annotations

import json
import re

from ghostline_desktop.export.model import (
    Block,
    Emph,
    Heading,
    Inline,
    LineBreak,
    ListBlock,
    Manuscript,
    Paragraph,
    Quote,
    SceneBreak,
    Strong,
    Text,
    plain,
)

_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def _inlines(items: tuple[Inline, ...]) -> str:
    out: list[str] = []
    for node in items:
        if isinstance(node, Text):
            out.append(_escape(node.text))
        elif isinstance(node, LineBreak):
            out.append("\\\n")
        elif isinstance(node, Emph):
            out.append("*" + _inlines(node.children) + "*")
        elif isinstance(node, Strong):
            out.append("**" + _inlines(node.children) + "**")
    text = "".join(out)
    return _LINE_START.sub(lambda mo: mo.group(1) + "\\" + mo.group(2), text)


def _blocks(blocks: tuple[Block, ...]) -> str:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Paragraph):
            out.append(_inlines(b.inlines))
        elif isinstance(b, SceneBreak):
            out.append("* * *")
        elif isinstance(b, Heading):
            out.append("#" * b.level + " " + _inlines(b.inlines))
        elif isinstance(b, Quote):
            out.append("\n>\n".join("> " + _inlines(p.inlines) for p in b.paragraphs))
        elif isinstance(b, ListBlock):
            out.append(
                "\n".join(f"{n}. {_inlines(i)}" if b.ordered else f"- {_inlines(i)}" for n, i in enumerate(b.items, 1))
            )
    return "\n\n".join(out)


def _yaml(m: Manuscript) -> str:
    fields: list[tuple[str, str | None]] = [
        ("title", m.title),
        ("subtitle", m.subtitle),
        ("author", m.author or None),
        ("lang", m.language),
        ("date", m.date or None),
        ("identifier", m.identifier or None),
        ("dedication", "\n\n".join(plain(b.inlines) for b in m.dedication if isinstance(b, Paragraph)) or None),
        ("rights", "\n\n".join(plain(b.inlines) for b in m.copyright if isinstance(b, Paragraph)) or None),
    ]
    lines = ["---"]
    lines += [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in fields if v]
    lines.append("---")
    return "\n".join(lines)


def render_markdown(m: Manuscript) -> bytes:
    parts = [_yaml(m)]
    for ch in m.chapters:
        head = "# " + _inlines((Text(ch.title),))
        if ch.subtitle:
            head += "\n\n*" + _escape(ch.subtitle) + "*"
        parts.append(head + "\n\n" + _blocks(ch.blocks))
    if m.about_author:
        parts.append("# About the Author\n\n" + _blocks(m.about_author))
    return ("\n\n".join(parts) + "\n").encode("utf-8")
