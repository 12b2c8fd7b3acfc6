"""Import an existing manuscript (DOCX, EPUB, Markdown, plain text) as a new project.

Two steps, so the author sees the split before anything is written:

1. :meth:`ManuscriptImportService.preview` reads the file in a worker process (DOCX and
   EPUB parsing is CPU-bound and holds the GIL) and finds the chapters: plain text and
   Markdown with ``core.manuscript_split``; DOCX by its heading styles and EPUB by its
   spine chapters, as ``ingest.extract`` reports them (sections) — falling back to the
   text splitter when a Word file has no heading styles (many authors type "Chapter 1"
   in bold). The result is a :class:`ManuscriptPreview`; its edit methods (merge, split,
   rename, include, exclude) return new previews and write nothing.
2. :meth:`ManuscriptImportService.accept` writes the project in one transaction: an
   outline built from the chapters as version 1 (approved), and each chapter with its
   text as revision 1 (origin IMPORT). A failure leaves no half-imported project.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ghostline_desktop.core import manuscript_split as ms
from ghostline_desktop.core import outline_tree
from ghostline_desktop.core.words import count_words
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.models import (
    BookOutline,
    Chapter,
    ChapterRevision,
    ChapterStatus,
    OutlineStatus,
    Project,
    ProjectStatus,
    RevisionSource,
)
from ghostline_desktop.errors import NotFoundError, ValidationError
from ghostline_desktop.ingest import Extraction, ExtractionError, extract, sniff_material
from ghostline_desktop.ingest.files import file_size
from ghostline_desktop.ingest.text import extract_text
from ghostline_desktop.runtime.cpu import CpuPool
from ghostline_desktop.services.chapters import ChapterService
from ghostline_desktop.services.dto import ManuscriptImported
from ghostline_desktop.services.events import ChaptersChanged, EventBus, OutlineChanged, ProjectsChanged
from ghostline_desktop.services.outline import OutlineService
from ghostline_desktop.services.projects import ProjectService, parse_genre
from ghostline_desktop.services.validation import clean_title

FORMATS = ("DOCX", "EPUB", "MARKDOWN", "TEXT")
_MATTER_RE = re.compile(
    r"^(?:contents|table of contents|preface|foreword|introduction|dedication|acknowledge?ments|copyright"
    r"|title page|half title|about the author|about this book|also by\b.*|etymology|extracts|epigraph|glossary"
    r"|notes|footnotes|endnotes|index|bibliography|appendix\b.*|afterword|colophon|cover|imprint"
    r"|list of illustrations|(?:original )?transcriber[’']?s notes?)\W*$",
    re.I,
)
_LICENCE_RE = re.compile(r"project gutenberg|licen[cs]e", re.I)
_PART_RE = re.compile(r"^(?:part|book|volume)\s+\S+", re.I)
_NUMBER_ONLY_RE = re.compile(r"^(?:chapter\s+\S+|\d+|[ivxlcdm]+)\.?$", re.I)


# -- the preview --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManuscriptPreview:
    """The split of a manuscript as the preview dialog shows it; nothing is written yet."""

    filename: str
    format: str  # MaterialType name: DOCX, EPUB, MARKDOWN or TEXT
    title: str  # suggested project title (the file's metadata, else its name)
    split: ms.ManuscriptSplit

    @property
    def chapters(self) -> tuple[ms.Chapter, ...]:
        return self.split.chapters

    @property
    def left_out(self) -> tuple[ms.LeftOut, ...]:
        return self.split.left_out

    def chapter_words(self) -> list[int]:
        return [count_words(c.text) for c in self.split.chapters]

    def _edit(self, fn: Any, *args: Any) -> ManuscriptPreview:
        try:
            return replace(self, split=fn(self.split, *args))
        except ms.SplitEditError as exc:
            raise ValidationError(str(exc)) from exc

    def merged(self, index: int) -> ManuscriptPreview:
        """Chapter ``index`` (0-based) and the next become one."""
        return self._edit(ms.merge, index)

    def split_at(self, index: int, offset: int, title: str | None = None) -> ManuscriptPreview:
        return self._edit(ms.split_chapter, index, offset, title)

    def renamed(self, index: int, title: str) -> ManuscriptPreview:
        return self._edit(ms.rename, index, title)

    def included(self, left_out_index: int) -> ManuscriptPreview:
        """A left-out piece (a preface…) becomes a chapter."""
        return self._edit(ms.include, left_out_index)

    def excluded(self, index: int) -> ManuscriptPreview:
        return self._edit(ms.exclude, index)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _drop_heading(title: str, text: str) -> str:
    """Extractors keep a heading as the first paragraph of its section; the chapter's
    title holds it now."""
    first, _, rest = text.strip().partition("\n\n")
    return rest.strip() if _norm(first) == _norm(title) else text.strip()


def _sections(extraction: Extraction) -> list[tuple[str | None, str, int]]:
    """(section title, text, offset in ``extraction.text``) with consecutive segments of one
    section joined, as ``Extraction.text`` joins them."""
    out: list[tuple[str | None, str, int]] = []
    pos = 0
    for seg in extraction.segments:
        if out and out[-1][0] == seg.section:
            title, text, start = out[-1]
            out[-1] = (title, f"{text}\n\n{seg.text}", start)
        else:
            out.append((seg.section, seg.text, pos))
        pos += len(seg.text) + 2
    return out


def split_sections(extraction: Extraction, fallback_title: str) -> ms.ManuscriptSplit:
    """Chapters from a DOCX's headings or an EPUB's spine chapters (see the module docstring)."""
    chapters: list[ms.Chapter] = []
    left: list[ms.LeftOut] = []
    part: str | None = None
    pending: str | None = None  # "Chapter 1" whose title goes on in the next heading
    for title, text, start in _sections(extraction):
        body = _drop_heading(title, text) if title else text.strip()
        if title is None:
            if body:
                left.append(ms.LeftOut(ms.LeftOutKind.FRONT_MATTER, "Before the first heading", body, start))
            continue
        kind = ms.LeftOutKind.BACK_MATTER if chapters else ms.LeftOutKind.FRONT_MATTER
        if _LICENCE_RE.search(title) or (body and _LICENCE_RE.search(body[:300]) and "gutenberg" in body[:300].lower()):
            left.append(ms.LeftOut(ms.LeftOutKind.LICENCE, title, body, start))
        elif _MATTER_RE.match(title.strip()):
            left.append(ms.LeftOut(kind, title, body, start))
        elif not body:
            if _PART_RE.match(title):
                part, pending = title, None
            elif _NUMBER_ONLY_RE.match(title) and len(title) <= 20:
                pending = title
            else:
                left.append(ms.LeftOut(kind, title, "", start))  # a book title, an empty heading
        else:
            full = f"{pending}: {title}" if pending else title
            chapters.append(ms.Chapter(full, body, start, start, title, part))
            pending = None
    if len(chapters) < 2:
        return ms.split_manuscript(extraction.text, fallback_title)
    left.sort(key=lambda x: x.start)
    return ms.ManuscriptSplit(tuple(chapters), tuple(x for x in left if x.text or x.title), "headings")


def read_manuscript(path: str, filename: str | None = None) -> ManuscriptPreview:
    """Sniff, extract and split a manuscript. Top-level and picklable: runs in the process
    pool. Raises ``ExtractionError`` with an author-readable reason."""
    name = filename or Path(path).name
    kind = sniff_material(path, name).name
    stem = Path(name).stem.replace("_", " ").replace("-", " ").strip() or "Imported manuscript"
    if kind in ("TEXT", "MARKDOWN"):
        # The whole file as text (Markdown's headings are the splitter's job), hard wrapping
        # undone so chapters read as paragraphs, not ragged ~70-column lines.
        file_size(path)  # a zero-byte file fails as it does for every other type
        extraction = extract_text(path, markdown=kind == "MARKDOWN")
        split = ms.split_manuscript(extraction.text, stem)
    elif kind in ("DOCX", "EPUB"):
        extraction = extract(path, kind)
        split = split_sections(extraction, stem)
    else:
        raise ExtractionError(
            f"is a {kind.lower()} file; import a manuscript saved as DOCX, EPUB, Markdown or plain text", "unsupported"
        )
    if not split.chapters:
        raise ExtractionError("holds no text to make chapters from", "no_text")
    title = str(extraction.metadata.get("title") or "").strip() or stem
    return ManuscriptPreview(name, kind, " ".join(title.split())[: outline_tree.MAX_TITLE], split)


# -- the service ---------------------------------------------------------------------------------------------


def _chapter_title(title: str, number: int) -> str:
    clean = " ".join(title.split())[: outline_tree.MAX_TITLE]
    return clean or f"Chapter {number}"


def _structure(preview: ManuscriptPreview, book_title: str) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    for number, ch in enumerate(preview.chapters, start=1):
        part_title = ch.part or book_title
        if not parts or parts[-1]["title"] != part_title:
            parts.append({"title": part_title, "chapters": []})
        parts[-1]["chapters"].append({"title": _chapter_title(ch.title, number), "scenes": []})
    return outline_tree.validate({"parts": parts})


class ManuscriptImportService:
    def __init__(
        self,
        db: Database,
        bus: EventBus,
        projects: ProjectService,
        chapters: ChapterService,
        outline: OutlineService,
        cpu: CpuPool | None = None,
    ) -> None:
        self.db = db
        self.bus = bus
        self.projects = projects
        self.chapters = chapters
        self.outline = outline
        self.cpu = cpu

    async def preview(self, path: Path, filename: str | None = None) -> ManuscriptPreview:
        """Read and split the file (in the process pool when there is one)."""
        name = filename or Path(path).name
        if not Path(path).is_file():
            raise ValidationError(f"“{name}” does not exist or is not a file.")
        try:
            if self.cpu is not None:
                preview: ManuscriptPreview = await self.cpu.run(read_manuscript, str(path), name)
            else:
                preview = await asyncio.to_thread(read_manuscript, str(path), name)
        except ExtractionError as exc:
            raise ValidationError(exc.for_file(name)) from exc
        return preview

    async def accept(
        self,
        preview: ManuscriptPreview,
        owner_id: uuid.UUID,
        *,
        title: str | None = None,
        genre: str | None = None,
        target_word_count: int | None = None,
    ) -> ManuscriptImported:
        """Write the previewed manuscript as a new project (one transaction)."""
        book_title = clean_title(title or preview.title, "project")
        if not preview.chapters:
            raise ValidationError("The manuscript has no chapters left to import; include at least one.")
        if target_word_count is not None and target_word_count <= 0:
            raise ValidationError("The target word count must be a positive number.")
        structure = _structure(preview, book_title)
        texts = [c.text.replace("\x00", "") for c in preview.chapters]
        words = await asyncio.to_thread(lambda: [count_words(t) for t in texts])
        note = f"Imported from {preview.filename}"[:2000]
        async with self.db.session() as s:
            project = Project(
                owner_id=owner_id,
                title=book_title,
                genre=parse_genre(genre),
                status=ProjectStatus.EDITING,
                target_word_count=target_word_count,
                settings={"imported_from": preview.filename},
            )
            s.add(project)
            await s.flush()
            outline = BookOutline(
                project_id=project.id, title=book_title, structure={}, status=OutlineStatus.APPROVED, version=1
            )
            s.add(outline)
            await s.flush()
            nodes = [
                (p_i, c_i, node) for p_i, p in enumerate(structure["parts"]) for c_i, node in enumerate(p["chapters"])
            ]
            for k, ((p_i, c_i, node), text, n) in enumerate(zip(nodes, texts, words, strict=True)):
                ch = Chapter(
                    id=uuid.uuid4(),
                    project_id=project.id,
                    book_outline_id=outline.id,
                    title=node["title"],
                    order=k + 1,
                    status=ChapterStatus.DRAFT,
                    outline_position={"part": p_i, "chapter": c_i},
                    word_count=n,
                    text_version=1,
                )
                node["chapter_id"] = str(ch.id)
                s.add(ch)
                s.add(
                    ChapterRevision(
                        chapter_id=ch.id,
                        project_id=project.id,
                        revision_number=1,
                        content=text,
                        word_count=n,
                        source=RevisionSource.IMPORT,
                        created_by_id=owner_id,
                        sealed=True,
                        note=note,
                        words_added=n,
                        words_removed=0,
                    )
                )
            outline.structure = structure
            project_id = project.id
        self.bus.publish(ProjectsChanged(project_id, "created"))
        self.bus.publish(OutlineChanged(project_id))
        self.bus.publish(ChaptersChanged(project_id, None, "created"))
        outline_info = await self.outline.current(project_id)
        if outline_info is None:  # deleted in the instant since it was written
            raise NotFoundError("That project no longer exists.")
        return ManuscriptImported(
            await self.projects.get(project_id), outline_info, await self.chapters.list_chapters(project_id)
        )

    async def import_file(
        self,
        path: Path,
        owner_id: uuid.UUID,
        *,
        title: str | None = None,
        genre: str | None = None,
        target_word_count: int | None = None,
    ) -> ManuscriptImported:
        """Preview and accept as found (the CLI; the app shows the preview first)."""
        preview = await self.preview(path)
        return await self.accept(preview, owner_id, title=title, genre=genre, target_word_count=target_word_count)
