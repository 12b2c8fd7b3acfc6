"""Real files for ingestion tests, made on the fly (nothing binary is committed)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(pages: list[str], *, line_chars: int = 90, lines_per_page: int | None = None) -> bytes:
    """A valid PDF with one page per string, text set in Helvetica with a real text layer
    (wrapped at ``line_chars``), written object by object with a correct xref table."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # placeholder, filled below
    pages_id = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids = []
    for text in pages:
        words, lines, line = text.split(), [], ""
        for w in words:
            if len(line) + len(w) + 1 > line_chars:
                lines.append(line)
                line = w
            else:
                line = f"{line} {w}".strip()
        if line:
            lines.append(line)
        if lines_per_page:
            lines = lines[:lines_per_page]
        ops = ["BT", "/F1 9 Tf", "11 TL", "40 800 Td"]
        ops += [f"({_escape(ln)}) Tj T*" for ln in lines]
        ops.append("ET")
        stream = "\n".join(ops).encode("cp1252", "replace")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (pages_id, content, font)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref))
    return out.getvalue()


def write_pdf(path: Path, pages: list[str], *, password: str | None = None, algorithm: str = "AES-256") -> Path:
    data = pdf_bytes(pages)
    if password is not None:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm=algorithm)
        buf = io.BytesIO()
        writer.write(buf)
        data = buf.getvalue()
    path.write_bytes(data)
    return path


def write_docx(path: Path, heading: str, paragraphs: list[str]) -> Path:
    import docx

    doc = docx.Document()
    doc.add_heading(heading, level=1)
    for p in paragraphs:
        doc.add_paragraph(p)
    doc.save(str(path))
    return path


def write_zip_bomb_docx(path: Path, uncompressed_mb: int = 1024) -> Path:
    """A 'DOCX' whose document part inflates to ``uncompressed_mb`` MB of zeros (about 1 MB on
    disk): written in streamed blocks so making it costs little memory."""
    block = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(uncompressed_mb):
                member.write(block)
    return path


def jpeg_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 32), "white").save(buf, "JPEG")
    return buf.getvalue()
