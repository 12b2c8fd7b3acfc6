"""Start-up: process start → main window shown, and → last project loaded, warm.

Ours: the real app (``python main.py``) offscreen, against a data dir that already holds
the demo project (3 chapters, ~1,800 words of chapters plus ~1,000 words of sources and
notes) with the embedded server stopped, as after a normal quit. ``GHOSTLINE_TIMING=1``
makes app.py print ``TIMING window_shown_ms=…`` / ``TIMING project_loaded_ms=…`` (from
process creation) and ``GHOSTLINE_AUTOQUIT_AFTER_LOAD=1`` makes it quit cleanly after.

Peer, in the same run: novelWriter (PyQt6), installed into its own venv under ``bench/.peers/``
(never the project venv; see ``bench/novelwriter_peer.py``), opening a novelWriter project built
from the same demo texts. A small wrapper run by the peer's python hooks ``GuiMain.showNormal``
(window shown: a zero-timer after it, as app.py does) and ``GuiMain.openProject`` (loaded: when
it returns), measured from process creation the same way psutil does, then closes the project
and quits. Offscreen, novelWriter's splash ``show()`` waits ~1 s for an expose event that never
comes; the wrapper times that call so we can report the peer with and without it. Each side gets
one unmeasured warm-up run, then the median of ``RUNS``.

The case authors live in (issue 7): *Pride and Prejudice* imported as a project (61 chapters,
~122k words, ``ghostline project import-manuscript``) and the same chapters (the importer's own
split, :func:`read_manuscript`) as a novelWriter project, one document per chapter — process
start to the LAST chapter shown and editable (text set, viewport painted once), both apps in the
same run. novelWriter reopens the document last edited, so its project records the last chapter
as that and ``openProject`` shows it. GhostLine has no "reopen the last chapter" yet: it opens
chapter 1, so a wrapper (``_GL_WRAPPER``, run with ``python -c``; nothing in ``ghostline_desktop``
changes) picks the last chapter as soon as chapter 1 is shown, as an author would, and prints
``TIMING last_chapter_shown_ms`` when the editor shows it (``first_chapter_shown_ms`` too).
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import CORPUS_DIR, Metric
from bench.novelwriter_peer import NOVELWRITER_VERSION, base_env, build_novelwriter, peer_scripts

RUNS = 5
BOOK_RUNS = 5  # the 61-chapter case (the whole bench takes about a minute and a half)
RUN_TIMEOUT_S = 120
TARGET_LOADED_MS = 1500.0
AUSTEN = CORPUS_DIR / "austen-pride-and-prejudice.txt"
REPO = Path(__file__).resolve().parents[1]
#: (ours, theirs): the TIMING marks of each run.
Pair = tuple[list[dict[str, float]], list[dict[str, float]]]
TIMING_RE = re.compile(r"^TIMING (\w+)_ms=([0-9.]+)\s*$", re.MULTILINE)

# -- plumbing -------------------------------------------------------------------------------------


def _project_python() -> str:
    candidate = REPO / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def _run_timed(
    cmd: list[str],
    env: dict[str, str],
    cwd: Path,
    needed: str = "project_loaded",
    check: Callable[[str], None] | None = None,
) -> dict[str, float]:
    """Run one start-up to completion; the TIMING lines it printed, by name. ``check`` looks at
    its stdout (e.g. that the right chapter was shown) and raises if it is wrong."""
    t0 = repr(time.time())
    env = dict(env, BENCH_T0=t0, GHOSTLINE_LAUNCH_T0=t0)
    try:
        proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{cmd[-1][:80]} did not finish within {RUN_TIMEOUT_S} s: {str(exc.stderr)[-800:]}") from exc
    marks = {name: float(value) for name, value in TIMING_RE.findall(proc.stdout)}
    if proc.returncode != 0 or needed not in marks:
        raise RuntimeError(
            f"{' '.join(c[:80] for c in cmd[-2:])} exited {proc.returncode} without a {needed} timing.\n"
            f"stdout: {proc.stdout[-800:]}\nstderr: {proc.stderr[-1500:]}"
        )
    if check is not None:
        check(proc.stdout)
    return marks


def _shown(stdout: str) -> dict[str, Any]:
    """The ``SHOWN {json}`` line a wrapper printed about the document it showed."""
    found = re.search(r"^SHOWN (.*)$", stdout, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"the run printed no SHOWN line: {stdout[-800:]}")
    return dict(json.loads(found.group(1)))


def _demo_texts() -> dict[str, list[tuple[str, str]]]:
    """The demo project's chapters, character note and other notes/sources, for the peer project."""
    demo = REPO / "resources" / "demo"
    spec = json.loads((demo / "demo.json").read_text(encoding="utf-8"))
    chapters = [(c["title"], (demo / c["file"]).read_text(encoding="utf-8")) for c in spec["chapters"]]
    characters: list[tuple[str, str]] = []
    notes: list[tuple[str, str]] = []
    for s in spec["sources"]:
        text = (demo / s["file"]).read_text(encoding="utf-8")
        (characters if "character" in s["title"].lower() else notes).append((s["title"], text))
    return {"chapters": chapters, "characters": characters, "notes": notes}


