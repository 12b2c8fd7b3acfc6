"""QA runs as the app runs them: QA_CHECK jobs over a whole novel, full and incremental.

The book: Pride and Prejudice from the corpus (58 chapters, ~122,000 words; a generated
stand-in of the same size when the corpus is absent), each chapter's text saved in the
database. Timed through ``QARunService.run_and_wait`` — reading the chapters, analysing in the
process pool, the book-level combination, re-reading the text versions and reconciling the
findings in one transaction — with the pool already started (the app starts it once):

* ``qa_full_book_run_ms``: every chapter analysed afresh (empty analysis cache);
* ``qa_incremental_chapter_run_ms``: one chapter edited, then a run of that chapter (the
  background run after typing): one chapter re-analysed, the rest from the cache;
* ``qa_incremental_book_run_ms``: one chapter edited, then a run of the whole book (F7).

Medians of 5 (the full run: of 3). No peer: no other writing app reconciles QA findings.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import CORPUS_DIR, Metric, corpus_words
from ghostline_desktop.db import migrate
from ghostline_desktop.db.database import Database
from ghostline_desktop.db.embedded import EmbeddedServer
from ghostline_desktop.services.container import Services
from ghostline_desktop.storage.local import LocalStore

RUNS = 5
FULL_RUNS = 3
FULL_TARGET_MS = 3000.0
INCREMENTAL_TARGET_MS = 300.0


def chapters() -> list[str]:
    book = CORPUS_DIR / "austen-pride-and-prejudice.txt"
    if book.exists():
        raw = book.read_text(encoding="utf-8")
        parts = re.split(r"\n(?:CHAPTER [IVXLC]+\.|Chapter I\.\])\s*\n", raw)[1:]
        return ["\n\n".join(" ".join(p.split()) for p in part.split("\n\n") if p.strip()) for part in parts]
    words = corpus_words()[:122_000]
    return [" ".join(words[i : i + 2100]) for i in range(0, len(words), 2100)]


async def _measure(url: str, store_dir: Path) -> dict[str, float]:
    services = Services.build(Database(url), LocalStore(store_dir))
    try:
        user = await services.accounts.ensure_local_user()
        project = await services.projects.create(user.id, "QA bench")
        ids = [
            (await services.chapters.create(project.id, f"Chapter {i + 1}", content=text)).id
            for i, text in enumerate(chapters())
        ]
        qa = services.qa_runs
        await qa.run_and_wait(project.id)  # starts the pool workers, warms imports and plans

        async def timed(fn: Any, runs: int) -> float:
            samples = []
            for i in range(runs):
                await fn(i, prepare=True)
                t0 = time.perf_counter()
                await fn(i, prepare=False)
                samples.append((time.perf_counter() - t0) * 1000)
            return sorted(samples)[len(samples) // 2]

        async def edit(i: int) -> None:
            chapter_id = ids[(i * 7 + 20) % len(ids)]
            cur = await services.chapters.get(chapter_id)
            await services.chapters.autosave(chapter_id, cur.content + f" An edit, number {i}.", base=cur.base)

        async def full(i: int, *, prepare: bool) -> None:
            if prepare:
                qa._cache.clear()
            else:
                await qa.run_and_wait(project.id)

        async def chapter_run(i: int, *, prepare: bool) -> None:
            if prepare:
                await edit(i)
            else:
                out = await qa.run_and_wait(project.id, chapter_id=ids[(i * 7 + 20) % len(ids)], background=True)
                if out is not None and i == 0:
                    print(f"  chapter run: {out.seconds * 1000:.0f} ms in the job; steps {out.phases}")

        async def book_run(i: int, *, prepare: bool) -> None:
            if prepare:
                await edit(i + 100)
            else:
                await qa.run_and_wait(project.id)

        return {
            "full": await timed(full, FULL_RUNS),
            "chapter": await timed(chapter_run, RUNS),
            "book": await timed(book_run, RUNS),
            "words": float((await services.projects.get(project.id)).word_count),
            "chapters": float(len(ids)),
        }
    finally:
        await services.close()


def run() -> list[Metric]:
    root = Path(tempfile.mkdtemp(prefix="ghostline-bench-qa-"))
    server = EmbeddedServer(root / "data")
    try:
        url = server.start()
        migrate.upgrade(url)
        got = asyncio.run(_measure(url, root / "files"))
    finally:
        server.stop(force=True)
        shutil.rmtree(root, ignore_errors=True)
    print(f"  book: {int(got['chapters'])} chapters, {int(got['words']):,} words")
    return [
        Metric("qa_full_book_run_ms", got["full"], target=FULL_TARGET_MS),
        Metric("qa_incremental_chapter_run_ms", got["chapter"], target=INCREMENTAL_TARGET_MS),
        Metric("qa_incremental_book_run_ms", got["book"], target=INCREMENTAL_TARGET_MS),
    ]
