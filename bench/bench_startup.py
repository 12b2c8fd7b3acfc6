"""Start-up: process start → main window shown, and → last project loaded, warm.

Ours: the real app (``python main.py``) offscreen, against a data dir that already holds
the demo project (3 chapters, ~1,800 words of chapters plus ~1,000 words of sources and
notes) with the embedded server stopped, as after a normal quit. ``GHOSTLINE_TIMING=1``
makes app.py print ``TIMING window_shown_ms=…`` / ``TIMING project_loaded_ms=…`` (from
process creation) and ``GHOSTLINE_AUTOQUIT_AFTER_LOAD=1`` makes it quit cleanly after.

Peer, in the same run: novelWriter (PyQt6), installed into its own venv under
``bench/.peers/`` (never the project venv), opening a novelWriter project built from the
same demo texts. A small wrapper run by the peer's python hooks ``GuiMain.showNormal``
(window shown: a zero-timer after it, as app.py does) and ``GuiMain.openProject`` (loaded:
when it returns), measured from process creation the same way psutil does, then closes the
project and quits. Offscreen, novelWriter's splash ``show()`` waits ~1 s for an expose
event that never comes; the wrapper times that call so we can report the peer with and
without it. Each side gets one unmeasured warm-up run, then the median of ``RUNS``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Callable
from pathlib import Path

from bench.common import Metric

RUNS = 5
RUN_TIMEOUT_S = 120
TARGET_LOADED_MS = 1500.0
NOVELWRITER_VERSION = "26.2.2"  # the wrapper hooks novelWriter internals: pin what was checked

REPO = Path(__file__).resolve().parents[1]
PEERS = REPO / "bench" / ".peers"
NW_VENV = PEERS / "novelwriter-venv"
NW_SCRIPTS = PEERS / "novelwriter-scripts"
TIMING_RE = re.compile(r"^TIMING (\w+)_ms=([0-9.]+)\s*$", re.MULTILINE)

# -- scripts run by the peer venv's python (written to bench/.peers/ on first use) ----------------

_NW_BUILD = r'''
"""Build a novelWriter project from a JSON spec: chapters in the novel root, notes alongside."""
import json, sys
from pathlib import Path
from PyQt6.QtWidgets import QApplication

spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
app = QApplication([])
from novelwriter import CONFIG, SHARED, __hexversion__
CONFIG.initConfig(spec["config"], spec["data"])
CONFIG.loadConfig(None)
CONFIG.initLocalisation(app)
from novelwriter.gui.theme import GuiTheme
SHARED.initTheme(GuiTheme())
CONFIG.lastNotes = __hexversion__  # no "what's new" box on the measured runs
CONFIG.saveConfig()
from novelwriter.core.project import NWProject
from novelwriter.enum import nwItemClass

project = NWProject()
project.storage.createNewProject(Path(spec["path"]))
project.data.setUuid(None)
project.data.setName(spec["name"])
project.data.setAuthor("GhostLine bench")
project.data.setLanguage("en_GB")
project.data.setSpellCheck(False)  # no dictionaries here; a missing one would pop a warning
project.setDefaultStatusImport()
project.session.startSession()
novel = project.newRoot(nwItemClass.NOVEL)
for title, text in spec["chapters"]:
    handle = project.newFile(title, novel)
    project.storage.getDocument(handle).writeDocument(f"## {title}\n\n{text}\n")
for root_class, items in (("CHARACTER", spec["characters"]), ("CUSTOM", spec["notes"])):
    root = project.newRoot(getattr(nwItemClass, root_class))
    for title, text in items:
        handle = project.newFile(title, root)
        project.storage.getDocument(handle).writeDocument(f"# {title}\n\n{text}\n")
project.newRoot(nwItemClass.ARCHIVE)
_ = project.tree.trash
project.index.rebuild()
project.saveProject()
project.closeProject()
print("BUILT", flush=True)
'''

_NW_WRAPPER = r'''
"""Start novelWriter as its own main() does, with timing hooks; quit once the project is open."""
import os, sys, time


def process_start():
    """Wall-clock launch time the bench recorded just before starting this process.

    (psutil's create_time is boot time in whole seconds plus start ticks: up to a second off.)
    """
    return float(os.environ["BENCH_T0"])


START = process_start()


def emit(name, value):
    print(f"TIMING {name}_ms={value:.1f}", flush=True)


def elapsed():
    return (time.time() - START) * 1000.0


import novelwriter
from novelwriter import SHARED
from novelwriter.guimain import GuiMain
from novelwriter.splash import NSplashScreen
from PyQt6.QtCore import QTimer
splash_ms = [0.0]
_splash_show = NSplashScreen.show


def splash_show(self):
    t = time.perf_counter()
    _splash_show(self)
    splash_ms[0] += (time.perf_counter() - t) * 1000.0


NSplashScreen.show = splash_show
_show = GuiMain.showNormal


def show_normal(self):
    _show(self)
    QTimer.singleShot(0, lambda: emit("window_shown", elapsed()))  # after the first paint pass, like app.py


GuiMain.showNormal = show_normal
_open = GuiMain.openProject


def open_project(self, path):
    ok = _open(self, path)
    emit("project_loaded", elapsed())
    emit("splash_show", splash_ms[0])
    print(f"OPENED {ok}", flush=True)

    def close():
        # Save and unlock the project, then leave: PyQt's teardown (with novelWriter's gc
        # disabled) sometimes segfaults after the measurement, which says nothing about start-up.
        self.closeProject(True)
        sys.stdout.flush()
        os._exit(0)

    QTimer.singleShot(0, close)
    return ok


GuiMain.openProject = open_project


def no_dialog(kind, answer):
    # A modal box would hang an offscreen run; say what it was on stderr and answer "no".
    def show(*args, **kwargs):
        print(f"DIALOG {kind}: {args[0] if args else ''}", file=sys.stderr, flush=True)
        return answer
    return staticmethod(show)


for _kind, _answer in (("info", None), ("warn", None), ("error", None), ("question", False)):
    setattr(type(SHARED), _kind, no_dialog(_kind, _answer))

sys.exit(novelwriter.main(sys.argv[1:]))
'''


# -- plumbing -------------------------------------------------------------------------------------


def _project_python() -> str:
    candidate = REPO / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def _base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GHOSTLINE_", "OPENAI_"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    # An installed app has its bytecode cached; this sandbox sets PYTHONDONTWRITEBYTECODE, which
    # would make both apps recompile every module at every start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


def _run_timed(cmd: list[str], env: dict[str, str], cwd: Path) -> dict[str, float]:
    """Run one start-up to completion; the TIMING lines it printed, by name."""
    t0 = repr(time.time())
    env = dict(env, BENCH_T0=t0, GHOSTLINE_LAUNCH_T0=t0)
    try:
        proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{cmd[-1]} did not finish within {RUN_TIMEOUT_S} s: {str(exc.stderr)[-800:]}") from exc
    marks = {name: float(value) for name, value in TIMING_RE.findall(proc.stdout)}
    if proc.returncode != 0 or "project_loaded" not in marks:
        raise RuntimeError(
            f"{' '.join(cmd[-2:])} exited {proc.returncode} without a project_loaded timing.\n"
            f"stdout: {proc.stdout[-800:]}\nstderr: {proc.stderr[-1500:]}"
        )
    return marks


def _demo_texts() -> dict[str, list[tuple[str, str]]]:
    """The demo project's chapters, character note and other notes/sources, for the peer project."""
    demo = REPO / "resources" / "demo"
    spec = json.loads((demo / "demo.json").read_text(encoding="utf-8"))
    chapters = [(c["title"], (demo / c["file"]).read_text(encoding="utf-8")) for c in spec["chapters"]]
    characters, notes = [], []
    for s in spec["sources"]:
        text = (demo / s["file"]).read_text(encoding="utf-8")
        (characters if "character" in s["title"].lower() else notes).append((s["title"], text))
    return {"chapters": chapters, "characters": characters, "notes": notes}


# -- ours -----------------------------------------------------------------------------------------


def _prepare_ours(root: Path) -> dict[str, str]:
    """A data dir holding the demo project, server stopped, last_project_id set."""
    from ghostline_desktop.config import Settings, save_settings

    data, config = root / "data", root / "config"
    env = _base_env(GHOSTLINE_DATA_DIR=str(data), GHOSTLINE_CONFIG_DIR=str(config))
    proc = subprocess.run(
        [_project_python(), "-m", "ghostline_desktop.cli", "--json", "demo"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"`ghostline demo` failed: {proc.stderr.strip()}")
    project_id = str(json.loads(proc.stdout)["id"])
    save_settings(
        Settings(data_dir=data, config_dir=config, last_project_id=project_id, recent_project_ids=(project_id,))
    )
    return dict(env, GHOSTLINE_TIMING="1", GHOSTLINE_AUTOQUIT_AFTER_LOAD="1")


def prepare_ours(root: Path) -> Callable[[], dict[str, float]]:
    """Set up our data dir and return a function that times one start-up."""
    env = _prepare_ours(root)
    cmd = [_project_python(), "main.py"]
    pid_file = root / "data" / "pgdata" / "postmaster.pid"

    def once() -> dict[str, float]:
        if pid_file.exists():
            raise RuntimeError(f"the embedded server was left running ({pid_file}): the next run would not be warm")
        return _run_timed(cmd, env, REPO)

    return once


# -- peer -----------------------------------------------------------------------------------------


def ensure_novelwriter() -> Path:
    """The peer venv's python, created and filled from PyPI on first use."""
    python = NW_VENV / "bin" / "python"
    check = [str(python), "-c", "import importlib.metadata as m; print(m.version('novelwriter'))"]
    if python.exists():
        found = subprocess.run(check, capture_output=True, text=True)
        if found.returncode == 0 and found.stdout.strip() == NOVELWRITER_VERSION:
            return python
    PEERS.mkdir(parents=True, exist_ok=True)
    if not python.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(NW_VENV)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"novelwriter=={NOVELWRITER_VERSION}",
        ],
        check=True,
        timeout=900,
    )
    return python


