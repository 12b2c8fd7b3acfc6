"""Photos of pages and handwritten notes: offline OCR with rapidocr-onnxruntime, whose models
ship inside the pip package (nothing is downloaded at run time)."""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

from ghostline_desktop.ingest.base import Extraction, ExtractionError, Segment, build_extraction
from ghostline_desktop.ingest.files import read_bytes

# One engine per process: loading the three ONNX models takes ~0.5 s and ~100 MB, so a pool
# worker builds it on first use and keeps it. The lock guards both creation and inference, as
# onnxruntime sessions are not documented as safe to share between threads of one process.
_engine: Any = None
_engine_lock = threading.Lock()
# Images smaller than this are icons or rules, never a page worth reading.
_MIN_SIDE = 24
_HEIF_HINT = "HEIC photos need the pillow-heif package, which is not installed; export the photo as JPEG or PNG"


def _ocr_engine() -> Any:
    global _engine
    if _engine is None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise ExtractionError(
                "is an image, and offline text recognition is not installed; configure an AI provider", "needs_provider"
            ) from exc
        _engine = RapidOCR()
    return _engine


def _register_heif() -> bool:
    try:
        from pillow_heif import register_heif_opener  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return False
    register_heif_opener()
    return True


def open_image(data: bytes) -> Any:
    """A PIL image, upright (phone photos store their rotation in EXIF) and in RGB."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypmsf1", b"ftyphevc") and not _register_heif():
        raise ExtractionError(f"is a HEIC photo that cannot be read here ({_HEIF_HINT})", "unsupported")
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Image.DecompressionBombError as exc:
        raise ExtractionError("is an image too large to read (over 178 million pixels)", "too_large") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ExtractionError(f"is not a readable image ({exc})", "corrupt") from exc
    return ImageOps.exif_transpose(image) or image


def ocr_image(image: Any) -> str:
    """Recognise the text of a PIL image; lines in reading order, words on one line joined."""
    if min(image.size) < _MIN_SIDE:
        return ""
    image = _on_white(image)
    with _engine_lock:
        engine = _ocr_engine()
        result, _elapsed = engine(image)
    return _join_lines(result or [])


def _on_white(image: Any) -> Any:
    """RGB for the engine. Transparent pixels become white, not black: a scan or rendered text
    with an alpha channel is dark ink on transparency, which would vanish on black."""
    from PIL import Image

    if image.mode in ("P", "PA"):
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")


def ocr_image_bytes(data: bytes) -> str:
    """Text in an encoded image (PNG, JPEG, GIF, TIFF, WEBP; HEIC with pillow-heif)."""
    return ocr_image(open_image(data))


def _join_lines(boxes: list[Any]) -> str:
    """The engine returns one box per run of text; boxes whose vertical middles fall within
    half a line of each other are one line, read left to right."""
    items = []
    for box, text, _score in boxes:
        ys = [point[1] for point in box]
        xs = [point[0] for point in box]
        top, bottom = min(ys), max(ys)
        items.append(((top + bottom) / 2, max(bottom - top, 1.0), min(xs), str(text).strip()))
    items.sort(key=lambda item: (item[0], item[2]))
    lines: list[list[tuple[float, str]]] = []
    line_middle = line_height = 0.0
    for middle, height, left, text in items:
        if not text:
            continue
        if lines and abs(middle - line_middle) < 0.5 * max(height, line_height):
            lines[-1].append((left, text))
        else:
            lines.append([(left, text)])
            line_middle, line_height = middle, height
    return "\n".join(" ".join(text for _left, text in sorted(line)) for line in lines)


def extract_image(path: str | Path) -> Extraction:
    image = open_image(read_bytes(path))
    width, height = image.size
    text = ocr_image(image)
    if not text.strip():
        raise ExtractionError("is an image in which no text could be recognised", "no_text")
    return build_extraction([Segment(text)], {"ocr": True, "width": width, "height": height})
