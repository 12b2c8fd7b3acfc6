"""``ghostline qa run`` and ``ghostline qa list``: manuscript QA from scripts.

``qa run`` exits with status 1 when blocking findings are still open after the run (a
build script can refuse to export), 0 otherwise; ``--json`` prints the run's summary and
the open findings.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ghostline_desktop.config import Settings
from ghostline_desktop.errors import GhostlineError

if TYPE_CHECKING:
    from ghostline_desktop.cli import Outcome
    from ghostline_desktop.services.container import Services
    from ghostline_desktop.services.dto import FindingSummary, UserInfo

EXIT_BLOCKING = 1


def _finding_data(f: FindingSummary) -> dict[str, Any]:
    return {
        "id": str(f.id),
        "type": f.finding_type,
        "severity": f.severity,
        "blocking": f.is_blocking,
        "status": f.status,
        "chapter_id": str(f.chapter_id) if f.chapter_id else None,
        "chapter": f.chapter_title,
        "start": f.start,
        "end": f.end,
        "title": f.title,
        "excerpt": f.excerpt,
        "explanation": f.description,
        "suggestion": f.suggestion,
        "rule": f.rule,
        "resolution_note": f.resolution_note,
        "resolved_by": f.resolved_by_name,
    }


def _finding_line(f: FindingSummary) -> str:
    where = f.chapter_title or "book"
    if f.start is not None:
        where += f" @{f.start}"
    flag = " BLOCKING" if f.is_blocking and f.status == "OPEN" else ""
    status = "" if f.status == "OPEN" else f" [{f.status.lower()}]"
    return f"  {f.severity:<8} {f.finding_type:<22} {where}: {f.title}{flag}{status}"


def cmd_qa_run(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _parse_uuid, _with_services

    project_id = _parse_uuid(args.project)

    async def action(services: Services, user: UserInfo) -> Outcome:
        chapter_id = None
        if args.chapter is not None:
            chapter_id = (await services.chapters.chapter_at(project_id, args.chapter)).id
        outcome = await services.qa_runs.run_and_wait(
            project_id, chapter_id=chapter_id, user_id=user.id, factual=not args.no_facts, notify=False
        )
        if outcome is None:
            job = services.runner.get(await _last_job(services, project_id))
            raise GhostlineError(f"The QA run did not finish: {job.error if job and job.error else 'cancelled'}.")
        from ghostline_desktop.services.qa_runs import describe

        open_findings = await services.qa.list_findings(project_id, status="OPEN")
        r = outcome.result
        data = {
            "project_id": str(project_id),
            "scope": outcome.scope,
            "chapters": outcome.chapters,
            "analysed": outcome.analysed,
            "seconds": round(outcome.seconds, 3),
            "steps_ms": outcome.phases,
            "new": r.new,
            "updated": r.updated,
            "auto_resolved": r.auto_resolved,
            "reopened": r.reopened,
            "open": r.open_total,
            "open_blocking": r.open_blocking,
            "fact_check_stopped": outcome.factual_note,
            "findings": [_finding_data(f) for f in open_findings],
        }
        what = "the book" if outcome.scope == "book" else f"“{outcome.scope}”"
        text = f"QA of {what} in {outcome.seconds:.2f} s: "
        text += describe(outcome)
        return Outcome(
            data,
            text,
            [_finding_line(f) for f in open_findings],
            exit_code=EXIT_BLOCKING if r.open_blocking else 0,
        )

    return _with_services(settings, action)


async def _last_job(services: Services, project_id: Any) -> Any:
    jobs = services.runner.jobs(project_id, active_only=False)
    return jobs[-1].id if jobs else None


def cmd_qa_list(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _parse_uuid, _with_services

    project_id = _parse_uuid(args.project)
    status = None if args.status.upper() == "ALL" else args.status

    async def action(services: Services, user: UserInfo) -> Outcome:
        await services.projects.get(project_id)
        rows = await services.qa.list_findings(project_id, status=status, finding_type=args.type)
        blocking = sum(1 for f in rows if f.is_blocking and f.status == "OPEN")
        text = f"{len(rows)} finding(s)" + (f", {blocking} blocking" if blocking else "") + (":" if rows else ".")
        return Outcome([_finding_data(f) for f in rows], text, [_finding_line(f) for f in rows])

    return _with_services(settings, action)


def add_commands(top: Any, common: argparse.ArgumentParser) -> None:
    qa = top.add_parser("qa", help="manuscript QA").add_subparsers(dest="qa_command", required=True)
    p = qa.add_parser(
        "run", parents=[common], help="check the book (or one chapter); exit status 1 if blocking findings are open"
    )
    p.add_argument("--project", required=True)
    p.add_argument("--chapter", type=int, help="only this chapter (its position in the book, from 1)")
    p.add_argument("--no-facts", action="store_true", help="skip the fact check against your sources (AI, tokens)")
    p.set_defaults(handler=cmd_qa_run)
    p = qa.add_parser("list", parents=[common], help="the book's findings, most severe first")
    p.add_argument("--project", required=True)
    p.add_argument(
        "--status", default="OPEN", type=str.upper, choices=("OPEN", "RESOLVED", "WAIVED", "ALL"), help="default OPEN"
    )
    p.add_argument("--type", help="only this kind of finding (e.g. MISSING_CONTENT)")
    p.set_defaults(handler=cmd_qa_list)
