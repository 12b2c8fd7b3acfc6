"""Hybrid search over the five corpus books, imported through the real pipeline with the local
embedder: key words find their passage in the top 3, hand-written paraphrases in the top 10."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import SearchHit, UserInfo
from tests.support.relevance_cases import CASES, RelevanceCase, is_hit

Run = Callable[[Coroutine[Any, Any, Any]], Any]
# The module fixture embeds five whole books with the local model (minutes on two cores).
pytestmark = pytest.mark.timeout(1800)


@pytest.fixture(scope="module")
def library(services: Services, user: UserInfo, run: Run, service_loop: Any,
            ) -> tuple[uuid.UUID, dict[str, tuple[uuid.UUID, str]]]:
    from tests.conftest import CORPUS_DIR

    if not CORPUS_DIR.exists():
        pytest.skip("shared/corpus is only beside the clone on development machines and CI")
    project = run(services.projects.create(user.id, "Five books"))
    books = sorted(CORPUS_DIR.glob("*.txt"))

    async def go() -> dict[str, tuple[uuid.UUID, str]]:
        batch = await services.ingestion.import_paths(project.id, books)
        assert not batch.refused
        while active := services.runner.jobs(project.id):  # imports, then the embedding job
            for job in active:
                done = await services.jobs.wait(job.id, 1200)
                assert done.error is None, done.error
        out = {}
        for src in batch.accepted:
            out[src.original_filename or ""] = (src.id, await services.sources.get_text(src.id))
        return out

    # Embedding five books (~740k tokens) with the local model takes minutes on two cores.
    return project.id, service_loop.run(go(), timeout=1800)


def rank_of(case: RelevanceCase, hits: list[SearchHit], source_id: uuid.UUID, text: str) -> int | None:
    for i, h in enumerate(hits, 1):
        if (
            h.source_id == source_id
            and h.char_start is not None
            and h.char_end is not None
            and is_hit(case, text, h.char_start, h.char_end)
        ):
            return i
    return None


def test_keywords_find_their_passage_in_the_top_3(services: Services, run: Run, library: Any) -> None:
    """Measured: 44 of 46 in the top 3, all 46 in the top 10 (the two others are ranked 4th and
    5th: their words recur in neighbouring chunks). The bar leaves room for HNSW's order."""
    project_id, sources = library
    ranks = []
    for case in CASES:
        source_id, text = sources[case.book]
        hits = run(services.search.search(project_id, case.keywords, limit=10))
        ranks.append((case.keywords, rank_of(case, hits, source_id, text)))
    top3 = [q for q, r in ranks if r is not None and r <= 3]
    assert len(top3) >= 0.9 * len(CASES), [(q, r) for q, r in ranks if q not in top3]
    assert sum(1 for _, r in ranks if r is not None) >= 0.95 * len(CASES)


def test_paraphrases_find_their_passage_in_the_top_10(services: Services, run: Run, library: Any) -> None:
    """Hand-written paraphrases (they avoid the passage's words): measured 29 of 46 in the top
    10 with the local MiniLM embedder over ~1,000-token chunks. The bar guards that level; the
    issue's aim (every paraphrase) is not reached by a 22M-parameter model, see the README."""
    project_id, sources = library
    found = []
    for case in CASES:
        source_id, text = sources[case.book]
        hits = run(services.search.search(project_id, case.paraphrase, limit=10))
        if rank_of(case, hits, source_id, text) is not None:
            found.append(case.paraphrase)
    assert len(found) >= 0.55 * len(CASES), f"{len(found)} of {len(CASES)} paraphrases in the top 10"


def test_results_carry_source_position_and_a_highlighted_snippet(services: Services, run: Run,
                                                                 library: Any) -> None:
    project_id, _ = library
    hits = run(services.search.search(project_id, "Queequeg harpoon", limit=5))
    assert hits and hits[0].source_title == "melville-moby-dick"
    assert "<b>" in hits[0].snippet_html and "<script" not in hits[0].snippet_html
    assert hits[0].char_start is not None and hits[0].char_end is not None
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert run(services.search.search(project_id, "   ")) == []
    # Another project sees nothing of this one.
    other = run(services.projects.create(run(services.accounts.ensure_local_user()).id, "Empty"))
    assert run(services.search.search(other.id, "Queequeg harpoon")) == []


def test_snippet_escapes_markup(services: Services, run: Run, library: Any, tmp_path: Path) -> None:
    project_id, _ = library
    page = tmp_path / "markup.html"
    page.write_text("<html><body><p>The zebrafish &lt;script&gt;alert(1)&lt;/script&gt; swims.</p>"
                    "<script>alert(2)</script></body></html>", encoding="utf-8")

    async def go() -> list[SearchHit]:
        batch = await services.ingestion.import_paths(project_id, [page])
        while active := services.runner.jobs(project_id):
            for job in active:
                await services.jobs.wait(job.id, 120)
        assert batch.accepted
        return await services.search.search(project_id, "zebrafish", limit=3)

    hits = run(go())
    assert hits and hits[0].source_title == "markup"
    assert "alert(2)" not in hits[0].text  # scripts are not text
    # The page's escaped "<script>" is text (kept in the passage), but never markup in the snippet.
    assert "<script>alert(1)</script>" in hits[0].text
    assert "<script" not in hits[0].snippet_html and "<b>zebrafish</b>" in hits[0].snippet_html
