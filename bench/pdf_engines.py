"""The PDF engine comparison behind ``export/render_pdf.py``'s choice (run by hand, not by ``make bench``).

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.pdf_engines [OUT_DIR]

Sets chapter 1 and the whole of *Pride and Prejudice* at 6×9 in, 11 pt, with Typst (our
renderer) and with Qt (``QTextDocument`` → ``QPdfWriter``, the same HTML our HTML export
writes, justified, the best Qt offers without a pager of our own), times both, and writes
the first pages of each as PNG (pdftoppm) to OUT_DIR for a look side by side.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import CORPUS_DIR
from ghostline_desktop.export.model import FrontMatter, Manuscript, RenderOptions, SourceChapter
from ghostline_desktop.export.render_html import blocks_html
from ghostline_desktop.export.render_pdf import render_pdf
from ghostline_desktop.export.tokenize import build_manuscript

QT_CSS = "p { text-indent: 1.3em; margin: 0; } h1 { text-align: center; font-weight: normal; }"


def book(chapters: int | None = None) -> Manuscript:
    from ghostline_desktop.core.manuscript_split import split_manuscript

    text = (CORPUS_DIR / "austen-pride-and-prejudice.txt").read_text(encoding="utf-8")
    split = split_manuscript(text, "Pride and Prejudice")
    picked = split.chapters[:chapters] if chapters else split.chapters
    front = FrontMatter(title="Pride and Prejudice", author="Jane Austen", date="2026-11-26")
    return build_manuscript(front, [SourceChapter(c.title, c.text) for c in picked])


def qt_pdf(m: Manuscript, path: Path) -> None:
    """Qt's own route: one QTextDocument, printed on 6×9 pages with one margin for all pages."""
    from PySide6.QtCore import QMarginsF, QSizeF
    from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    html = "".join(
        f'<h1 style="page-break-before: always">{c.title}</h1><div align="justify">{blocks_html(c.blocks)}</div>'
        for c in m.chapters
    )
    writer = QPdfWriter(str(path))
    size = QPageSize(QSizeF(6, 9), QPageSize.Unit.Inch)
    writer.setPageLayout(QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(36, 54, 36, 50)))
    writer.setResolution(300)
    doc = QTextDocument()
    doc.setDefaultStyleSheet(QT_CSS)
    doc.setDefaultFont(QFont("Serif", 11))
    doc.setHtml(html)
    doc.print_(writer)


def timed(fn: object, runs: int = 3) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for label, m in (("chapter1", book(1)), ("book", book())):
        typst_path, qt_path = out_dir / f"typst-{label}.pdf", out_dir / f"qt-{label}.pdf"
        t_typst = timed(lambda m=m, p=typst_path: p.write_bytes(render_pdf(m, RenderOptions())))
        t_qt = timed(lambda m=m, p=qt_path: qt_pdf(m, p))
        print(f"{label}: typst {t_typst:.2f} s, qt {t_qt:.2f} s")
        if shutil.which("pdftoppm") and label == "chapter1":
            for name, pdf, first in (("typst", typst_path, 5), ("qt", qt_path, 1)):
                subprocess.run(
                    [
                        "pdftoppm",
                        "-r",
                        "100",
                        "-png",
                        "-f",
                        str(first),
                        "-l",
                        str(first + 2),
                        str(pdf),
                        str(out_dir / name),
                    ],
                    check=True,
                )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/pdf-engines"))
