"""Tools ▸ Voice Profile and the voice-match score beside the editor (issue 10), on the real
window and services: the dialog's word-count message, building from chapters, the summary in
plain words, the history's Voice column with reasons on hover, the editor footer.

``GHOSTLINE_SHOTS=DIR`` saves PNGs of the dialog and the history (to look at them)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ghostline_desktop.core.style_eval import book_body
from ghostline_desktop.core.style_features import split_paragraphs
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui.dialogs.voice_profile import enough_words_message
from ghostline_desktop.ui.main_window import MainWindow
from ghostline_desktop.ui.panels.revisions import COL_VOICE
from tests.ui.conftest import WAIT_MS, open_and_wait
from tests.ui.test_editor import Run, make_book, wait_loaded


def _passage(book: Path, skip: int, words: int) -> str:
    out, count, seen = [], 0, 0
    for p in split_paragraphs(book_body(book.read_text(encoding="utf-8"))):
        if p.lower().startswith("chapter"):
            continue
        seen += len(p.split())
        if seen <= skip:
            continue
        out.append(p)
        count += len(p.split())
        if count >= words:
            break
    return "\n\n".join(out)


def _shot(widget: Any, name: str) -> None:
    folder = os.environ.get("GHOSTLINE_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def test_word_count_message() -> None:
    msg, ok = enough_words_message(1200)
    assert not ok and "1,200 words chosen" in msg and "at least 3,000" in msg
    assert enough_words_message(4000)[1] and "steadier" in enough_words_message(4000)[0]
    assert enough_words_message(12_000) == ("12,000 words chosen.", True)


def test_voice_profile_dialog_and_scores_in_history(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run, corpus_dir: Path
) -> None:
    austen = corpus_dir / "austen-pride-and-prejudice.txt"
    texts = [_passage(austen, 10_000 + i * 2500, 2500) for i in range(3)] + [_passage(austen, 40_000, 600)]
    project, chapters = make_book(services, user, run, *texts)
    open_and_wait(window, project.id, qtbot)
    window.resize(1400, 900)

    window.voice.open_profile()
    dialog = window.voice.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.chapters.count() == 4, timeout=WAIT_MS)
    assert "No voice profile yet" in dialog.summary.text()
    assert not dialog.build_button.isEnabled() and "at least 3,000" in dialog.count_label.text()
    dialog.chapters.item(0).setCheckState(Qt.CheckState.Checked)  # type: ignore[union-attr]
    assert "at least 3,000" in dialog.count_label.text() and not dialog.build_button.isEnabled()
    for i in (1, 2):
        dialog.chapters.item(i).setCheckState(Qt.CheckState.Checked)  # type: ignore[union-attr]
    assert dialog.build_button.isEnabled() and "words chosen" in dialog.count_label.text()
    dialog.name_edit.setText("My voice")
    dialog.build_button.click()
    qtbot.waitUntil(lambda: dialog.info is not None, timeout=30_000)
    text = dialog.summary.text()
    assert "My voice" in text and "Sentences average" in text and "Your own passages score" in text
    assert dialog.remove_button.isEnabled()
    _shot(dialog, "voice-profile-dialog")
    dialog.close()

    # The last chapter (not learned from) gets two new revisions: Austen, then Melville.
    melville = _passage(corpus_dir / "melville-moby-dick.txt", 40_000, 1500)
    last = chapters[3]
    run(services.chapters.save_text(last.id, _passage(austen, 70_000, 1500), note="More of me"))
    run(services.chapters.save_text(last.id, melville, note="Pasted from elsewhere"))
    window.editor.open_chapter(last.id)
    wait_loaded(window, last.id, qtbot)
    history = window.editor.history
    tree = history.tree

    def voice_cells() -> list[str]:
        return [tree.topLevelItem(r).text(COL_VOICE) for r in range(tree.topLevelItemCount())]  # type: ignore[union-attr]

    qtbot.waitUntil(lambda: len(voice_cells()) == 3 and "—" not in voice_cells(), timeout=30_000)

    def tips() -> list[str]:
        return [tree.topLevelItem(r).toolTip(COL_VOICE) for r in range(tree.topLevelItemCount())]  # type: ignore[union-attr]

    qtbot.waitUntil(lambda: all(t.startswith("Voice match") for t in tips()), timeout=WAIT_MS)
    newest, mine, _first = (int(c.rstrip("%")) for c in voice_cells())
    assert mine >= 60 and newest < mine
    tip = tips()[0]
    assert tip.startswith(f"Voice match {newest}%: ") and ("yours" in tip or "you do" in tip)
    qtbot.waitUntil(lambda: window.editor.footer.voice_label.text() == f"Voice {newest}% ·", timeout=WAIT_MS)
    assert window.editor.footer.voice_label.toolTip() == tip
    history.select_revision(3)
    assert "Voice match" in history.detail.text()
    _shot(window, "voice-history-window")
    _shot(history, "voice-history-panel")


@pytest.mark.parametrize("nothing", [None])
def test_open_profile_without_project_says_so(window: MainWindow, nothing: None) -> None:
    window.voice.open_profile()
    assert window.voice.dialog is None
    assert "Open a project" in window.status.currentMessage()


def test_closed_dialog_is_freed(window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run) -> None:
    import gc
    import weakref

    from PySide6.QtCore import QCoreApplication, QEvent

    project, _chapters = make_book(services, user, run, "A few words of mine.")
    open_and_wait(window, project.id, qtbot)
    window.voice.open_profile()
    dialog = window.voice.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.chapters.count, timeout=WAIT_MS)  # loaded: one chapter listed
    ref = weakref.ref(dialog)
    dialog.close()
    del dialog
    qtbot.waitUntil(lambda: window.voice.dialog is None, timeout=WAIT_MS)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    assert ref() is None


def test_footer_forgets_the_last_chapters_score(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Run, corpus_dir: Path
) -> None:
    """Switching chapters left the previous chapter's "Voice N%" in the footer (beside the new
    chapter's revision) until the new chapter's scores arrived."""
    from tests.ui.test_editor import switch_to

    austen = corpus_dir / "austen-pride-and-prejudice.txt"
    project, chapters = make_book(services, user, run, _passage(austen, 20_000, 800), "Too short to score.")
    run(services.voice.build(project.id, texts=[_passage(austen, 30_000, 4000)]))
    open_and_wait(window, project.id, qtbot)
    window.editor.open_chapter(chapters[0].id)
    wait_loaded(window, chapters[0].id, qtbot)
    footer = window.editor.footer
    qtbot.waitUntil(lambda: footer.voice_label.text().startswith("Voice "), timeout=30_000)
    seen: list[str] = []
    # Connected after the window's own slots: what the author sees as the next chapter shows.
    window.editor.chapterOpened.connect(lambda _cid: seen.append(footer.voice_label.text()))
    switch_to(window.editor, chapters[1].id)
    wait_loaded(window, chapters[1].id, qtbot)
    assert seen == [""]
