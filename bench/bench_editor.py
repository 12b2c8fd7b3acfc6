"""The chapter editor with 20,000-word chapters (issue 7), over the real pieces.

The real main window (offscreen), attached to the services on a ``ServiceLoop`` through
``ui.ops`` as in the app, over a fresh database on an embedded server; chapters of real prose
(Moby-Dick, one paragraph per line as an author's editor holds it). Measured:

* **open**: a 20,000-word chapter picked in the chapter selector while a short one is shown,
  until its text is in the editor, editable and painted once (the ``chapterOpened`` slot
  repaints the viewport and stamps the time). Median of ``RUNS``.
* **switch**: between two such chapters, after typing a few words in the one being left (its
  text is handed to the session and saved in the background meanwhile), and with nothing typed.
  Median of ``RUNS`` each.
* **stall while typing**: ``TYPING_S`` of keystrokes (key press/release events, ~10 characters a
  second) in the middle of a 20,000-word chapter with autosave on (the panel's own timers, the
  saves on the service thread); ``LagProbe`` (a 10 ms timer) records how late the GUI thread
  gets. Peer: the same keystrokes into a bare ``QPlainTextEdit`` holding the same text (Qt's own
  cost plus this shared machine's noise).
* **revisions of a 30-minute session**: bursts of typing separated by pauses (seconds, now and
  then minutes, one 12-minute break), with time compressed: the session's injected clock
  (``EditorSaves.clock``) jumps ahead by the simulated durations, and the panel's autosave is
  triggered where its timers would fire (every 4 s of typing and 2 s after a burst) by calling
  ``save_now`` (what the timers call). The sealed revisions counted in the database afterwards
  are the figure; the "peer" is the number of autosaves, i.e. what a revision per save would
  have written. The service's own pause rule runs on the database clock, which is not
  compressed: the session's rule (same pause) is the one exercised.

Peer for open/switch: novelWriter (``bench/novelwriter_peer.py``) opening the same texts as
documents of a project, in its own process: ``GuiMain.openDocument`` + one viewport repaint, the
same sequence (a few words typed before each switch). Without the peer venv the peer is left out.
"""

from __future__ import annotations

import logging
import os
import random
import re
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.common import CORPUS_DIR, Metric
from bench.library_support import bench_server, percentile
from bench.novelwriter_peer import NOVELWRITER_VERSION, novelwriter_editor_timings

if TYPE_CHECKING:
    from ghostline_desktop.services.container import Services
    from ghostline_desktop.ui.main_window import MainWindow

RUNS = 7
CHAPTER_WORDS = 20_000
CPS = 10.0  # a brisk typist: ~120 words a minute
TYPING_S = 60.0
PEER_TYPING_S = 20.0
SESSION_S = 30 * 60.0
BREAK_S = 12 * 60.0  # one break longer than the default 10-minute checkpoint pause
AUTOSAVE_MAX_S, AUTOSAVE_IDLE_S = 4.0, 2.0  # editor.AUTOSAVE_MAX_MS / AUTOSAVE_MS
TARGET_OPEN_MS, TARGET_STALL_MS, TARGET_REVISIONS = 100.0, 30.0, 5.0
TYPED = " And so it went on."
WAIT_S = 60.0

# -- texts ----------------------------------------------------------------------------------------


def _paragraphs(name: str) -> list[str]:
    """A corpus book as paragraphs, one line each (Gutenberg's hard wraps joined)."""
    path = CORPUS_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the editor bench needs the shared corpus")
    text = path.read_text(encoding="utf-8")
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip() and "Gutenberg" not in p]


def _chapters() -> tuple[str, str, str]:
    """A short chapter and two 20,000-word ones (consecutive stretches of Moby-Dick)."""
    paras = _paragraphs("melville-moby-dick.txt")
    start = next(i for i, p in enumerate(paras) if p.startswith("Call me Ishmael"))
    out: list[str] = []
    current: list[str] = []
    words = 0
    for p in paras[start:]:
        current.append(p)
        words += len(p.split())
        if words >= CHAPTER_WORDS:
            out.append("\n\n".join(current))
            current, words = [], 0
            if len(out) == 2:
                break
    small = "\n\n".join(_paragraphs("austen-pride-and-prejudice.txt")[40:46])
    return small, out[0], out[1]


