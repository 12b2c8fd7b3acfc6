"""Golden pages: the small book's title page and first chapter opening, rasterised with pdftoppm,
compared with the stored PNGs (tests/export/golden). Typst's output is deterministic (fixed
timestamp, fonts from the wheel, system fonts ignored); a small pixel tolerance absorbs
rasteriser differences between poppler versions.

Regenerate after an intended layout change: ``GHOSTLINE_REGOLD=1 pytest tests/export/test_pdf_golden.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ghostline_desktop.export import render
from ghostline_desktop.export.model import Manuscript

GOLDEN = Path(__file__).parent / "golden"
PAGES = {1: "pdf-title-page.png", 7: "pdf-chapter-opening.png"}  # 1-based physical pages
DPI = 40
TOLERANCE = 0.01  # mean absolute difference, as a share of full scale


def _raster(pdf: Path, page: int, out: Path) -> Path:
    stem = out / f"p{page}"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(DPI),
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            str(page),
            "-l",
            str(page),
            str(pdf),
            str(stem),
        ],
        check=True,
    )
    return stem.with_suffix(".png")


@pytest.mark.parametrize("page", sorted(PAGES))
def test_pdf_page_matches_golden(small_book: Manuscript, tmp_path: Path, page: int) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    from PIL import Image, ImageChops, ImageStat

    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(render(small_book, "PDF"))
    got = _raster(pdf, page, tmp_path)
    golden = GOLDEN / PAGES[page]
    if os.environ.get("GHOSTLINE_REGOLD") or not golden.exists():
        GOLDEN.mkdir(exist_ok=True)
        shutil.copyfile(got, golden)
        pytest.skip(f"wrote {golden}")
    with Image.open(got) as a, Image.open(golden) as b:
        assert a.size == b.size
        diff = ImageStat.Stat(ImageChops.difference(a.convert("L"), b.convert("L"))).mean[0] / 255
    assert diff <= TOLERANCE, f"page {page} differs from {golden.name} by {diff:.3%}"