def _peer_scripts() -> tuple[Path, Path]:
    NW_SCRIPTS.mkdir(parents=True, exist_ok=True)
    build, wrapper = NW_SCRIPTS / "build_project.py", NW_SCRIPTS / "run_timed.py"
    build.write_text(_NW_BUILD.lstrip(), encoding="utf-8")
    wrapper.write_text(_NW_WRAPPER.lstrip(), encoding="utf-8")
    return build, wrapper


def prepare_novelwriter(root: Path) -> Callable[[], dict[str, float]]:
    """Install the peer if needed, build its project, and return a function that times one start-up."""
    python = ensure_novelwriter()
    build, wrapper = _peer_scripts()
    project, conf, data = root / "nw-project", root / "nw-config", root / "nw-data"
    root.mkdir(parents=True, exist_ok=True)
    spec_file = root / "nw-spec.json"
    spec = {"config": str(conf), "data": str(data), "path": str(project), "name": "The Demo Book", **_demo_texts()}
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    env = _base_env()
    built = subprocess.run(
        [str(python), str(build), str(spec_file)], env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S
    )
    if "BUILT" not in built.stdout:
        raise RuntimeError(f"building the novelWriter project failed: {built.stderr[-1500:]}")
    cmd = [str(python), str(wrapper), f"--config={conf}", f"--data={data}", str(project)]
    lock = project / "nwProject.lock"

    def once() -> dict[str, float]:
        lock.unlink(missing_ok=True)  # a killed run must not leave the next one at a lock prompt
        return _run_timed(cmd, env, root)

    return once