def _typing_text() -> str:
    """What the bench types: Frankenstein's prose, paragraphs ended by Enter."""
    paras = [p for p in _paragraphs("shelley-frankenstein.txt") if len(p) > 200]
    return "\n".join(paras[10:60])


# -- Qt plumbing ----------------------------------------------------------------------------------


def _spin(until: Callable[[], bool], timeout_s: float = WAIT_S) -> None:
    """Run the Qt event loop (as ``app.exec`` would) until ``until()`` holds."""
    from PySide6.QtCore import QEventLoop, QTimer

    if until():
        return
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s
    timer = QTimer()
    timer.setInterval(10)

    def check() -> None:
        if until() or time.monotonic() > deadline:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    if not until():
        raise TimeoutError(f"gave up after {timeout_s:.0f} s")


def _key(widget: Any, ch: str) -> None:
    """One keystroke (press and release) through the widget's key handling, as a keyboard's.
    Not ``QTest.keyClicks``: it aborts on characters outside ASCII (’, —), which prose has."""
    from PySide6.QtCore import QCoreApplication, QEvent, Qt
    from PySide6.QtGui import QKeyEvent

    if ch == "\n":
        key, text = Qt.Key.Key_Return, "\r"
    else:
        code = ord(ch.upper())
        key, text = (Qt.Key(code) if code < 0x100 else Qt.Key.Key_unknown), ch
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QCoreApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text))


