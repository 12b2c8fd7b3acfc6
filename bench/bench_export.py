"""Export of *Pride and Prejudice* (split into its 61 chapters by core/manuscript_split) to each
format, end to end as the EXPORT job runs it in its worker (build the manuscript model from the
chapters' Markdown, then render): PDF, DOCX, EPUB, Markdown, HTML. Target: under 5 s each.

Peer, in the same run: pandoc (the ``pypandoc-binary`` wheel) converting the very Markdown file
our Markdown export writes (YAML metadata + one ``#`` heading per chapter) to DOCX, EPUB and
HTML (``--standalone``, ``--toc`` for HTML and EPUB, as a comparable book file). The ratio is
ours / pandoc's (below 1: we are faster). pandoc's PDF needs a LaTeX install, so the PDF has
no peer here; ``bench/pdf_engines.py`` compares it with Qt's QPdfWriter instead.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import CORPUS_DIR, Metric, median_ms
from ghostline_desktop.export import export_book, render
from ghostline_desktop.export.model import FrontMatter, RenderOptions, SourceChapter

RUNS = 3
TARGET_MS = 5000.0
PANDOC_TARGETS = {"DOCX": ("docx", []), "EPUB": ("epub3", ["--toc"]), "HTML": ("html5", ["--toc", "--embed-resources"])}


def chapters() -> tuple[FrontMatter, list[SourceChapter]]:
    from ghostline_desktop.core.manuscript_split import split_manuscript

    text = (CORPUS_DIR / "austen-pride-and-prejudice.txt").read_text(encoding="utf-8")
    split = split_manuscript(text, "Pride and Prejudice")
    front = FrontMatter(
        title="Pride and Prejudice",
        author="Jane Austen",
        date="2026-11-26",
        identifier="urn:uuid:3f9c1c4e-0000-4000-8000-000000000001",
        copyright="First published 1813.",
    )
    return front, [SourceChapter(c.title, c.text) for c in split.chapters]


def _ms(fn: Callable[[], object]) -> float:
    """Median wall time; ``median_ms`` would take a returned value for a self-measured time."""

    def call() -> None:
        fn()

    return median_ms(call, RUNS)


def run() -> list[Metric]:
    import pypandoc  # type: ignore[import-untyped]

    front, chs = chapters()
    opts = RenderOptions()
    out: list[Metric] = []
    with tempfile.TemporaryDirectory() as tmp:
        md_path = Path(tmp) / "book.md"
        from ghostline_desktop.export.tokenize import build_manuscript

        md_path.write_bytes(render(build_manuscript(front, chs), "MARKDOWN"))
        pypandoc.convert_file(str(md_path), "html5", format="markdown", outputfile=str(Path(tmp) / "warm.html"))
        out.append(Metric("export_model_ms", _ms(lambda: build_manuscript(front, chs)), target=TARGET_MS))
        for fmt in ("PDF", "DOCX", "EPUB", "MARKDOWN", "HTML"):
            ours = _ms(lambda fmt=fmt: export_book(front, chs, fmt, opts))
            peer_name: str | None = None
            peer_ms: float | None = None
            if fmt in PANDOC_TARGETS:
                to, extra = PANDOC_TARGETS[fmt]
                target = Path(tmp) / f"pandoc.{fmt.lower()}"

                def pandoc(to: str = to, extra: list[str] = extra, target: Path = target) -> None:
                    pypandoc.convert_file(
                        str(md_path), to, format="markdown", outputfile=str(target), extra_args=["--standalone", *extra]
                    )

                peer_ms = median_ms(pandoc, RUNS)
                peer_name = f"pandoc {pypandoc.get_pandoc_version()} markdown → {to}"
            out.append(
                Metric(f"export_{fmt.lower()}_ms", ours, target=TARGET_MS, peer_name=peer_name, peer_value=peer_ms)
            )
        # CPU time of the PDF export (all threads of this process): the figure that does not
        # drift when the shared machine is busy and the wall time only measures the queue.
        t0 = time.process_time()
        export_book(front, chs, "PDF", opts)
        out.append(Metric("export_pdf_cpu_ms", (time.process_time() - t0) * 1000, target=TARGET_MS))
    return out