# -- ours -----------------------------------------------------------------------------------------


def _prepare_ours(root: Path, cli: list[str], id_key: str) -> dict[str, str]:
    """A data dir holding one project (made by ``ghostline --json CLI…``), server stopped,
    last_project_id set."""
    from ghostline_desktop.config import Settings, save_settings

    data, config = root / "data", root / "config"
    env = base_env(GHOSTLINE_DATA_DIR=str(data), GHOSTLINE_CONFIG_DIR=str(config))
    proc = subprocess.run(
        [_project_python(), "-m", "ghostline_desktop.cli", "--json", *cli],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"`ghostline {' '.join(cli)}` failed: {proc.stderr.strip()}")
    project_id = str(json.loads(proc.stdout)[id_key])
    save_settings(
        Settings(data_dir=data, config_dir=config, last_project_id=project_id, recent_project_ids=(project_id,))
    )
    return dict(env, GHOSTLINE_TIMING="1")


def _warm_runner(
    root: Path, cmd: list[str], env: dict[str, str], needed: str, check: Callable[[str], None] | None = None
) -> Callable[[], dict[str, float]]:
    pid_file = root / "data" / "pgdata" / "postmaster.pid"

    def once() -> dict[str, float]:
        if pid_file.exists():
            raise RuntimeError(f"the embedded server was left running ({pid_file}): the next run would not be warm")
        return _run_timed(cmd, env, REPO, needed, check)

    return once


def prepare_ours(root: Path) -> Callable[[], dict[str, float]]:
    """Set up our data dir (the demo project) and return a function that times one start-up."""
    env = dict(_prepare_ours(root, ["demo"], "id"), GHOSTLINE_AUTOQUIT_AFTER_LOAD="1")
    return _warm_runner(root, [_project_python(), "main.py"], env, "project_loaded")


#: Run with ``python -c`` from the repository (so ``ghostline_desktop`` imports as in main.py).
_GL_WRAPPER = r"""
import json, sys
from ghostline_desktop import app

_wire = app.wire


def wire(window, services, user):
    _wire(window, services, user)
    editor = window.editor
    first = []

    def opened(chapter_id):
        if chapter_id is None or not editor.chapters:
            return
        last = editor.chapters[-1].id
        if not first:
            first.append(chapter_id)
            app.timing("first_chapter_shown")
            if chapter_id != last:
                editor.open_chapter(last)  # the author picks the last chapter at once
        if chapter_id == last:
            editor.text.viewport().repaint()
            app.timing("last_chapter_shown")
            text = editor.text
            shown = {"title": editor.details.title, "chars": len(text.toPlainText()), "editable": not text.isReadOnly()}
            print("SHOWN " + json.dumps(shown), flush=True)
            window.close()

    editor.chapterOpened.connect(opened)


app.wire = wire
sys.exit(app.main())
"""


def _book_chapters() -> list[tuple[str, str]]:
    """Pride and Prejudice as GhostLine's importer splits it: (title, text) per chapter."""
    from ghostline_desktop.services.manuscript_import import _chapter_title, read_manuscript

    preview = read_manuscript(str(AUSTEN))
    return [(_chapter_title(c.title, n), c.text.replace("\x00", "")) for n, c in enumerate(preview.chapters, 1)]


def _expect(key: str, value: object) -> Callable[[str], None]:
    def check(stdout: str) -> None:
        shown = _shown(stdout)
        if shown.get(key) != value or not shown.get("editable") or not shown.get("chars"):
            raise RuntimeError(f"the wrong document was shown: {shown}, expected {key}={value!r}")

    return check


def prepare_ours_book(root: Path, last_title: str) -> Callable[[], dict[str, float]]:
    """Our data dir with the imported book; times process start → last chapter shown."""
    if not AUSTEN.exists():
        raise FileNotFoundError(f"{AUSTEN} is missing: the start-up bench's book case needs the shared corpus")
    env = _prepare_ours(root, ["project", "import-manuscript", str(AUSTEN)], "project_id")
    cmd = [_project_python(), "-c", _GL_WRAPPER]
    return _warm_runner(root, cmd, env, "last_chapter_shown", _expect("title", last_title))


# -- peer -----------------------------------------------------------------------------------------


def prepare_novelwriter(
    root: Path, texts: dict[str, Any] | None = None, name: str = "The Demo Book"
) -> Callable[[], dict[str, float]]:
    """Build the peer's project (the demo's texts unless ``texts`` is given) and return a
    function that times one start-up."""
    texts = texts or _demo_texts()
    nw = build_novelwriter(root, texts, name)
    cmd = [str(nw.python), str(peer_scripts()[1]), *nw.args]
    lock = nw.path / "nwProject.lock"
    check = _expect("handle", nw.handles[-1]) if texts.get("open_last") else None
    env = base_env()

    def once() -> dict[str, float]:
        lock.unlink(missing_ok=True)  # a killed run must not leave the next one at a lock prompt
        return _run_timed(cmd, env, root, "document_shown" if check else "project_loaded", check)

    return once


