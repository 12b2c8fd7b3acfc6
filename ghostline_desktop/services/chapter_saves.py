"""How a chapter's text is written: the working text and sealed revisions.

The save model (issue 7), like a database keeps a commit:

- The newest ``chapter_revisions`` row of a chapter may be **unsealed**: the *working
  text*. Autosaves update it in place, so a day of typing leaves one row, not hundreds.
  A partial unique index (migration 0003) allows one working row per chapter, and it is
  always the newest row, so revision numbers stay consecutive.
- A **checkpoint** seals it: Save Revision (with an optional note), the first save after
  a pause (the editor session passes ``checkpoint=True``), an AI draft or revision, an
  import, a restore. A sealed row is history and is never changed again (only its
  ``note`` when it had none, and ``user_feedback``).
- An AI draft, a restore or an import never overwrites the author's working text: the
  working row is sealed as it is first (as the author's revision), then the new text
  becomes the next revision.
- A working row older than the pause is sealed as it is before an autosave changes it,
  so a client that does not track pauses (a second window, a script) still leaves one
  revision per writing session.
- ``chapters.text_version`` changes with every change of the text; the conflict check
  compares it, since an in-place update keeps the revision number.

This module holds the transaction body; ``services/chapters.py`` locks the chapter row,
checks for conflicts and publishes events around it.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ghostline_desktop.core.diff import diff_texts
from ghostline_desktop.core.words import count_words
from ghostline_desktop.db.models import Chapter, ChapterRevision, ChapterStatus, RevisionSource
from ghostline_desktop.services.dto import RevisionInfo, RevisionText

#: Texts longer than this (both sides together) are diffed in a worker thread.
THREAD_DIFF_CHARS = 20_000
MAX_NOTE = 2_000


@dataclass(frozen=True)
class TextWrite:
    """One save's inputs (already validated)."""

    content: str
    words: int
    source: RevisionSource = RevisionSource.MANUAL
    checkpoint: bool = False
    note: str | None = None
    user_id: uuid.UUID | None = None
    token_cost: int = 0
    similarity_score: float | None = None
    generation_task_id: uuid.UUID | None = None
    seal_working_first: bool = False  # a conflict resolution: their working text stays in the history


@dataclass
class WriteOutcome:
    row: ChapterRevision | None  # the row that now holds the chapter's text (None: no text yet)
    changed: bool  # the stored text changed
    revision_made: bool  # a row was sealed by this save (its own or the author's working text)


def change_size(before: str, after: str) -> tuple[int, int]:
    """Words added and removed from ``before`` to ``after`` (core.diff's summary)."""
    if before == after:
        return 0, 0
    if not before.strip():
        return count_words(after), 0
    summary = diff_texts(before, after).summary
    return summary.words_added, summary.words_removed


async def change_size_async(before: str, after: str) -> tuple[int, int]:
    """:func:`change_size`, off the service loop for long texts."""
    if len(before) + len(after) > THREAD_DIFF_CHARS:
        return await asyncio.to_thread(change_size, before, after)
    return change_size(before, after)


def clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    note = note.strip()
    return note[:MAX_NOTE] or None


async def latest_rows(s: AsyncSession, chapter_id: uuid.UUID) -> tuple[ChapterRevision | None, ChapterRevision | None]:
    """(working row or None, newest sealed row or None)."""
    rows = list(
        (
            await s.execute(
                select(ChapterRevision)
                .where(ChapterRevision.chapter_id == chapter_id)
                .order_by(ChapterRevision.revision_number.desc())
                .limit(2)
            )
        ).scalars()
    )
    if not rows:
        return None, None
    if rows[0].sealed:
        return None, rows[0]
    return rows[0], rows[1] if len(rows) > 1 else None


async def _seal(
    s: AsyncSession, row: ChapterRevision, previous: ChapterRevision | None, now: datetime, note: str | None
) -> None:
    added, removed = await change_size_async(previous.content if previous else "", row.content)
    row.sealed = True
    row.updated_at = now
    row.words_added, row.words_removed = added, removed
    if note is not None:
        row.note = note
    await s.flush()  # the partial unique index must see it sealed before a new working row exists


