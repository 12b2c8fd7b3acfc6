"""The demo project: a small, complete book that shows every panel with real content.

Everything comes from ``resources/demo/`` (``demo.json`` plus the text files it names),
so the material can be changed without touching code. The project is built through
the same services the app uses, so it exercises them the way an author would.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ghostline_desktop.db.models import ProjectStatus
from ghostline_desktop.errors import ValidationError
from ghostline_desktop.resources import resource_path
from ghostline_desktop.services.chapters import ChapterService
from ghostline_desktop.services.dto import ProjectSummary
from ghostline_desktop.services.library import SourceService
from ghostline_desktop.services.notifications import NotificationService
from ghostline_desktop.services.outline import OutlineService
from ghostline_desktop.services.projects import ProjectService
from ghostline_desktop.services.qa import QAService

log = logging.getLogger(__name__)


def demo_dir() -> Path:
    return resource_path("demo")


def load_spec(directory: Path | None = None) -> dict[str, Any]:
    """Read ``demo.json``; a missing or broken file is a readable error, not a traceback."""
    path = (directory or demo_dir()) / "demo.json"
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(f"The demo project's material could not be read ({path}): {exc}") from exc
    if not isinstance(spec, dict):
        raise ValidationError(f"The demo description {path} is not a JSON object.")
    return spec


def draft_of(final: str, rules: dict[str, Any]) -> str:
    """An earlier draft derived from the final text: its first ``paragraphs`` paragraphs
    with each ``[final, draft]`` phrase of ``replace`` swapped back to the plainer wording."""
    paragraphs = [p for p in final.strip().split("\n\n") if p.strip()]
    keep = int(rules.get("paragraphs") or len(paragraphs))
    text = "\n\n".join(paragraphs[:keep])
    for new, old in rules.get("replace", []):
        text = text.replace(new, old)
    return text + "\n"


@dataclass
class DemoService:
    projects: ProjectService
    outline: OutlineService
    chapters: ChapterService
    sources: SourceService
    qa: QAService
    notifications: NotificationService
    directory: Path | None = None  # tests may point this at other material

    async def create_demo_project(self, owner_id: uuid.UUID) -> ProjectSummary:
        """Build the demo book for ``owner_id``. Each call makes a new, independent
        project; if building fails halfway, the partial project is removed again."""
        directory = self.directory or demo_dir()
        spec = load_spec(directory)
        meta = spec.get("project", {})
        project = await self.projects.create(
            owner_id,
            meta.get("title", "The Demo Book"),
            genre=meta.get("genre"),
            target_word_count=meta.get("target_word_count"),
            description=meta.get("description"),
        )
        try:
            await self._fill(project.id, owner_id, spec, directory)
        except Exception:
            log.exception("Building the demo project failed; removing the partial project")
            try:
                await self.projects.delete(project.id)
            except Exception:  # keep the original error; this one is only logged
                log.exception("Could not remove the partial demo project %s", project.id)
            raise
        status = ProjectStatus[meta.get("status", "WRITING")]
        return await self.projects.update(project.id, status=status)

    async def _fill(self, project_id: uuid.UUID, owner_id: uuid.UUID, spec: dict[str, Any], directory: Path) -> None:
        def read(name: str) -> str:
            try:
                return (directory / name).read_text(encoding="utf-8")
            except OSError as exc:
                raise ValidationError(f"Demo material '{name}' is missing: {exc}") from exc

        outline_spec = spec.get("outline")
        if outline_spec:
            outline = await self.outline.save(project_id, outline_spec["structure"], title=outline_spec.get("title"))
            if outline_spec.get("status", "DRAFT") != "DRAFT":
                await self.outline.set_status(outline.id, outline_spec["status"])

        chapter_ids: list[uuid.UUID] = []
        for ch in spec.get("chapters", []):
            final = read(ch["file"])
            created = await self.chapters.create(
                project_id,
                ch["title"],
                content=draft_of(final, ch.get("draft", {})),
                outline_position=ch.get("outline_position"),
                user_id=owner_id,
            )
            await self.chapters.save_text(created.id, final, user_id=owner_id, expected_revision=1)
            if ch.get("status"):
                await self.chapters.set_status(created.id, ch["status"])
            chapter_ids.append(created.id)

        for src in spec.get("sources", []):
            await self.sources.add_text(
                project_id,
                src["title"],
                read(src["file"]),
                material_type=src.get("material_type", "NOTE"),
                original_filename=src.get("original_filename"),
                metadata={"demo": True},
            )

        chapter_words = sum(c.word_count for c in await self.chapters.list_chapters(project_id))
        target = spec.get("project", {}).get("target_word_count") or 0
        for f in spec.get("findings", []):
            number = f.get("chapter")
            description = f.get("description")
            if description:
                description = description.replace("{chapter_words}", f"{chapter_words:,}").replace(
                    "{target_word_count}", f"{target:,}"
                )
            finding = await self.qa.add_finding(
                project_id,
                finding_type=f["finding_type"],
                severity=f["severity"],
                title=f["title"],
                chapter_id=chapter_ids[number - 1] if number else None,
                is_blocking=bool(f.get("is_blocking", False)),
                description=description,
                excerpt=f.get("excerpt"),
                suggestion=f.get("suggestion"),
                rule="demo",
            )
            if f.get("status", "OPEN") != "OPEN":
                await self.qa.set_status(finding.id, f["status"], note=f.get("note"), user_id=owner_id)

        note = spec.get("notification")
        if note:
            await self.notifications.notify(
                owner_id,
                note.get("notification_type", "SYSTEM"),
                note["title"],
                message=note.get("message"),
                project_id=project_id,
            )