# -- the bench ------------------------------------------------------------------------------------


def _median(samples: list[dict[str, float]], key: str, minus: str | None = None) -> float:
    return statistics.median(s[key] - (s.get(minus, 0.0) if minus else 0.0) for s in samples)


def _runs_of(samples: list[dict[str, float]], key: str) -> str:
    return ", ".join(f"{s[key]:.0f}" for s in samples)


def _interleaved(ours: Callable[[], dict[str, float]], theirs: Callable[[], dict[str, float]], runs: int) -> Pair:
    ours(), theirs()  # warm-up: page cache and first-start work, as after a normal quit
    # Interleaved, so drift on a shared machine hits both sides alike.
    pairs = [(ours(), theirs()) for _ in range(runs)]
    return [a for a, _ in pairs], [b for _, b in pairs]


def _book_case(root: Path) -> Pair:
    book = _book_chapters()
    texts = {"chapters": book, "characters": [], "notes": [], "open_last": True}
    start_ours = prepare_ours_book(root / "book-ours", book[-1][0])
    start_theirs = prepare_novelwriter(root / "book-peer", texts, "Pride and Prejudice")
    ours, theirs = _interleaved(start_ours, start_theirs, BOOK_RUNS)
    words = sum(len(text.split()) for _, text in book)
    print(f"  book: {len(book)} chapters, {words:,} words; last chapter “{book[-1][0]}”")
    print(
        f"  ours  first chapter shown ms: {_runs_of(ours, 'first_chapter_shown')}; "
        f"last chapter shown ms: {_runs_of(ours, 'last_chapter_shown')}"
    )
    print(
        f"  peer  last chapter shown ms: {_runs_of(theirs, 'document_shown')}; "
        f"offscreen splash wait ms: {_runs_of(theirs, 'splash_show')}"
    )
    return ours, theirs


def run() -> list[Metric]:
    root = Path(tempfile.mkdtemp(prefix="ghostline-bench-startup-"))
    try:
        ours, theirs = _interleaved(prepare_ours(root / "ours"), prepare_novelwriter(root / "peer"), RUNS)
        book_ours, book_theirs = _book_case(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    shown, loaded = _median(ours, "window_shown"), _median(ours, "project_loaded")
    nw_shown, nw_loaded = _median(theirs, "window_shown"), _median(theirs, "project_loaded")
    nw_shown_ns = _median(theirs, "window_shown", minus="splash_show")
    nw_loaded_ns = _median(theirs, "project_loaded", minus="splash_show")
    last = _median(book_ours, "last_chapter_shown")
    nw_last, nw_last_ns = _median(book_theirs, "document_shown"), _median(book_theirs, "document_shown", "splash_show")
    peer = f"novelWriter {NOVELWRITER_VERSION}"

    print(f"  ours  window shown ms: {_runs_of(ours, 'window_shown')}; loaded ms: {_runs_of(ours, 'project_loaded')}")
    print(
        f"  peer  window shown ms: {_runs_of(theirs, 'window_shown')}; loaded ms: {_runs_of(theirs, 'project_loaded')}"
        f"; offscreen splash wait ms: {_runs_of(theirs, 'splash_show')}"
    )
    print(f"  ratio ours/theirs loaded: {loaded / nw_loaded:.2f} (stock), {loaded / nw_loaded_ns:.2f} (no splash wait)")
    print(f"  ratio ours/theirs last chapter: {last / nw_last:.2f} (stock), {last / nw_last_ns:.2f} (no splash)")

    return [
        Metric("startup_window_shown_ms", shown, peer_name=f"{peer} (no splash wait)", peer_value=nw_shown_ns),
        Metric(
            "startup_project_loaded_ms",
            loaded,
            target=TARGET_LOADED_MS,
            peer_name=f"{peer} (no splash wait)",
            peer_value=nw_loaded_ns,
        ),
        Metric("startup_window_shown_vs_stock_peer_ms", shown, peer_name=f"{peer} (stock)", peer_value=nw_shown),
        Metric(
            "startup_project_loaded_vs_stock_peer_ms",
            loaded,
            target=TARGET_LOADED_MS,
            peer_name=f"{peer} (stock)",
            peer_value=nw_loaded,
        ),
        # Target: no slower than the peer without its splash wait (measured in this run).
        Metric(
            "startup_book_last_chapter_shown_ms",
            last,
            target=round(nw_last_ns, 1),
            peer_name=f"{peer} (no splash wait)",
            peer_value=nw_last_ns,
        ),
        Metric("startup_book_last_chapter_vs_stock_peer_ms", last, peer_name=f"{peer} (stock)", peer_value=nw_last),
        Metric("startup_book_first_chapter_shown_ms", _median(book_ours, "first_chapter_shown")),
    ]


if __name__ == "__main__":  # `python -m bench.bench_startup` for a quick look without the runner
    for metric in run():
        print(metric.name, json.dumps(metric.as_json()))