async def write_text(s: AsyncSession, ch: Chapter, w: TextWrite, *, pause: timedelta) -> WriteOutcome:
    """Apply one save to a chapter whose row the caller holds locked (see the module docstring)."""
    working, sealed = await latest_rows(s, ch.id)
    now: datetime = (await s.execute(select(func.now()))).scalar_one()
    checkpoint = w.checkpoint or w.source is not RevisionSource.MANUAL
    made = False

    if working is not None and (
        w.seal_working_first
        or (checkpoint and w.source is not RevisionSource.MANUAL)
        or (not checkpoint and now - working.updated_at > pause and working.content != w.content)
    ):
        # Keep the author's working text as it is before anything else replaces it.
        await _seal(s, working, sealed, now, None)
        working, sealed, made = None, working, True

    if working is not None:
        changed = working.content != w.content
        if changed:
            working.content, working.word_count, working.updated_at = w.content, w.words, now
            working.created_by_id = w.user_id or working.created_by_id
        if checkpoint:
            await _seal(s, working, sealed, now, w.note)
            made = True
        row: ChapterRevision | None = working
    else:
        changed = w.content != (sealed.content if sealed else "")
        row = sealed
        if not changed:
            if checkpoint and w.note and sealed is not None and not sealed.note:
                sealed.note = w.note  # Save Revision of unchanged text: annotate, never duplicate
        else:
            row = ChapterRevision(
                chapter_id=ch.id,
                project_id=ch.project_id,
                revision_number=(sealed.revision_number if sealed else 0) + 1,
                content=w.content,
                word_count=w.words,
                source=w.source,
                token_cost=w.token_cost,
                similarity_score=w.similarity_score,
                generation_task_id=w.generation_task_id,
                created_by_id=w.user_id,
                sealed=checkpoint,
                note=w.note if checkpoint else None,
                updated_at=now,
            )
            if checkpoint:
                row.words_added, row.words_removed = await change_size_async(
                    sealed.content if sealed else "", w.content
                )
                made = True
            s.add(row)
    if changed:
        ch.text_version = (ch.text_version or 0) + 1
        ch.word_count = w.words
        ch.updated_at = now
        if ch.status is ChapterStatus.PLANNED:
            ch.status = ChapterStatus.DRAFT
    await s.flush()
    return WriteOutcome(row, changed, made)


# -- the history as the revision list shows it ------------------------------------------------------------------


def revision_info(r: ChapterRevision, size: tuple[int | None, int | None] | None = None) -> RevisionInfo:
    added, removed = size if size is not None else (r.words_added, r.words_removed)
    return RevisionInfo(
        id=r.id,
        revision_number=r.revision_number,
        word_count=r.word_count,
        source=r.source.name,
        similarity_score=r.similarity_score,
        token_cost=r.token_cost,
        created_at=r.created_at,
        note=r.note,
        sealed=r.sealed,
        saved_at=r.updated_at,
        words_added=added,
        words_removed=removed,
        user_feedback=r.user_feedback,
        incomplete=bool(r.incomplete),
    )


def revision_text(r: ChapterRevision) -> RevisionText:
    return RevisionText(
        id=r.id,
        chapter_id=r.chapter_id,
        revision_number=r.revision_number,
        word_count=r.word_count,
        source=r.source.name,
        content=r.content,
        created_at=r.created_at,
        note=r.note,
        sealed=r.sealed,
    )


def _sizes(pairs: list[tuple[int, str, str]]) -> dict[int, tuple[int, int]]:
    return {number: change_size(before, after) for number, before, after in pairs}


async def revision_infos(s: AsyncSession, chapter_id: uuid.UUID, rows: list[ChapterRevision]) -> list[RevisionInfo]:
    """``rows`` (loaded without their text) as list entries. A sealed row's change size was
    stored when it was sealed; the working row's (and a pre-0003 row's) is computed here
    against the row before it, in a worker thread when the texts are long."""
    missing = [r.revision_number for r in rows if r.words_added is None]
    wanted = set(missing) | {n - 1 for n in missing}
    texts: dict[int, str] = {}
    if wanted:
        result = await s.execute(
            select(ChapterRevision.revision_number, ChapterRevision.content).where(
                ChapterRevision.chapter_id == chapter_id, ChapterRevision.revision_number.in_(wanted)
            )
        )
        texts = {number: content for number, content in result}
    pairs = [(n, texts.get(n - 1, ""), texts.get(n, "")) for n in missing]
    if sum(len(a) + len(b) for _, a, b in pairs) > THREAD_DIFF_CHARS:
        sizes = await asyncio.to_thread(_sizes, pairs)
    else:
        sizes = _sizes(pairs)
    return [revision_info(r, sizes.get(r.revision_number)) for r in rows]
