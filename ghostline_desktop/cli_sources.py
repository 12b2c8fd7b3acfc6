"""``ghostline import``, ``ghostline search`` and ``ghostline reembed``: the source library from scripts."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ghostline_desktop.config import Settings

if TYPE_CHECKING:
    from ghostline_desktop.cli import Outcome
    from ghostline_desktop.services.container import Services
    from ghostline_desktop.services.dto import UserInfo

#: One file may take this long before ``ghostline import`` gives up waiting on it.
IMPORT_WAIT_S = 3 * 3600.0


def cmd_import(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _parse_uuid, _with_services

    project_id = _parse_uuid(args.project)
    paths = [Path(p) for p in args.paths]

    async def action(services: Services, user: UserInfo) -> Outcome:
        await services.projects.get(project_id)
        batch = await services.ingestion.import_paths(project_id, paths, user_id=user.id)
        results: list[dict[str, Any]] = [
            {"file": name, "status": "REFUSED", "message": reason} for name, reason in batch.refused
        ]
        finals = await asyncio.gather(
            *(services.jobs.wait(s.job_id, IMPORT_WAIT_S) for s in batch.accepted if s.job_id is not None)
        )
        for src, job in zip(batch.accepted, finals, strict=True):
            try:
                now = await services.sources.get(src.id)
            except Exception:  # removed as a duplicate
                results.append({"file": src.original_filename, "status": "DUPLICATE", "message": job.message})
                continue
            results.append(
                {
                    "file": src.original_filename,
                    "source_id": str(src.id),
                    "status": now.processing_status,
                    "material_type": now.material_type,
                    "words": now.word_count,
                    "message": now.error_message or job.message,
                }
            )
        failed = sum(1 for r in results if r["status"] in ("FAILED", "REFUSED"))
        lines = [f"{r['status']:<9} {r['file']}: {r.get('message') or ''}".rstrip(": ") for r in results]
        text = f"{len(results) - failed} of {len(results)} file(s) imported"
        return Outcome({"project_id": str(project_id), "files": results, "failed": failed}, text, lines,
                       exit_code=1 if failed else 0)

    return _with_services(settings, action)


def cmd_search(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _parse_uuid, _with_services

    project_id = _parse_uuid(args.project)

    async def action(services: Services, user: UserInfo) -> Outcome:
        await services.projects.get(project_id)
        hits = await services.search.search(project_id, args.query, limit=args.limit)
        data = [
            {
                "score": round(h.score, 5),
                "source_id": str(h.source_id),
                "source": h.source_title,
                "page": h.page,
                "section": h.section,
                "chunk_index": h.chunk_index,
                "snippet": h.snippet_html.replace("<b>", "").replace("</b>", ""),
                "text": h.text,
            }
            for h in hits
        ]
        lines = []
        for i, (h, d) in enumerate(zip(hits, data, strict=True), 1):
            where = f"p. {h.page}" if h.page else (h.section or f"passage {h.chunk_index + 1}")
            lines.append(f"{i:>2}. {h.source_title} ({where})  score {h.score:.4f}\n    {d['snippet']}")
        return Outcome({"query": args.query, "results": data}, f"{len(data)} result(s) for “{args.query}”", lines)

    return _with_services(settings, action)


def cmd_reembed(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _parse_uuid, _with_services

    project_id = _parse_uuid(args.project)

    async def action(services: Services, user: UserInfo) -> Outcome:
        await services.projects.get(project_id)
        job_id = await services.ingestion.reembed(project_id)
        job = await services.jobs.wait(job_id, IMPORT_WAIT_S)
        code = 0 if job.status.name == "COMPLETED" else 1
        return Outcome({"job_id": str(job_id), "status": job.status.name, "message": job.message or job.error},
                       job.error or job.message or job.status.name, exit_code=code)

    return _with_services(settings, action)


def add_commands(top: Any, common: argparse.ArgumentParser) -> None:
    p = top.add_parser("import", parents=[common], help="import files or folders into a project's library")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--project", required=True)
    p.set_defaults(handler=cmd_import)
    p = top.add_parser("search", parents=[common], help="search a project's library by meaning and words")
    p.add_argument("query")
    p.add_argument("--project", required=True)
    p.add_argument("--limit", type=int, default=10)
    p.set_defaults(handler=cmd_search)
    p = top.add_parser("reembed", parents=[common], help="re-embed a project's library with the active embedder")
    p.add_argument("--project", required=True)
    p.set_defaults(handler=cmd_reembed)
