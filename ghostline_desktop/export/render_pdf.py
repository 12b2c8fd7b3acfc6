"""PDF: book typesetting with the Typst compiler (the ``typst`` pip package).

Engine decision, on evidence (``python -m bench.pdf_engines`` sets the same text with both,
times them and rasterises pages with pdftoppm; measured 2026-11-26 on the shared 2-core box,
medians of 3):

* **Typst** — chapter 1 of *Pride and Prejudice* (6×9 in, 11 pt) 0.03 s; the whole book
  (61 chapters, ~122k words → 341 pages) 1.9 s, gutter pass included. Knuth–Plass
  justification with hyphenation (even word spacing), widow/orphan prevention and sticky
  headings built in, real ``inside``/``outside`` margins, ``pagebreak(to: "odd")`` for
  right-hand openings, page-aware headers (no running head or folio on chapter openings and
  blank versos), a generated TOC with links, PDF bookmarks from the headings, subset-embedded
  OpenType fonts, tagged PDF. Its Libertinus Serif and New Computer Modern are compiled into
  the wheel (SIL OFL), so nothing is downloaded and system fonts are ignored: the same file
  on every machine. Cost: the wheel is 81 MB installed.
* **Qt** (``QTextDocument`` → ``QPdfWriter``), already installed with PySide6 (234 MB, needed
  anyway): chapter 1 0.03 s, the whole book 1.15 s — faster, but the pages show why
  novelWriter's users complain: greedy line breaking with visibly uneven word gaps and no
  hyphenation (568 pages for the same text at a nominal 11 pt), one margin for every page (no gutter:
  novelWriter #2976), no widow/orphan or keep-with-next control, a folio on chapter
  openings, no per-page header logic, no outline or TOC links, chapters on whichever side,
  and the system font (DejaVu Serif here; novelWriter #2046). Matching Typst would mean
  writing a pager of our own over ``QTextLayout``.

Typst wins on quality by a wide margin and is fast enough (well under the 5 s target);
Qt is 0.8 s quicker on a whole book and costs no extra install, which does not buy back the
page. The PDF is set with Typst; the Qt path lives only in the comparison script.

The document is Typst markup generated from the manuscript tokens (text escaped character
by character, never interpreted) under a fixed preamble.
The gutter depends on the page count, so the book is set once with an estimate and, when the
real count lands in another gutter step, once more.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ghostline_desktop.export.model import (
    Block,
    ChapterDoc,
    Emph,
    Heading,
    Inline,
    LineBreak,
    ListBlock,
    Manuscript,
    Paragraph,
    Quote,
    RenderOptions,
    SceneBreak,
    Strong,
    Text,
)
from ghostline_desktop.export.pdf_layout import TRIMS, Trim, estimate_pages, gutter_for

FONT = "Libertinus Serif"
HEADING_STYLES = ("classic", "modern", "minimal")
_ESCAPE = re.compile(r"([\\#*_`$<>@\[\]~/=\-+'\"])")
_ENUM_START = re.compile(r"^(\d+)\.")


def escape(text: str) -> str:
    """Text → Typst markup that prints exactly that text (every markup character escaped)."""
    out = _ESCAPE.sub(r"\\\1", text)
    return _ENUM_START.sub(r"\1\\.", out)


def _str(text: str) -> str:
    """A Typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _inlines(items: tuple[Inline, ...]) -> str:
    out: list[str] = []
    for node in items:
        if isinstance(node, Text):
            out.append(escape(node.text))
        elif isinstance(node, LineBreak):
            out.append(" \\\n")
        elif isinstance(node, Emph):
            out.append("#emph[" + _inlines(node.children) + "]")
        elif isinstance(node, Strong):
            out.append("#strong[" + _inlines(node.children) + "]")
    return "".join(out)


def _blocks(blocks: tuple[Block, ...]) -> str:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Paragraph):
            body = _inlines(b.inlines)
            out.append(f"#align(center)[{body}]" if b.style == "center" else body)
        elif isinstance(b, SceneBreak):
            out.append("#scenebreak()")
        elif isinstance(b, Heading):
            out.append("=" * b.level + " " + _inlines(b.inlines))
        elif isinstance(b, Quote):
            inner = "\n\n".join(_inlines(p.inlines) for p in b.paragraphs)
            out.append(f"#quote(block: true)[{inner}]")
        elif isinstance(b, ListBlock):
            mark = "+" if b.ordered else "-"
            out.append("\n".join(f"{mark} {_inlines(item)}" for item in b.items))
    return "\n\n".join(out)