def _cursor_mid(editor: Any) -> None:
    """Put the cursor at the end of the paragraph in the middle of the document."""
    from PySide6.QtGui import QTextCursor

    doc = editor.document()
    cursor = QTextCursor(doc.findBlockByNumber(doc.blockCount() // 2))
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    editor.setTextCursor(cursor)


def _type_for(widget: Any, text: str, seconds: float) -> int:
    """Type ``text`` (cycled) at ``CPS`` for ``seconds`` from a Qt timer; returns keys typed."""
    from PySide6.QtCore import Qt, QTimer

    keys = iter(text * 10)
    typed = [0]
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(round(1000 / CPS))

    def tick() -> None:
        _key(widget, next(keys))
        typed[0] += 1

    timer.timeout.connect(tick)
    end = time.monotonic() + seconds
    timer.start()
    _spin(lambda: time.monotonic() >= end, seconds + 30)
    timer.stop()
    return typed[0]


# -- the GhostLine side -----------------------------------------------------------------------------


@dataclass
class Fixture:
    services: Services
    win: MainWindow
    run: Callable[[Any], Any]
    clock_offset: list[float] = field(default_factory=lambda: [0.0])
    saves: list[tuple[uuid.UUID, bool]] = field(default_factory=list)  # (chapter, sealed) per ChapterSaved
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saves_of(self, chapter_id: uuid.UUID) -> tuple[int, int]:
        """(saves, sealed) the service reported for a chapter so far."""
        with self.lock:
            mine = [sealed for cid, sealed in self.saves if cid == chapter_id]
        return len(mine), sum(mine)


@dataclass
class Results:
    open_ms: list[float] = field(default_factory=list)
    switch_ms: list[float] = field(default_factory=list)  # after typing in the chapter left
    switch_clean_ms: list[float] = field(default_factory=list)  # nothing typed
    stall: list[float] = field(default_factory=list)
    peer_stall: list[float] = field(default_factory=list)
    typed: int = 0
    typing_saves: int = 0
    sealed: int = 0
    autosaves: int = 0
    session: str = ""
    phases: dict[str, float] = field(default_factory=dict)  # wall seconds per phase of the bench

    def timed(self, name: str, fn: Callable[[], object]) -> None:
        t0 = time.monotonic()
        fn()
        self.phases[name] = time.monotonic() - t0


@contextmanager
def _fixture(url: str, root: Path) -> Iterator[Fixture]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ghostline_desktop.app import route_qt_messages
    from ghostline_desktop.config import Settings
    from ghostline_desktop.db.database import Database
    from ghostline_desktop.runtime.loop import ServiceLoop
    from ghostline_desktop.services.container import Services
    from ghostline_desktop.services.events import ChapterSaved
    from ghostline_desktop.storage.local import LocalStore
    from ghostline_desktop.ui import ops
    from ghostline_desktop.ui.main_window import MainWindow

    _app = QApplication.instance() or QApplication([])
    route_qt_messages()  # as the app does; the offscreen plugin's notices are not the bench's output
    logging.getLogger("qt").setLevel(logging.ERROR)
    loop = ServiceLoop("bench-editor").start()
    ops.install(loop)
    errors: list[str] = []
    ops.show_error = lambda _p, title, message: errors.append(f"{title}: {message}")  # type: ignore[assignment]
    services = Services.build(Database(url), LocalStore(root / "store"))
    settings = Settings(data_dir=root / "data", config_dir=root / "config", theme="light")
    win = MainWindow(settings, persist_layout=False)
    fx = Fixture(services, win, lambda coro: loop.run(coro, WAIT_S))

    def on_saved(event: ChapterSaved) -> None:  # service thread
        with fx.lock:
            fx.saves.append((event.chapter_id, event.sealed))

    services.bus.subscribe(on_saved, ChapterSaved)  # type: ignore[arg-type]
    # The session's clock: real time plus what the simulated session has skipped ahead.
    win.editor.saves.clock = lambda: time.time() + fx.clock_offset[0]
    try:
        win.resize(1400, 900)
        win.show()
        win.attach(services, fx.run(services.accounts.ensure_local_user()))
        _spin(lambda: ops.pending_count() == 0)
        yield fx
        if errors:
            raise RuntimeError(f"the editor reported errors: {errors}")
    finally:
        win.editor.saves.close_blocking(win.editor.shown, win.editor.text.toPlainText())
        win.close()
        win.deleteLater()
        ops.registry().cancel_all()
        ops.uninstall()
        loop.run(services.close(), 30)
        loop.stop()


def _settle(fx: Fixture) -> None:
    """Every request answered and every chapter's save finished: the next measurement starts quiet."""
    from ghostline_desktop.ui import ops

    editor = fx.win.editor
    _spin(lambda: ops.pending_count() == 0 and editor.save_state == "saved" and not editor.dirty)
    session = editor.saves.session
    assert session is not None
    for chapter_id in (c.id for c in editor.chapters):
        ops.run_blocking(session.flush(chapter_id), timeout=WAIT_S)
    _spin(lambda: ops.pending_count() == 0)


def _open_timed(fx: Fixture, chapter_id: uuid.UUID) -> float:
    """Pick the chapter in the selector as the author would; ms until it is shown and painted."""
    editor = fx.win.editor
    stamp: list[float] = []

    def opened(cid: object) -> None:
        if cid == chapter_id:
            editor.text.viewport().repaint()
            stamp.append(time.perf_counter())

    editor.chapterOpened.connect(opened)
    idx = editor.combo_index(chapter_id)
    t0 = time.perf_counter()
    editor.chapter_combo.setCurrentIndex(idx)
    editor.chapter_combo.activated.emit(idx)
    _spin(lambda: bool(stamp))
    editor.chapterOpened.disconnect(opened)
    if editor.text.isReadOnly() or editor.shown != chapter_id:
        raise RuntimeError("the chapter was shown read-only")
    return (stamp[0] - t0) * 1000.0


def _type_here(fx: Fixture, text: str) -> None:
    from PySide6.QtGui import QTextCursor

    editor = fx.win.editor
    editor.text.moveCursor(QTextCursor.MoveOperation.End)
    for ch in text:
        _key(editor.text, ch)


def _measure_open_switch(fx: Fixture, small: uuid.UUID, a: uuid.UUID, b: uuid.UUID, out: Results) -> None:
    for warm_up in (a, small):
        _open_timed(fx, warm_up)
        _settle(fx)
    for _ in range(RUNS):
        out.open_ms.append(_open_timed(fx, a))
        _settle(fx)
        _open_timed(fx, small)
        _settle(fx)
    _open_timed(fx, a)
    _settle(fx)
    for _ in range(RUNS):
        out.switch_clean_ms.append(_open_timed(fx, b if fx.win.editor.shown == a else a))
        _settle(fx)
    for _ in range(RUNS):
        _type_here(fx, TYPED)
        out.switch_ms.append(_open_timed(fx, b if fx.win.editor.shown == a else a))
        _settle(fx)


def _measure_typing(fx: Fixture, chapter: uuid.UUID, text: str, body: str, out: Results) -> None:
    from PySide6.QtWidgets import QPlainTextEdit

    from ghostline_desktop.ui.lag_probe import LagProbe
    from ghostline_desktop.ui.theme import editor_font

    editor = fx.win.editor
    if editor.shown != chapter:
        _open_timed(fx, chapter)
        _settle(fx)
    _cursor_mid(editor.text)
    before, _ = fx.saves_of(chapter)
    with LagProbe() as probe:
        out.typed = _type_for(editor.text, text, TYPING_S)
    out.stall = probe.samples
    _settle(fx)
    out.typing_saves = fx.saves_of(chapter)[0] - before
    stored = fx.run(fx.services.chapters.get(chapter)).content
    if stored != editor.text.toPlainText():
        raise RuntimeError("after typing, the stored text is not the editor's")

    bare = QPlainTextEdit()  # the peer: the widget alone, same text, font, size and keystrokes
    bare.setFont(editor_font())
    bare.resize(editor.text.size())
    bare.setPlainText(body)
    bare.show()
    _cursor_mid(bare)
    with LagProbe() as peer:
        _type_for(bare, text, PEER_TYPING_S)
    out.peer_stall = peer.samples
    bare.close()
    bare.deleteLater()


def _session_plan(rng: random.Random) -> Iterator[tuple[int, float]]:
    """(characters in a burst, pause after it in s) for ``SESSION_S`` of simulated writing."""
    elapsed, took_break = 0.0, False
    while elapsed < SESSION_S:
        chars = rng.randint(40, 400)  # a phrase to a few sentences
        roll = rng.random()
        pause = rng.uniform(2, 20) if roll < 0.7 else rng.uniform(20, 120) if roll < 0.95 else rng.uniform(120, 300)
        if not took_break and elapsed > SESSION_S / 2 - BREAK_S / 2:
            pause, took_break = BREAK_S, True
        elapsed += chars / CPS + pause
        yield chars, pause


def _measure_session(fx: Fixture, chapter: uuid.UUID, text: str, out: Results) -> None:
    editor = fx.win.editor
    _open_timed(fx, chapter)
    _settle(fx)
    _cursor_mid(editor.text)
    sealed_before = len(fx.run(fx.services.chapters.list_revisions(chapter, include_working=False)))
    saves_before, _ = fx.saves_of(chapter)
    keys = iter(text * 10)
    bursts = 0
    simulated = 0.0

    def autosave(after_s: float) -> None:
        fx.clock_offset[0] += after_s
        editor.save_now()  # what the autosave timers call
        _spin(lambda: editor.save_state == "saved" and not editor.dirty)

    for chars, pause in _session_plan(random.Random(7)):
        bursts += 1
        while chars > 0:
            chunk = min(chars, round(AUTOSAVE_MAX_S * CPS))
            for _ in range(chunk):
                _key(editor.text, next(keys))
            chars -= chunk
            if chunk == round(AUTOSAVE_MAX_S * CPS):
                autosave(chunk / CPS)  # the max-interval timer, while typing goes on
            else:
                fx.clock_offset[0] += chunk / CPS
        autosave(AUTOSAVE_IDLE_S)  # the idle timer, after the burst
        fx.clock_offset[0] += pause - AUTOSAVE_IDLE_S
        simulated = fx.clock_offset[0]
    _settle(fx)
    sealed_after = len(fx.run(fx.services.chapters.list_revisions(chapter, include_working=False)))
    stored = fx.run(fx.services.chapters.get(chapter))
    if stored.content != editor.text.toPlainText():
        raise RuntimeError("after the session, the stored text is not the editor's")
    out.sealed = sealed_after - sealed_before
    out.autosaves = fx.saves_of(chapter)[0] - saves_before
    out.session = f"{bursts} bursts over {simulated / 60:.0f} simulated min (one {BREAK_S / 60:.0f}-min break)"


def _measure_ours(url: str, root: Path, small: str, a: str, b: str) -> Results:
    out = Results()
    with _fixture(url, root) as fx:
        user = fx.run(fx.services.accounts.ensure_local_user())
        project = fx.run(fx.services.projects.create(user.id, "Editor bench"))
        titles = ("A short one", "The long one", "The other long one", "Session")
        ids = [
            fx.run(fx.services.chapters.create(project.id, title, content=text)).id
            for title, text in zip(titles, (small, a, b, a), strict=True)
        ]
        fx.win.open_project(project.id)
        _spin(lambda: fx.win.editor.shown == ids[0])
        _settle(fx)
        text = _typing_text()
        out.timed("open/switch", lambda: _measure_open_switch(fx, ids[0], ids[1], ids[2], out))
        out.timed("typing", lambda: _measure_typing(fx, ids[1], text, a, out))
        out.timed("session", lambda: _measure_session(fx, ids[3], text, out))
    return out


def run() -> list[Metric]:
    small, a, b = _chapters()
    with tempfile.TemporaryDirectory(prefix="ghostline-bench-editor-") as tmp:
        root = Path(tmp)
        t0 = time.monotonic()
        try:
            peer: dict[str, list[float]] | None = novelwriter_editor_timings(root / "peer", small, a, b, RUNS, TYPED)
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
            print(f"  novelWriter peer left out: {exc}")
            peer = None
        t1 = time.monotonic()
        with bench_server("editor") as server:
            t2 = time.monotonic()
            res = _measure_ours(server.url(server.create_database()), root, small, a, b)
    res.phases = {"peer": t1 - t0, "server": t2 - t1, **res.phases}

    def runs(xs: list[float]) -> str:
        return ", ".join(f"{x:.0f}" for x in xs)

    print(f"  chapters: {len(a.split()):,} and {len(b.split()):,} words; short one {len(small.split())} words")
    print(
        f"  ours  open ms: {runs(res.open_ms)}; switch ms: {runs(res.switch_ms)}; "
        f"nothing typed: {runs(res.switch_clean_ms)}"
    )
    if peer is not None:
        print(
            f"  peer  open ms: {runs(peer['open'])}; switch ms: {runs(peer['switch'])}; "
            f"nothing typed: {runs(peer['switch_clean'])}"
        )
    print(
        f"  typing: {res.typed} keys in {TYPING_S:.0f} s, {res.typing_saves} autosaves; worst stall "
        f"{max(res.stall):.1f} ms, p99 {percentile(res.stall, 99):.1f} ms; bare QPlainTextEdit "
        f"({PEER_TYPING_S:.0f} s): worst {max(res.peer_stall):.1f} ms, p99 {percentile(res.peer_stall, 99):.1f} ms"
    )
    print(f"  session: {res.session}: {res.autosaves} autosaves, {res.sealed} sealed revisions")
    print("  wall time s: " + ", ".join(f"{k} {v:.0f}" for k, v in res.phases.items()))
    nw = f"novelWriter {NOVELWRITER_VERSION}"
    bare = "bare QPlainTextEdit"
    return [
        Metric(
            "editor_open_20k_words_ms",
            statistics.median(res.open_ms),
            target=TARGET_OPEN_MS,
            peer_name=nw if peer else None,
            peer_value=statistics.median(peer["open"]) if peer else None,
        ),
        Metric(
            "editor_switch_20k_words_ms",
            statistics.median(res.switch_ms),
            target=TARGET_OPEN_MS,
            peer_name=nw if peer else None,
            peer_value=statistics.median(peer["switch"]) if peer else None,
        ),
        Metric(
            "editor_switch_20k_words_nothing_typed_ms",
            statistics.median(res.switch_clean_ms),
            target=TARGET_OPEN_MS,
            peer_name=nw if peer else None,
            peer_value=statistics.median(peer["switch_clean"]) if peer else None,
        ),
        Metric(
            "editor_typing_worst_stall_ms",
            max(res.stall),
            target=TARGET_STALL_MS,
            peer_name=bare,
            peer_value=max(res.peer_stall),
        ),
        Metric(
            "editor_typing_stall_p99_ms",
            percentile(res.stall, 99),
            peer_name=bare,
            peer_value=percentile(res.peer_stall, 99),
        ),
        Metric(
            "editor_revisions_30min_session",
            float(res.sealed),
            unit="revisions",
            target=TARGET_REVISIONS,
            peer_name="a revision per autosave",
            peer_value=float(res.autosaves),
        ),
    ]
