"""``ghostline generate outline|chapter|revise``: the AI agents from scripts (issue 8).

Each command runs the same job the Generate menu runs and waits for it. The provider comes
from the settings or ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``, as in the app. A task that
fails exits non-zero with its message on stderr (the JSON, with ``--json``, still says what
was kept: a broken-off draft is saved as an incomplete revision). ``--stream`` prints the draft
as it arrives (with ``--json``: one ``{"delta": …}`` line per piece before the result);
``--preview`` (outline, chapter) prints exactly what would be sent and its estimate, and sends nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from typing import TYPE_CHECKING, Any

from ghostline_desktop.config import Settings

if TYPE_CHECKING:
    from ghostline_desktop.cli import Outcome
    from ghostline_desktop.runtime.types import JobInfo
    from ghostline_desktop.services.container import Services
    from ghostline_desktop.services.dto import UserInfo
    from ghostline_desktop.services.generation import PromptPreview

WAIT_S = 3 * 3600.0


async def _finish(services: Services, job: JobInfo, *, stream: bool, as_json: bool) -> tuple[JobInfo, dict[str, Any]]:
    """Wait for the job (printing its deltas when asked); the task row's accounting as data."""
    from ghostline_desktop.db.models import GenerationTask

    if stream:
        async for item in services.runner.stream(job.id):
            if not isinstance(item, str):
                continue
            sys.stdout.write(json.dumps({"delta": item}) + "\n" if as_json else item)
            sys.stdout.flush()
        if not as_json:
            sys.stdout.write("\n\n")
    done = await services.jobs.wait(job.id, WAIT_S)
    async with services.db.session() as s:
        row = await s.get(GenerationTask, job.id)
        assert row is not None
        data: dict[str, Any] = {
            "task_id": str(job.id),
            "status": done.status.name,
            "error": done.error,
            "message": done.message,
            "agent": row.agent_name,
            "model": row.model,
            "prompt_tokens": row.prompt_tokens,
            "completion_tokens": row.completion_tokens,
            "total_tokens": row.total_tokens,
            "output_entity_type": row.output_entity_type,
            "output_entity_id": str(row.output_entity_id) if row.output_entity_id else None,
        }
    return done, data


def _outcome(done: JobInfo, data: dict[str, Any], text: str, lines: list[str]) -> Outcome:
    from ghostline_desktop.cli import EXIT_ERROR, Outcome
    from ghostline_desktop.core.enums import TaskStatus

    if done.status is not TaskStatus.COMPLETED:
        # The JSON/lines still print (what was kept); the message goes to stderr as for any error.
        print(f"ghostline: {done.error or done.message or done.status.name.lower()}", file=sys.stderr)
        return Outcome(data, text, lines, exit_code=EXIT_ERROR)
    return Outcome(data, text, lines)


def _preview(preview: PromptPreview) -> Outcome:
    """``--preview``: exactly what would be sent, and the estimate; nothing is run or debited."""
    from ghostline_desktop.ai.prompting import preview_dict
    from ghostline_desktop.cli import Outcome

    data = preview_dict(preview.prompt)
    data["note"] = preview.note
    text = f"{preview.title}: about {preview.estimate:,} tokens at most (nothing was sent)"
    lines = ["", preview.prompt.as_text().rstrip()]
    if preview.note:
        lines.insert(0, preview.note)
    return Outcome(data, text, lines)


def _tokens_line(data: dict[str, Any]) -> str:
    return (
        f"Tokens: {data['prompt_tokens']:,} prompt + {data['completion_tokens']:,} completion = "
        f"{data['total_tokens']:,} ({data['model'] or 'no model reported'})"
    )


async def _revision_data(services: Services, data: dict[str, Any]) -> list[str]:
    """Add the revision the task wrote (complete or not) to ``data``; its lines for people."""
    if data["output_entity_type"] != "chapter_revision" or not data["output_entity_id"]:
        return []
    ai = await services.generation.revision_ai(uuid.UUID(data["output_entity_id"]))
    data["revision"] = {
        "id": str(ai.id),
        "chapter_id": str(ai.chapter_id),
        "revision": ai.revision_number,
        "source": ai.source,
        "incomplete": ai.incomplete,
        "token_cost": ai.token_cost,
        "sources": [{"rank": p.rank, "source_title": p.source_title, "chunk_id": str(p.chunk_id)} for p in ai.sources],
    }
    state = " (incomplete)" if ai.incomplete else ""
    titles = sorted({p.source_title for p in ai.sources})
    return [f"Revision {ai.revision_number}{state}", "Drawn from: " + ("; ".join(titles) or "no passages")]