def _chapter(ch: ChapterDoc) -> str:
    sub = _str(ch.subtitle) if ch.subtitle else "none"
    label = "none" if ch.title_is_number else _str(f"Chapter {ch.number}")
    head = f"#chapter({_str(ch.title)}, number: {ch.number}, label: {label}, subtitle: {sub})"
    return head + "\n\n" + _blocks(ch.blocks) + "\n"


_PREAMBLE = r"""
#let trim-w = {width}in
#let trim-h = {height}in
#let heading-style = "{style}"
#let right-hand = {right}
#let matter = state("matter", "front")
#set document(title: book-title, author: book-author, date: {date})
#set text(font: "{font}", size: {size}pt, lang: "{lang}", hyphenate: true,
          costs: (widow: 100%, orphan: 100%))
#set par(justify: true, leading: 0.62em, spacing: 0.62em,
         first-line-indent: (amount: 1.3em, all: false))
#show heading: set block(sticky: true)
#show heading: set text(weight: "regular")
#show heading.where(level: 2): it => block(above: 1.4em, below: 0.9em, text(size: 1.15em, style: "italic", it.body))
#show heading.where(level: 3): it => block(above: 1.2em, below: 0.8em, text(size: 1.05em, weight: "bold", it.body))
#show heading.where(level: 4): it => block(above: 1em, below: 0.6em, smallcaps(it.body))
#show quote.where(block: true): it => pad(x: 1.5em, it.body)

// A chapter opening: no running head and no folio; a blank verso before a right-hand
// opening carries nothing either.
// Chapter openings and chapter ends, by page (final values: one lookup per page).
#let marks = state("marks", (opens: (), ends: ()))
// The blank verso an opening inserted: the next page opens (chapter i), and what came
// before it ended on an earlier page.
#let is-blank(p) = {
  let m = marks.final()
  let i = m.opens.position(o => o == p + 1)
  i != none and i < m.ends.len() and m.ends.at(i) < p
}
// Chapter openings and blank pages carry no running head or folio.
#let is-quiet(p) = p in marks.final().opens or is-blank(p)

#set page(
  width: trim-w, height: trim-h,
  margin: (inside: {gutter}in, outside: {outside}in, top: {top}in, bottom: {bottom}in),
  header: context {
    if matter.get() != "main" { return }
    let p = here().page()
    if is-quiet(p) { return }
    set text(size: 0.8em, tracking: 0.06em)
    if calc.even(p) { align(center, smallcaps(book-author)) } else { align(center, smallcaps(book-title)) }
  },
  footer: context {
    let m = matter.get()
    let p = here().page()
    if m == "none" { return }
    // Front-matter display pages keep their roman folio; only blanks lose it there.
    if (m == "main" and is-quiet(p)) or is-blank(p) { return }
    set text(size: 0.85em)
    align(center, counter(page).display(if m == "main" { "1" } else { "i" }))
  },
)

#let scenebreak() = block(above: 1em, below: 1em, width: 100%, align(center, text(size: 1.1em, "⁂")))

"""


def _chapter_fn_with_labels() -> str:
    """Presets decide what the chapter label prints: a number-only title is printed once."""
    return r"""
#let chapter-info = state("chapter-info", (number: 0, label: none, subtitle: none))
// A new page (a right-hand one if asked) whose opening and preceding blank page stay quiet.
#let opening(to) = {
  context { let p = here().page(); marks.update(m => (opens: m.opens, ends: m.ends + (p,))) }
  pagebreak(weak: true, to: to)
  context { let p = here().page(); marks.update(m => (opens: m.opens + (p,), ends: m.ends)) }
}
#let chapter(title, number: 0, label: none, subtitle: none) = {
  opening(if right-hand { "odd" } else { none })
  chapter-info.update((number: number, label: label, subtitle: subtitle))
  heading(level: 1, outlined: true, bookmarked: true, title)
}
#show heading.where(level: 1, outlined: true): it => context {
  let info = chapter-info.get()
  v(trim-h * 0.16)
  if heading-style == "modern" {
    if info.label != none {
      block(below: 0.4em, text(size: 3.2em, weight: "bold", fill: luma(40%), str(info.number)))
    }
    block(below: if info.subtitle == none { 2.2em } else { 0.5em }, text(size: 1.7em, it.body))
    if info.subtitle != none { block(below: 2.2em, text(size: 1.05em, style: "italic", info.subtitle)) }
  } else if heading-style == "minimal" {
    align(center, block(below: if info.subtitle == none { 2.4em } else { 0.5em }, text(size: 1.6em, it.body)))
    if info.subtitle != none { align(center, block(below: 2.4em, emph(info.subtitle))) }
  } else {
    if info.label != none {
      align(center, block(below: 0.6em, text(size: 0.9em, tracking: 0.18em, smallcaps(info.label))))
    }
    align(center, block(below: 0.4em, text(size: 1.9em, it.body)))
    if info.subtitle != none { align(center, block(below: 0.4em, text(size: 1.05em, style: "italic", info.subtitle))) }
    align(center, block(above: 0.8em, below: 2.4em, text(size: 0.8em, "⁂")))
  }
}
"""


