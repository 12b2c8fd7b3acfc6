"""novelWriter as a peer for the benches: its own venv under ``bench/.peers/`` (filled from PyPI
with the ordinary pip client on first use, never the project venv), a script that builds a
novelWriter project with novelWriter's own project API (one document per chapter), and a
wrapper that starts novelWriter as its ``main()`` does with timing hooks.

Shared by ``bench_startup`` (process start → project / last chapter shown) and
``bench_editor`` (opening and switching chapters in its editor: ``_NW_OPEN``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
NOVELWRITER_VERSION = "26.2.2"  # the wrapper hooks novelWriter internals: pin what was checked

PEERS = REPO / "bench" / ".peers"
NW_VENV = PEERS / "novelwriter-venv"
NW_SCRIPTS = PEERS / "novelwriter-scripts"
RUN_TIMEOUT_S = 120

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
handles = []
for title, text in spec["chapters"]:
    handle = project.newFile(title, novel)
    project.storage.getDocument(handle).writeDocument(f"## {title}\n\n{text}\n")
    handles.append(handle)
if spec.get("open_last"):
    project.data.setLastHandle(handles[-1], "editor")  # what openProject reopens
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
print("HANDLES " + json.dumps(handles), flush=True)
print("BUILT", flush=True)
'''

_NW_WRAPPER = r'''
"""Start novelWriter as its own main() does, with timing hooks; quit once the project is open."""
import json, os, sys, time


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
    # openProject showed the document last edited: paint it once, as GhostLine's side does.
    self.docEditor.viewport().repaint()
    emit("document_shown", elapsed())
    emit("splash_show", splash_ms[0])
    print(f"OPENED {ok}", flush=True)
    editor = self.docEditor
    shown = {"handle": editor.docHandle, "chars": len(editor.toPlainText()), "editable": not editor.isReadOnly()}
    print("SHOWN " + json.dumps(shown), flush=True)

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


_NW_OPEN = r'''
"""Time novelWriter opening documents: openDocument + one repaint, the bench's sequence."""
import json, os, sys, time
import novelwriter
from novelwriter import SHARED
from novelwriter.guimain import GuiMain
from PyQt6.QtCore import QTimer
from PyQt6.QtGui import QTextCursor

SMALL, A, B = json.loads(os.environ["BENCH_HANDLES"])
RUNS = int(os.environ["BENCH_RUNS"])
TYPED = os.environ["BENCH_TYPED"]


def timed(win, handle):
    t = time.perf_counter()
    ok = win.openDocument(handle)
    win.docEditor.viewport().repaint()
    ms = (time.perf_counter() - t) * 1000.0
    if not ok or win.docEditor.isReadOnly() or win.docEditor.docHandle != handle:
        raise SystemExit(f"novelWriter did not open {handle}")
    return ms


def type_a_little(win):
    cursor = win.docEditor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertText(TYPED)


def steps(win, out):
    for _ in range(RUNS):
        timed(win, SMALL)
        yield
        out["open"].append(timed(win, A))
        yield
    for _ in range(RUNS):
        out["switch_clean"].append(timed(win, B if win.docEditor.docHandle == A else A))
        yield
    for _ in range(RUNS):
        type_a_little(win)
        out["switch"].append(timed(win, B if win.docEditor.docHandle == A else A))
        yield


_open = GuiMain.openProject


def open_project(self, path):
    ok = _open(self, path)
    out = {"open": [], "switch_clean": [], "switch": []}
    it = steps(self, out)

    def step():  # one measurement per event-loop turn, with time for novelWriter's own timers
        if next(it, "done") == "done":
            print("NW " + json.dumps(out), flush=True)
            self.closeProject(True)
            sys.stdout.flush()
            os._exit(0)
        QTimer.singleShot(300, step)

    QTimer.singleShot(500, step)
    return ok


GuiMain.openProject = open_project
for _kind in ("info", "warn", "error", "question"):
    setattr(type(SHARED), _kind, staticmethod(lambda *a, **k: print("DIALOG", a[:1], file=sys.stderr)))
sys.exit(novelwriter.main(sys.argv[1:]))
'''


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GHOSTLINE_", "OPENAI_"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    # An installed app has its bytecode cached; this sandbox sets PYTHONDONTWRITEBYTECODE, which
    # would make both apps recompile every module at every start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra)
    return env


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


def peer_scripts() -> tuple[Path, Path]:
    NW_SCRIPTS.mkdir(parents=True, exist_ok=True)
    build, wrapper = NW_SCRIPTS / "build_project.py", NW_SCRIPTS / "run_timed.py"
    build.write_text(_NW_BUILD.lstrip(), encoding="utf-8")
    wrapper.write_text(_NW_WRAPPER.lstrip(), encoding="utf-8")
    return build, wrapper


@dataclass(frozen=True)
class NwProject:
    """A novelWriter project built in the peer venv, and how to start novelWriter on it."""

    python: Path
    path: Path
    args: list[str]  # --config, --data and the project folder, for novelWriter's main()
    handles: list[str]  # the chapters' document handles, in order


def build_novelwriter(root: Path, texts: dict[str, Any], name: str) -> NwProject:
    """Install the peer if needed and build a project of ``texts`` (chapters, characters, notes,
    and optionally open_last: the last chapter is the document novelWriter reopens)."""
    python = ensure_novelwriter()
    build, _wrapper = peer_scripts()
    project, conf, data = root / "nw-project", root / "nw-config", root / "nw-data"
    root.mkdir(parents=True, exist_ok=True)
    spec_file = root / "nw-spec.json"
    spec = {"config": str(conf), "data": str(data), "path": str(project), "name": name, **texts}
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    built = subprocess.run(
        [str(python), str(build), str(spec_file)],
        env=base_env(),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )
    if "BUILT" not in built.stdout:
        raise RuntimeError(f"building the novelWriter project failed: {built.stderr[-1500:]}")
    handles = json.loads(re.findall(r"^HANDLES (.*)$", built.stdout, re.MULTILINE)[-1])
    return NwProject(python, project, [f"--config={conf}", f"--data={data}", str(project)], handles)


def novelwriter_editor_timings(root: Path, small: str, a: str, b: str, runs: int, typed: str) -> dict[str, list[float]]:
    """novelWriter's editor on a project of a short chapter and two long ones: ms per open of
    ``a`` from ``small``, per switch a↔b with nothing typed, and after typing ``typed`` (lists)."""
    texts = {"chapters": [("A short one", small), ("The long one", a), ("The other long one", b)]}
    nw = build_novelwriter(root, {**texts, "characters": [], "notes": []}, "Editor bench")
    script = root / "nw_open.py"
    script.write_text(_NW_OPEN.lstrip(), encoding="utf-8")
    env = base_env(BENCH_HANDLES=json.dumps(nw.handles), BENCH_RUNS=str(runs), BENCH_TYPED=typed)
    proc = subprocess.run(
        [str(nw.python), str(script), *nw.args], env=env, cwd=root, capture_output=True, text=True, timeout=300
    )
    found = re.search(r"^NW (.*)$", proc.stdout, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"novelWriter's run printed no timings: {proc.stdout[-500:]} {proc.stderr[-1500:]}")
    return dict(json.loads(found.group(1)))