def cmd_generate_outline(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import _parse_uuid, _with_services

    async def action(services: Services, user: UserInfo) -> Outcome:
        project_id = _parse_uuid(args.project)
        await services.projects.get(project_id)
        if args.preview:
            return _preview(await services.generation.preview_outline(project_id))
        job = await services.generation.start_outline(project_id, user_id=user.id, chapters=args.chapters)
        done, data = await _finish(services, job, stream=False, as_json=args.json)
        lines: list[str] = []
        if data["output_entity_id"] and data["output_entity_type"] == "book_outline":
            outline = await services.outline.get(uuid.UUID(data["output_entity_id"]))
            data["outline"] = {"id": str(outline.id), "version": outline.version, "status": outline.status}
            data["outline"]["title"] = outline.title
            data["outline"]["structure"] = outline.structure
            for part in outline.structure.get("parts", []):
                lines.append(f"{part['title']}")
                lines.extend(f"  - {c['title']} ({len(c.get('scenes', []))} scenes)" for c in part.get("chapters", []))
        lines.append(_tokens_line(data))
        return _outcome(done, data, done.message or done.error or "", lines)

    return _with_services(settings, action)


def cmd_generate_chapter(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import _parse_uuid, _with_services

    async def action(services: Services, user: UserInfo) -> Outcome:
        project_id = _parse_uuid(args.project)
        await services.projects.get(project_id)
        if args.preview:
            return _preview(await services.generation.preview_chapter(project_id, args.chapter))
        job = await services.generation.start_chapter(project_id, args.chapter, user_id=user.id)
        done, data = await _finish(services, job, stream=args.stream, as_json=args.json)
        data["position"] = args.chapter
        lines = await _revision_data(services, data)
        lines.append(_tokens_line(data))
        return _outcome(done, data, done.message or done.error or "", lines)

    return _with_services(settings, action)


def cmd_generate_revise(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import _parse_uuid, _with_services

    async def action(services: Services, user: UserInfo) -> Outcome:
        revision_id = _parse_uuid(args.revision, "revision")
        job = await services.generation.start_revision(revision_id, args.feedback, user_id=user.id)
        done, data = await _finish(services, job, stream=args.stream, as_json=args.json)
        lines = await _revision_data(services, data)
        lines.append(_tokens_line(data))
        return _outcome(done, data, done.message or done.error or "", lines)

    return _with_services(settings, action)


def add_commands(top: Any, common: argparse.ArgumentParser) -> None:
    gen = top.add_parser("generate", help="AI drafts from your sources").add_subparsers(
        dest="generate_command", required=True
    )
    p = gen.add_parser("outline", parents=[common], help="an outline from the project's sources (a new draft version)")
    p.add_argument("--project", required=True)
    p.add_argument("--chapters", type=int, help="about how many chapters (default: the model decides, 10-20)")
    p.add_argument("--preview", action="store_true", help="print the prompt and its estimate; send nothing")
    p.set_defaults(handler=cmd_generate_outline)
    p = gen.add_parser("chapter", parents=[common], help="draft one chapter from its outline entry")
    p.add_argument("--project", required=True)
    p.add_argument("--chapter", type=int, required=True, help="the chapter's position in the book, from 1")
    p.add_argument("--stream", action="store_true", help="print the draft as it arrives")
    p.add_argument("--preview", action="store_true", help="print the prompt and its estimate; send nothing")
    p.set_defaults(handler=cmd_generate_chapter)
    p = gen.add_parser("revise", parents=[common], help="a new revision following feedback")
    p.add_argument("--revision", required=True, help="the revision's id")
    p.add_argument("--feedback", required=True, help="what should change")
    p.add_argument("--stream", action="store_true", help="print the revision as it arrives")
    p.set_defaults(handler=cmd_generate_revise)