def _front(m: Manuscript) -> str:
    parts: list[str] = ['#matter.update("none")']
    # Title page (recto, no folio).
    sub = f'#v(0.8em)\n#text(size: 1.3em, style: "italic")[{escape(m.subtitle)}]\n' if m.subtitle else ""
    parts.append(
        "#align(center)[\n#v(22%)\n"
        f"#text(size: 2.6em)[{escape(m.title)}]\n{sub}#v(3em)\n#text(size: 1.2em, smallcaps[{escape(m.author)}])\n]"
    )
    # Copyright page (verso of the title page, set low and small).
    parts.append("#pagebreak()")
    if m.copyright:
        parts.append("#v(1fr)\n#[#set par(first-line-indent: 0em)\n#text(size: 0.8em)[" + _blocks(m.copyright) + "]]")
    parts.append('#pagebreak()\n#matter.update("front")')  # the copyright page's folio stays off
    if m.dedication:
        parts.append('#opening("odd")\n#v(25%)\n#align(center, emph[' + _blocks(m.dedication) + "])")
    if m.toc:
        target = "heading.where(level: 1, outlined: true)"
        toc = f"outline(title: [Contents], depth: 1, target: {target})"
        parts.append(f'#opening("odd")\n#{{ set par(first-line-indent: 0em); {toc} }}')
    parts.append('#opening("odd")\n#counter(page).update(1)\n#matter.update("main")')
    return "\n\n".join(parts) + "\n\n"


def _back(m: Manuscript) -> str:
    if not m.about_author:
        return ""
    return (
        '\n#opening("odd")\n#heading(level: 2, outlined: false)[About the Author]\n\n' + _blocks(m.about_author) + "\n"
    )


def typst_source(m: Manuscript, options: RenderOptions, *, gutter_in: float) -> str:
    trim = TRIMS.get(options.trim, TRIMS["6x9"])
    style = options.heading_style if options.heading_style in HEADING_STYLES else "classic"
    try:
        d = datetime.strptime(m.date, "%Y-%m-%d")
        date = f"datetime(year: {d.year}, month: {d.month}, day: {d.day})"
    except ValueError:
        date = "auto"
    pre = (
        _PREAMBLE.replace("{width}", f"{trim.width_in}")
        .replace("{height}", f"{trim.height_in}")
        .replace("{style}", style)
        .replace("{right}", "true" if options.chapters_on_right else "false")
        .replace("{date}", date)
        .replace("{font}", FONT)
        .replace("{size}", f"{trim.font_pt}")
        .replace("{lang}", re.sub(r"[^a-z]", "", (m.language or "en").lower()[:2]) or "en")
        .replace("{gutter}", f"{gutter_in}")
        .replace("{outside}", f"{trim.outside_in}")
        .replace("{top}", f"{trim.top_in}")
        .replace("{bottom}", f"{trim.bottom_in}")
    )
    names = f"#let book-title = {_str(m.title)}\n#let book-author = {_str(m.author or ' ')}\n"
    body = "".join(_chapter(c) for c in m.chapters)
    return names + pre + _chapter_fn_with_labels() + _front(m) + body + _back(m)


def _compile(source: str) -> bytes:
    import typst

    compiler = typst.Compiler(ignore_system_fonts=True)
    # A fixed timestamp: the same book gives the same bytes (golden tests, dedup).
    out = compiler.compile(source.encode("utf-8"), format="pdf", timestamp=datetime(2026, 1, 1, tzinfo=UTC))
    assert isinstance(out, bytes)
    return out


def page_count(pdf: bytes) -> int:
    """Pages of a PDF Typst wrote (its page tree lists ``/Type /Page`` objects)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def render_pdf(m: Manuscript, options: RenderOptions) -> bytes:
    trim: Trim = TRIMS.get(options.trim, TRIMS["6x9"])
    guess = estimate_pages(m.words, trim, len(m.chapters), right_hand=options.chapters_on_right)
    gutter = gutter_for(guess)
    pdf = _compile(typst_source(m, options, gutter_in=gutter))
    real = gutter_for(page_count(pdf))
    if real != gutter:  # the estimate fell in another step: set it again with the right gutter
        pdf = _compile(typst_source(m, options, gutter_in=real))
    return pdf
