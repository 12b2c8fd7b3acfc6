"""``ghostline export``: the book as a PDF, DOCX, EPUB, Markdown or HTML file, from scripts.

    ghostline export --project ID --format epub -o book.epub [--chapters 1-5]

Runs the same EXPORT job the File ▸ Export Manuscript dialog runs (QA gate, numbered
``exported_books`` row, the file kept in the object store and copied to ``-o``). Open
blocking QA findings refuse the export and are listed, one per line; the exit code is 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ghostline_desktop.config import Settings
from ghostline_desktop.errors import ExportBlockedError

if TYPE_CHECKING:
    from ghostline_desktop.cli import Outcome
    from ghostline_desktop.services.container import Services
    from ghostline_desktop.services.dto import UserInfo

FORMATS = {"pdf": "PDF", "docx": "DOCX", "epub": "EPUB", "md": "MARKDOWN", "markdown": "MARKDOWN", "html": "HTML"}


def cmd_export(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _parse_uuid, _with_services
    from ghostline_desktop.export.model import RenderOptions
    from ghostline_desktop.services.exports import ExportRequest, parse_chapter_range

    project_id = _parse_uuid(args.project)
    out_path = Path(args.output).expanduser().resolve()

    async def action(services: Services, user: UserInfo) -> Outcome:
        await services.projects.get(project_id)
        chapter_ids = None
        if args.chapters:
            chapters = await services.chapters.list_chapters(project_id)
            positions = parse_chapter_range(args.chapters, len(chapters))
            chapter_ids = tuple(chapters[n - 1].id for n in positions)
        request = ExportRequest(
            project_id,
            FORMATS[args.format],
            chapter_ids=chapter_ids,
            revision=args.revision,
            title=args.title,
            subtitle=args.subtitle,
            author=args.author,
            toc=not args.no_toc,
            dedication=args.dedication,
            copyright=args.copyright,
            about_author=args.about_author,
            cover_path=args.cover,
            options=RenderOptions(
                trim=args.trim,
                heading_style=args.heading_style,
                chapters_on_right=not args.any_page,
                standard_manuscript=args.standard_manuscript,
            ),
            destination=str(out_path),
            user_id=user.id,
        )
        try:
            done = await services.exports.export_and_wait(request)
        except ExportBlockedError as exc:
            lines = [
                f"  [{f.severity}] {f.chapter_title or 'book'}: {f.title}"  # type: ignore[attr-defined]
                for f in exc.findings
            ]
            blocked = {"blocked": True, "findings": [str(f.id) for f in exc.findings]}  # type: ignore[attr-defined]
            return Outcome(blocked, str(exc), lines, exit_code=1)
        e = done.export
        data: dict[str, Any] = {
            "export_id": str(e.id),
            "format": e.format,
            "version": e.version,
            "path": str(out_path),
            "stored": str(e.path) if e.path else None,
            "bytes": e.file_size,
            "chapters": done.chapters,
            "left_out": list(done.left_out),
            "seconds": round(done.seconds, 2),
        }
        text = f"Wrote {out_path} ({e.format} version {e.version}, {done.chapters} chapters, {e.file_size:,} bytes)"
        lines = [f"Not approved, left out: {', '.join(done.left_out)}"] if done.left_out else []
        return Outcome(data, text, lines)

    return _with_services(settings, action)


def add_commands(top: Any, common: argparse.ArgumentParser) -> None:
    from ghostline_desktop.export.pdf_layout import TRIMS
    from ghostline_desktop.export.render_pdf import HEADING_STYLES

    p = top.add_parser("export", parents=[common], help="export the manuscript as PDF, DOCX, EPUB, Markdown or HTML")
    p.add_argument("--project", required=True)
    p.add_argument("--format", required=True, type=str.lower, choices=sorted(FORMATS))
    p.add_argument("-o", "--output", required=True, metavar="PATH")
    p.add_argument("--chapters", metavar="RANGE", help="positions, e.g. 1-5 or 1-3,7 (default: all)")
    p.add_argument("--revision", choices=("latest", "approved"), default="latest")
    p.add_argument("--title")
    p.add_argument("--subtitle")
    p.add_argument("--author")
    p.add_argument("--no-toc", action="store_true", dest="no_toc")
    p.add_argument("--dedication")
    p.add_argument("--copyright")
    p.add_argument("--about-author", dest="about_author")
    p.add_argument("--cover", metavar="IMAGE", help="EPUB cover (scaled below 4 megapixels)")
    p.add_argument("--trim", choices=sorted(TRIMS), default="6x9", help="PDF trim size")
    p.add_argument("--heading-style", choices=HEADING_STYLES, default="classic", dest="heading_style")
    p.add_argument("--any-page", action="store_true", dest="any_page", help="PDF: chapters may open on a left page")
    p.add_argument(
        "--standard-manuscript",
        action="store_true",
        dest="standard_manuscript",
        help="DOCX: standard manuscript format",
    )
    p.set_defaults(handler=cmd_export)
