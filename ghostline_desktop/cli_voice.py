"""``ghostline voice build|score|show``: the voice profile from scripts.

``voice build --project ID --from-file A.txt B.md`` or ``--from-chapters 1-5`` (positions in the
book, as ``chapter show`` counts them; ``1-3,7`` works too) learns the profile, rescores every
revision and prints what it learned. ``voice score --project ID FILE`` prints a text's score and
why; ``--json`` gives the score, the reasons and every feature's value and z-score, for
evaluating the feature on any text.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ghostline_desktop.config import Settings
from ghostline_desktop.errors import ValidationError

if TYPE_CHECKING:
    from ghostline_desktop.cli import Outcome
    from ghostline_desktop.services.container import Services
    from ghostline_desktop.services.dto import UserInfo
    from ghostline_desktop.services.voice import VoiceProfileInfo

RESCORE_WAIT_S = 600.0


def parse_positions(spec: str) -> list[int]:
    """``"1-5"`` → [1..5]; ``"1-3,7"`` → [1, 2, 3, 7] (book positions, from 1)."""
    out: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        try:
            a, b = int(lo), int(hi) if sep else int(lo)
        except ValueError:
            raise ValidationError(f"'{spec}' is not a chapter range (e.g. 1-5 or 1-3,7).") from None
        if a < 1 or b < a:
            raise ValidationError(f"'{part}' is not a chapter range (e.g. 1-5).")
        out.extend(n for n in range(a, b + 1) if n not in out)
    if not out:
        raise ValidationError("Name the chapters, e.g. --from-chapters 1-5.")
    return out


def _read(path: str) -> str:
    from ghostline_desktop.core.text_files import decode_text

    try:
        return decode_text(Path(path).read_bytes())
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    except ValueError as exc:  # not UTF-8/16/32 text
        raise ValidationError(f"{path} is not a text file GhostLine can read: {exc}.") from exc


def _profile_data(info: VoiceProfileInfo) -> dict[str, Any]:
    return {
        "project_id": str(info.project_id),
        "name": info.name,
        "words": info.words,
        "score_range": info.score_range,
        "built_from": info.built_from,
        "summary": info.summary,
        "embedding_model": info.embedding_model,
    }


def cmd_voice_build(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _parse_uuid, _with_services

    project_id = _parse_uuid(args.project)
    texts = [_read(f) for f in args.from_file or []]

    async def action(services: Services, user: UserInfo) -> Outcome:
        await services.projects.get(project_id)
        chapter_ids = []
        if args.from_chapters:
            for n in parse_positions(args.from_chapters):
                chapter_ids.append((await services.chapters.chapter_at(project_id, n)).id)
        info = await services.voice.build(
            project_id, chapter_ids=chapter_ids, texts=texts, name=args.name, rescore=False
        )
        job = await services.voice.rescore(project_id)
        done = await services.runner.wait(job, RESCORE_WAIT_S)
        data = {**_profile_data(info), "rescore": done.message or done.status.name}
        r = info.score_range
        text = (
            f"Voice profile built from {info.words:,} words; your own passages score "
            f"{r['mean']:.0%} on average (usually above {r['low']:.0%})."
        )
        return Outcome(data, text, [*("  " + s for s in info.summary), f"Revisions: {done.message or ''}"])

    return _with_services(settings, action)


def cmd_voice_score(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _parse_uuid, _with_services

    project_id = _parse_uuid(args.project)
    text = _read(args.file)

    async def action(services: Services, user: UserInfo) -> Outcome:
        await services.projects.get(project_id)
        result = await services.voice.score_text(project_id, text)
        rng = await services.voice.score_range(project_id) or {}
        data = {"file": args.file, **result, "score_range": rng}
        words = f"{result['words']:,} word{'s' if result['words'] != 1 else ''}"
        if result["score"] is None:  # too short to say anything
            return Outcome(data, f"Voice match — ({words})", ["  " + r for r in result["reasons"]])
        line = f"Voice match {result['score']:.0%} ({words})"
        if rng and result["score"] < rng.get("low", 0):
            line += f": below your usual range (your own passages: {rng['mean']:.0%} on average)"
        return Outcome(data, line, ["  " + r for r in result["reasons"]])

    return _with_services(settings, action)


def cmd_voice_show(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _parse_uuid, _with_services

    project_id = _parse_uuid(args.project)

    async def action(services: Services, user: UserInfo) -> Outcome:
        await services.projects.get(project_id)
        info = await services.voice.profile(project_id)
        if info is None:
            return Outcome({"project_id": str(project_id), "profile": None}, "No voice profile yet.")
        return Outcome(_profile_data(info), f"Voice profile “{info.name}”", ["  " + s for s in info.summary])

    return _with_services(settings, action)


def add_commands(top: Any, common: argparse.ArgumentParser) -> None:
    voice = top.add_parser("voice", help="the author's voice profile and voice-match scores").add_subparsers(
        dest="voice_command", required=True
    )
    p = voice.add_parser("build", parents=[common], help="learn the voice from your own writing")
    p.add_argument("--project", required=True, metavar="ID")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--from-file", nargs="+", metavar="FILE", help="text/Markdown files of your own writing")
    src.add_argument("--from-chapters", metavar="RANGE", help="chapter positions, e.g. 1-5 or 1-3,7")
    p.add_argument("--name", help="a name for the profile (default: Author voice)")
    p.set_defaults(handler=cmd_voice_build)
    p = voice.add_parser("score", parents=[common], help="how close a text is to the voice, and why")
    p.add_argument("--project", required=True, metavar="ID")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(handler=cmd_voice_score)
    p = voice.add_parser("show", parents=[common], help="what the profile learned")
    p.add_argument("--project", required=True, metavar="ID")
    p.set_defaults(handler=cmd_voice_show)
