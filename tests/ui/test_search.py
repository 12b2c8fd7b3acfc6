"""The library's search box over real imports and the real hybrid search: results with source, page or
section and a highlighted snippet, the active embedder named, and a result opening the source viewer at
its passage with exactly that passage highlighted (also after a character Qt counts twice)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import ProjectSummary, UserInfo
from ghostline_desktop.ui.dialogs.source_viewer import qt_position
from ghostline_desktop.ui.main_window import MainWindow
from ghostline_desktop.ui.panels.source_rows import HTML_ROLE
from ghostline_desktop.ui.panels.sources import SourcesPanel
from tests.support.files import write_pdf
from tests.ui.conftest import DialogRecorder, open_and_wait

READY_MS = 90_000
PASSAGE = "The cartographer Quillon mapped the drowned orchards of Velmar by lantern light."
TOPICS = ["harbour", "granary", "quarry", "vineyard", "chapel", "market", "mill", "forge", "school", "bridge"]


def long_text() -> str:
    """About 5,000 words in paragraphs (several chunks), an emoji up front (two UTF-16 units in Qt),
    and one distinctive passage in the middle."""
    paras = ["🌊 Notes gathered over one long winter in the valley."]
    for i in range(120):
        topic = TOPICS[i % len(TOPICS)]
        paras.append(
            f"Entry {i}: the {topic} keeper wrote about rain, wages and the price of bread. "
            f"Nobody in the {topic} expected the river to rise so quickly that year, and the "
            f"neighbours argued for weeks about who should mend the road to the {topic}."
        )
        if i == 70:
            paras.append(PASSAGE)
    return "\n\n".join(paras)


@pytest.fixture(scope="module")
def library(services: Services, user: UserInfo, run: Callable[[Any], Any], tmp_path_factory: Any) -> ProjectSummary:
    """A project with a long text file and a two-page PDF, imported and indexed."""
    project = run(services.projects.create(user.id, "Searchable"))
    folder: Path = tmp_path_factory.mktemp("search")
    (folder / "Valley notes.txt").write_text(long_text(), encoding="utf-8")
    write_pdf(folder / "Letters.pdf", ["Dear Ada, the mill wheel stopped.", "The granary caught fire at dawn."])

    async def go() -> None:
        batch = await services.ingestion.import_paths(project.id, [folder])
        assert not batch.refused and len(batch.accepted) == 2
        for src in batch.accepted:
            assert src.job_id is not None
            await services.jobs.wait(src.job_id, 120)
        for job in await services.jobs.list_jobs(project.id):  # the passages' vectors (an embedding job)
            await services.jobs.wait(job.id, 120)

    run(go())
    assert {s.processing_status for s in run(services.sources.list_sources(project.id))} == {"READY"}
    return project


def search(panel: SourcesPanel, qtbot: QtBot, text: str) -> None:
    panel.search.setText(text)
    qtbot.waitUntil(lambda: panel.searched == " ".join(text.split()), timeout=READY_MS)


def test_search_shows_highlighted_results_and_opens_the_passage(
    window: MainWindow,
    dialogs: DialogRecorder,
    library: ProjectSummary,
    qtbot: QtBot,
    services: Services,
    run: Callable[[Any], Any],
) -> None:
    open_and_wait(window, library.id, qtbot)
    panel = window.sources
    search(panel, qtbot, "Quillon drowned orchards")
    assert panel.stack.currentWidget() is panel.results and panel.results.count() > 0
    assert panel.embedder_label.isVisible()
    assert panel.embedder_label.text().startswith(services.search.embedder_label())
    top = panel.hits[0]
    assert top.source_title == "Valley notes" and PASSAGE in top.text
    assert top.char_start is not None and top.char_end is not None and top.char_start > 0
    item = panel.results.item(0)
    assert item.text().startswith("Valley notes")
    assert "<b>Quillon</b>" in item.data(HTML_ROLE)
    assert panel.count_label.text().endswith("passages") or panel.count_label.text() == "1 passage"

    panel.results.setCurrentItem(item)
    panel.results.itemActivated.emit(item)
    viewer = window.library.viewer()
    qtbot.waitUntil(lambda: viewer.isVisible() and viewer.passage is not None, timeout=10_000)
    text = run(services.sources.get_text(top.source_id))
    assert viewer.passage == (top.char_start, top.char_end)
    assert viewer.heading.text() == "Valley notes"
    assert viewer.highlighted_text() == text[top.char_start : top.char_end]
    assert qt_position(text, top.char_start) == top.char_start + 1  # the emoji before it counts twice in Qt
    # The query's words are marked inside the passage, and the view opens on the first of them.
    assert viewer.marked_terms() == ["Quillon", "drowned", "orchards"]
    assert viewer.text.textCursor().position() == qt_position(text, text.index("Quillon"))
    assert viewer.text.isReadOnly()
    assert viewer.text.viewport().rect().intersects(viewer.text.cursorRect())  # scrolled to the passage
    viewer.close()


def test_pdf_results_name_their_page(
    window: MainWindow, dialogs: DialogRecorder, library: ProjectSummary, qtbot: QtBot
) -> None:
    open_and_wait(window, library.id, qtbot)
    panel = window.sources
    search(panel, qtbot, "granary caught fire")
    letters = [(i, h) for i, h in enumerate(panel.hits) if h.source_title == "Letters"]
    assert letters
    index, hit = letters[0]
    assert hit.page is not None
    assert f"p. {hit.page}" in panel.results.item(index).text()


def test_empty_query_returns_to_the_library_list(
    window: MainWindow, dialogs: DialogRecorder, library: ProjectSummary, qtbot: QtBot
) -> None:
    open_and_wait(window, library.id, qtbot)
    panel = window.sources
    search(panel, qtbot, "mill wheel")
    assert panel.stack.currentWidget() is panel.results
    panel.search.clear()
    qtbot.waitUntil(lambda: panel.stack.currentWidget() is panel.list, timeout=10_000)
    assert panel.searched is None and not panel.embedder_label.isVisible()
    assert panel.count_label.text() == "2 sources"


def test_a_project_without_passages_says_no_results(
    window: MainWindow,
    dialogs: DialogRecorder,
    qtbot: QtBot,
    services: Services,
    user: UserInfo,
    run: Callable[[Any], Any],
) -> None:
    project = run(services.projects.create(user.id, f"Empty {uuid.uuid4().hex[:6]}"))
    open_and_wait(window, project.id, qtbot)
    panel = window.sources
    search(panel, qtbot, "lanterns")
    assert panel.stack.currentWidget() is panel.no_results
    assert "No passage matches “lanterns”" in panel.no_results.text()
    assert panel.count_label.text() == "No results"