# -- the bench ------------------------------------------------------------------------------------


def _median(samples: list[dict[str, float]], key: str, minus: str | None = None) -> float:
    return statistics.median(s[key] - (s.get(minus, 0.0) if minus else 0.0) for s in samples)


def run() -> list[Metric]:
    root = Path(tempfile.mkdtemp(prefix="ghostline-bench-startup-"))
    ours: list[dict[str, float]] = []
    theirs: list[dict[str, float]] = []
    try:
        start_ours, start_theirs = prepare_ours(root / "ours"), prepare_novelwriter(root / "peer")
        start_ours(), start_theirs()  # warm-up: page cache and first-start work, as after a normal quit
        # Interleaved, so drift on a shared machine hits both sides alike.
        for _ in range(RUNS):
            ours.append(start_ours())
            theirs.append(start_theirs())
    finally:
        shutil.rmtree(root, ignore_errors=True)

    shown, loaded = _median(ours, "window_shown"), _median(ours, "project_loaded")
    nw_shown, nw_loaded = _median(theirs, "window_shown"), _median(theirs, "project_loaded")
    nw_shown_ns = _median(theirs, "window_shown", minus="splash_show")
    nw_loaded_ns = _median(theirs, "project_loaded", minus="splash_show")
    peer = f"novelWriter {NOVELWRITER_VERSION}"

    def runs_of(samples: list[dict[str, float]], key: str) -> str:
        return ", ".join(f"{s[key]:.0f}" for s in samples)

    print(f"  ours  window shown ms: {runs_of(ours, 'window_shown')}; loaded ms: {runs_of(ours, 'project_loaded')}")
    print(
        f"  peer  window shown ms: {runs_of(theirs, 'window_shown')}; loaded ms: {runs_of(theirs, 'project_loaded')}"
        f"; offscreen splash wait ms: {runs_of(theirs, 'splash_show')}"
    )
    print(f"  ratio ours/theirs loaded: {loaded / nw_loaded:.2f} (stock), {loaded / nw_loaded_ns:.2f} (no splash wait)")

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
    ]


if __name__ == "__main__":  # `python -m bench.bench_startup` for a quick look without the runner
    for metric in run():
        print(metric.name, json.dumps(metric.as_json()))
