"""``ghostline project import-manuscript`` and ``ghostline chapter …``: the book's chapters from scripts.

Chapters are named by their position in the book, from 1 (``ghostline chapter show 3
--project ID``), as an author counts them. ``chapter diff`` prints a word diff in the
style of ``wdiff`` — ``[-removed-]{+added+}`` inside a changed paragraph, ``-``/``+``
lines for whole paragraphs, ``<``/``>`` for a moved one — then the summary.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ghostline_desktop.config import Settings
from ghostline_desktop.errors import ValidationError

if TYPE_CHECKING:
    from ghostline_desktop.cli import Outcome
    from ghostline_desktop.core.diff import TextDiff, WordOp
    from ghostline_desktop.services.container import Services
    from ghostline_desktop.services.dto import ChapterSummary, RevisionInfo, UserInfo

_MOVE_PREVIEW = 60


def cmd_import_manuscript(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _with_services

    path = Path(args.file)

    async def action(services: Services, user: UserInfo) -> Outcome:
        preview = await services.manuscripts.preview(path)
        done = await services.manuscripts.accept(
            preview, user.id, title=args.title, genre=args.genre, target_word_count=args.target_words
        )
        chapters = [
            {"position": c.order, "id": str(c.id), "title": c.title, "words": c.word_count} for c in done.chapters
        ]
        left_out = [{"kind": x.kind.value, "title": x.title} for x in preview.left_out]
        data = {
            "project_id": str(done.project.id),
            "title": done.project.title,
            "format": preview.format,
            "words": done.project.word_count,
            "chapters": chapters,
            "left_out": left_out,
        }
        text = (
            f"Imported {path.name} as project {done.project.id}: {done.project.title} "
            f"({len(chapters)} chapters, {done.project.word_count} words)"
        )
        lines = [f"{c['position']:>4}. {c['title']} ({c['words']} words)" for c in chapters]
        if left_out:
            lines.append("Left out: " + "; ".join(f"{x['title']} ({x['kind'].replace('_', ' ')})" for x in left_out))
        return Outcome(data, text, lines)

    return _with_services(settings, action)


async def _chapter(services: Services, project: str, position: int) -> ChapterSummary:
    from ghostline_desktop.cli import _parse_uuid

    project_id = _parse_uuid(project)
    await services.projects.get(project_id)
    return await services.chapters.chapter_at(project_id, position)


def _summary_data(c: ChapterSummary) -> dict[str, Any]:
    return {
        "position": c.order,
        "id": str(c.id),
        "title": c.title,
        "status": c.status,
        "words": c.word_count,
        "revisions": c.revision_count,
        "in_outline": c.in_outline,
    }


def _revision_data(r: RevisionInfo) -> dict[str, Any]:
    return {
        "revision": r.revision_number,
        "working": not r.sealed,
        "time": (r.saved_at or r.created_at).isoformat(),
        "origin": r.source,
        "note": r.note,
        "words": r.word_count,
        "words_added": r.words_added,
        "words_removed": r.words_removed,
        "similarity": r.similarity_score,
        "feedback": r.user_feedback,
    }


def cmd_chapter_list(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _parse_uuid, _with_services

    project_id = _parse_uuid(args.project)

    async def action(services: Services, user: UserInfo) -> Outcome:
        await services.projects.get(project_id)
        chapters = await services.chapters.list_chapters(project_id)
        book = await services.chapters.book_words(project_id)
        data = {
            "project_id": str(project_id),
            "words": book.words,
            "target_words": book.target,
            "chapters": [_summary_data(c) for c in chapters],
        }
        target = f" of {book.target}" if book.target else ""
        lines = [
            f"{n:>4}. {c.title} [{c.status.lower()}] {c.word_count} words, {c.revision_count} revision(s)"
            + ("" if c.in_outline else " (not in outline)")
            for n, c in enumerate(chapters, start=1)
        ]
        return Outcome(data, f"{len(chapters)} chapter(s), {book.words}{target} words", lines)

    return _with_services(settings, action)


def cmd_chapter_show(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _with_services

    async def action(services: Services, user: UserInfo) -> Outcome:
        ch = await _chapter(services, args.project, args.position)
        if args.revision is not None:
            rev = await services.chapters.get_revision(ch.id, args.revision)
            content, number, working = rev.content, rev.revision_number, not rev.sealed
        else:
            current = await services.chapters.get(ch.id)
            content, number, working = current.content, current.revision_number, current.working
        history = await services.chapters.list_revisions(ch.id)
        data = {
            **_summary_data(ch),
            "revision": number,
            "working": working,
            "content": content,
            "history": [_revision_data(r) for r in history],
        }
        state = "working text" if working else f"revision {number}"
        return Outcome(data, f"# {ch.title} ({state}, {ch.status.lower()})\n\n{content}")

    return _with_services(settings, action)


def cmd_chapter_save_revision(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _with_services

    new_text: str | None = None
    if args.file == "-":
        new_text = sys.stdin.read()
    elif args.file:
        try:
            new_text = Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(f"Could not read '{args.file}' as UTF-8 text: {exc}") from exc

    async def action(services: Services, user: UserInfo) -> Outcome:
        ch = await _chapter(services, args.project, args.position)
        text = new_text if new_text is not None else (await services.chapters.get(ch.id)).content
        result = await services.chapters.save_revision(ch.id, text, note=args.note, user_id=user.id)
        number = result.text.revision_number
        data = {
            **_summary_data(await services.chapters.summary(ch.id)),
            "revision": number,
            "revision_made": result.revision_made,
            "note": args.note,
        }
        if result.revision_made:
            return Outcome(data, f"Saved revision {number} of '{ch.title}'")
        return Outcome(data, f"'{ch.title}' is unchanged since revision {number}; no new revision")

    return _with_services(settings, action)


def _word_line(a: str, words: tuple[WordOp, ...]) -> str:
    from ghostline_desktop.core.diff import OpKind

    out = []
    for w in words:
        old = a[w.a_start : w.a_end]
        if w.kind is OpKind.EQUAL:
            out.append(old)
        elif w.kind is OpKind.DELETE:
            out.append(f"[-{old}-]")
        elif w.kind is OpKind.INSERT:
            out.append(f"{{+{w.new_text}+}}")
        else:
            out.append(f"[-{old}-]{{+{w.new_text}+}}")
    return "".join(out).strip("\n")


def _prefixed(mark: str, text: str) -> list[str]:
    return [f"{mark} {line}".rstrip() for line in text.strip("\n").splitlines()]


def render_word_diff(a: str, b: str, diff: TextDiff) -> list[str]:
    """A readable word diff: changed paragraphs only, each change marked in place."""
    from ghostline_desktop.core.diff import OpKind

    lines: list[str] = []
    for op in diff.ops:
        if op.kind is OpKind.EQUAL:
            continue
        if op.kind is OpKind.REPLACE and op.words:
            lines += _prefixed("~", _word_line(a, op.words))
        elif op.kind is OpKind.INSERT:
            lines += _prefixed("+", op.new_text)
        elif op.kind is OpKind.DELETE:
            lines += _prefixed("-", a[op.a_start : op.a_end])
        elif op.kind is OpKind.REPLACE:
            lines += _prefixed("-", a[op.a_start : op.a_end]) + _prefixed("+", op.new_text)
        elif op.kind is OpKind.MOVE_OUT:
            moved = " ".join(a[op.a_start : op.a_end].split())
            lines.append(f"< moved from here: {moved[:_MOVE_PREVIEW]}{'…' if len(moved) > _MOVE_PREVIEW else ''}")
        elif op.kind is OpKind.MOVE_IN:
            lines += _prefixed(">", _word_line(a, op.words) if op.words else b[op.b_start : op.b_end])
        lines.append("")
    return lines


def cmd_chapter_diff(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _with_services
    from ghostline_desktop.core.diff import diff_to_json

    async def action(services: Services, user: UserInfo) -> Outcome:
        ch = await _chapter(services, args.project, args.position)
        result = await services.chapters.diff(ch.id, args.from_revision, args.to_revision)
        s = result.diff.summary
        summary = diff_to_json(result.diff)["summary"]
        data = {
            **_summary_data(ch),
            "from": result.a.revision_number,
            "to": result.b.revision_number,
            "summary": summary,
            "ops": diff_to_json(result.diff)["ops"],
        }
        head = f"'{ch.title}': revision {result.a.revision_number} → {result.b.revision_number}"
        line = (
            f"+{s.words_added} / -{s.words_removed} words; paragraphs: {s.paragraphs_changed} changed, "
            f"{s.paragraphs_added} added, {s.paragraphs_removed} removed, {s.paragraphs_moved} moved"
        )
        if s.identical:
            return Outcome(data, f"{head}: no differences")
        body = render_word_diff(result.a.content, result.b.content, result.diff)
        return Outcome(data, head, [*body, line])

    return _with_services(settings, action)


def add_commands(top: Any, common: argparse.ArgumentParser, project: Any) -> None:
    """Register the commands; ``project`` is the ``ghostline project`` subparsers."""
    p = project.add_parser(
        "import-manuscript", parents=[common], help="turn a DOCX, EPUB, Markdown or text book into a project"
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--title", help="the project's title (default: the book's own)")
    p.add_argument("--genre")
    p.add_argument("--target-words", type=int, dest="target_words")
    p.set_defaults(handler=cmd_import_manuscript)

    chapter = top.add_parser("chapter", help="a project's chapters").add_subparsers(
        dest="chapter_command", required=True
    )
    p = chapter.add_parser("list", parents=[common], help="the chapters in book order, with word counts")
    p.add_argument("--project", required=True)
    p.set_defaults(handler=cmd_chapter_list)
    p = chapter.add_parser("show", parents=[common], help="a chapter's text (working text or a revision)")
    p.add_argument("position", type=int, help="the chapter's position in the book, from 1")
    p.add_argument("--project", required=True)
    p.add_argument("--revision", type=int, help="show this revision instead of the current text")
    p.set_defaults(handler=cmd_chapter_show)
    p = chapter.add_parser("save-revision", parents=[common], help="make a revision (of a file's text, or as is)")
    p.add_argument("position", type=int)
    p.add_argument("--project", required=True)
    p.add_argument("--file", help="the new text ('-' reads standard input); default: the current text")
    p.add_argument("--note")
    p.set_defaults(handler=cmd_chapter_save_revision)
    p = chapter.add_parser("diff", parents=[common], help="word diff of two revisions (default: current vs previous)")
    p.add_argument("position", type=int)
    p.add_argument("--project", required=True)
    p.add_argument("--from", type=int, dest="from_revision", help="older revision number")
    p.add_argument("--to", type=int, dest="to_revision", help="newer revision number (default: the current text)")
    p.set_defaults(handler=cmd_chapter_diff)
