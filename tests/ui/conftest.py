"""Qt fixtures over the real services: a MainWindow attached to this module's database.

The window reaches services through ``ui.ops``, installed here on the module's ServiceLoop;
results come back as queued Qt signals, so pytest-qt's plain Qt event loop is enough
(no qasync needed in these tests; app start-up tests drive qasync themselves).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ghostline_desktop.config import Settings
from ghostline_desktop.runtime.loop import ServiceLoop
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import ProjectSummary, UserInfo
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.dialogs import prompts
from ghostline_desktop.ui.main_window import MainWindow

WAIT_MS = 15_000


@dataclass
class Shown:
    title: str
    message: str


class DialogRecorder:
    """Stands in for the modal dialogs (error, info, and ``ui.dialogs.prompts``), which would block.

    Tests set the answers: ``passwords`` (popped in order; None = Cancel), ``confirm_answer``,
    ``quit_answer``, ``files`` and ``folder`` for the import choosers; every question is recorded.
    """

    def __init__(self) -> None:
        self.errors: list[Shown] = []
        self.infos: list[Shown] = []
        self.questions: list[Shown] = []
        self.passwords: list[str | None] = []
        self.password_prompts: list[tuple[str, bool]] = []
        self.confirm_answer = True
        self.quit_answer = True
        self.quit_prompts: list[int] = []
        self.files: list[Path] = []
        self.folder: Path | None = None

    def error(self, _parent: Any, title: str, message: str) -> None:
        self.errors.append(Shown(title, message))

    def info(self, _parent: Any, title: str, message: str) -> None:
        self.infos.append(Shown(title, message))

    def ask_password(self, _parent: Any, title: str, *, wrong: bool = False) -> str | None:
        self.password_prompts.append((title, wrong))
        return self.passwords.pop(0) if self.passwords else None

    def confirm(self, _parent: Any, title: str, text: str, accept: str, reject: str = "Cancel") -> bool:
        self.questions.append(Shown(title, text))
        return self.confirm_answer

    def confirm_quit(self, _parent: Any, count: int) -> bool:
        self.quit_prompts.append(count)
        return self.quit_answer


def _patch_prompts(monkeypatch: pytest.MonkeyPatch, rec: DialogRecorder) -> None:
    monkeypatch.setattr(prompts, "ask_password", rec.ask_password)
    monkeypatch.setattr(prompts, "confirm", rec.confirm)
    monkeypatch.setattr(prompts, "confirm_quit_with_jobs", rec.confirm_quit)
    monkeypatch.setattr(prompts, "choose_import_files", lambda _parent: list(rec.files))
    monkeypatch.setattr(prompts, "choose_import_folder", lambda _parent: rec.folder)


@pytest.fixture(autouse=True)
def _no_blocking_prompts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal question nobody answers would hang the session (e.g. "Cancel N running jobs and quit?"
    when a test closes a window while the demo's sources still index): answer them all by default."""
    _patch_prompts(monkeypatch, DialogRecorder())


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> DialogRecorder:
    rec = DialogRecorder()
    monkeypatch.setattr(ops, "show_error", rec.error)
    monkeypatch.setattr(ops, "show_info", rec.info)
    _patch_prompts(monkeypatch, rec)
    return rec


@pytest.fixture
def ui_ops(service_loop: ServiceLoop) -> Iterator[None]:
    ops.install(service_loop)
    yield
    ops.registry().cancel_all()
    ops.uninstall()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config", theme="light")


@pytest.fixture
def wait_ops(qtbot: QtBot) -> Callable[[], None]:
    """Wait until every submitted operation's callback has run on the GUI thread."""
    return lambda: qtbot.waitUntil(lambda: ops.pending_count() == 0, timeout=WAIT_MS)


@pytest.fixture
def window(
    qtbot: QtBot,
    ui_ops: None,
    dialogs: DialogRecorder,
    settings: Settings,
    services: Services,
    user: UserInfo,
    wait_ops: Callable[[], None],
) -> Iterator[MainWindow]:
    win = MainWindow(settings)  # not qtbot.addWidget: pytest-qt would delete it before this teardown
    win.resize(1400, 900)
    win.show()
    win.attach(services, user)
    wait_ops()
    yield win
    wait_ops()
    win.close()
    win.deleteLater()


@pytest.fixture(scope="module")
def demo(services: Services, user: UserInfo, run: Callable[[Any], Any]) -> ProjectSummary:
    """One demo project per module: real sources, outline, chapters, findings."""
    return run(services.demo.create_demo_project(user.id))


def open_and_wait(win: MainWindow, project_id: uuid.UUID, qtbot: QtBot) -> None:
    with qtbot.waitSignal(win.projectOpened, timeout=WAIT_MS):
        win.open_project(project_id)
    qtbot.waitUntil(lambda: ops.pending_count() == 0, timeout=WAIT_MS)
