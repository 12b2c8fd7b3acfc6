"""Offline OCR of photos and rendered pages (rapidocr-onnxruntime, models inside the package)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ghostline_desktop.ingest import ExtractionError, extract, ocr_image_bytes
from tests.ingest.makers import assert_reads, image_bytes, text_image

pytestmark = pytest.mark.usefixtures("qapp")


def test_png_of_rendered_text(tmp_path: Path) -> None:
    path = tmp_path / "page.png"
    path.write_bytes(image_bytes(text_image(["The whale surfaced at dawn", "Harpoons ready on deck"])))
    result = extract(str(path), "IMAGE")
    assert result.text == "The whale surfaced at dawn\nHarpoons ready on deck"
    assert result.metadata["ocr"] is True


def test_ocr_image_bytes_reads_a_jpeg_photo() -> None:
    text = ocr_image_bytes(image_bytes(text_image(["Meet at the harbour", "after the storm"]), "JPEG"))
    assert_reads(text, "Meet at the harbour after the storm")


def test_transparent_png_is_read_on_white() -> None:
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    image = QImage(1000, 160, QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 0, 0))
    painter = QPainter(image)
    font = QFont("DejaVu Sans")
    font.setPixelSize(56)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    painter.drawText(40, 100, "Ink on nothing")
    painter.end()
    assert ocr_image_bytes(image_bytes(image)) == "Ink on nothing"


def test_image_without_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    path.write_bytes(image_bytes(text_image([])))
    with pytest.raises(ExtractionError) as failed:
        extract(str(path), "IMAGE")
    assert failed.value.code == "no_text"


def test_broken_image(tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(image_bytes(text_image(["x"]))[:60])
    with pytest.raises(ExtractionError) as failed:
        extract(str(path), "IMAGE")
    assert failed.value.code == "corrupt"
    assert "not a readable image" in str(failed.value)


def test_heic_without_pillow_heif_says_what_to_do(tmp_path: Path) -> None:
    try:
        import pillow_heif  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("pillow-heif is installed here, so HEIC photos are read")
    path = tmp_path / "IMG_0001.HEIC"
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64))
    with pytest.raises(ExtractionError) as failed:
        extract(str(path), "IMAGE")
    assert failed.value.code == "unsupported"
    assert "JPEG" in str(failed.value)
