"""Render the real main window to a PNG (``ghostline screenshot``): real settings, real database,
real services, offscreen. Opens the given project, else the newest, else builds the demo project.

Nothing the author owns is changed: settings and the dock layout are not saved (persist=False).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ghostline_desktop.errors import GhostlineError

if TYPE_CHECKING:
    from ghostline_desktop.services.container import Services
    from ghostline_desktop.services.dto import UserInfo

SETTLE_S = 0.3
#: Runs on the service loop once the services are up, before the project opens (e.g. start an
#: import, so the library shows a row in progress).
Prepare = Callable[["Services", "UserInfo", uuid.UUID], Coroutine[Any, Any, None]]


def render_screenshot(
    out: Path,
    *,
    project_id: uuid.UUID | None = None,
    size: tuple[int, int] = (1400, 900),
    theme: str = "light",
    search: str | None = None,
    prepare: Prepare | None = None,
    settle_s: float = SETTLE_S,
) -> Path:
    """Render the window. ``search`` is typed into the library's search box (the shot shows its
    results); ``prepare`` runs before the project opens; ``settle_s`` lets running jobs report."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    from ghostline_desktop.app import GhostlineApp, apply_theme_safely, route_qt_messages
    from ghostline_desktop.config import load_settings
    from ghostline_desktop.ui import ops

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    route_qt_messages()
    settings = load_settings().with_changes(theme=theme)
    apply_theme_safely(app, theme)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    ctl = GhostlineApp(settings, persist=False)
    win = ctl.window
    win.confirm_quit = False  # a job started by ``prepare`` may still run when the shot is taken
    win.resize(*size)
    win.show()
    out = Path(out)

    async def shoot() -> Path:
        if not await ctl.start(reopen=False):
            raise GhostlineError(f"The app could not start: {win.welcome.status_label.text()}")
        assert ctl.services is not None and ctl.user is not None
        services, user = ctl.services, ctl.user
        pid = project_id
        if pid is None:
            projects = await ops.call(services.projects.list_projects(user.id))
            if projects:
                pid = max(projects, key=lambda p: p.last_opened_at or p.updated_at).id
            else:
                pid = (await ops.call(services.demo.create_demo_project(user.id))).id
        if prepare is not None:
            await ops.call(prepare(services, user, pid))
        opened: asyncio.Future[object] = asyncio.get_running_loop().create_future()

        def on_opened(p: object) -> None:
            if not opened.done():
                opened.set_result(p)

        win.projectOpened.connect(on_opened)
        win.open_project(pid)
        await asyncio.wait_for(opened, 30)
        await _idle()
        if search:
            panel = win.sources
            panel.search.setText(search)
            for _ in range(3000):
                if panel.searched == " ".join(search.split()):
                    break
                await asyncio.sleep(0.02)
        await _idle()
        await asyncio.sleep(settle_s)  # let layouts, deferred paints and job progress settle
        app.processEvents()
        if os.environ.get("GHOSTLINE_DEBUG_MINSIZE") == "1":  # which widget widens the window
            from PySide6.QtWidgets import QWidget

            for w in win.findChildren(QWidget):
                if w.isVisible() and w.minimumSizeHint().width() > 150:
                    print("MINSIZE", type(w).__name__, w.objectName(), w.minimumSizeHint().width(), flush=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not win.grab().save(str(out), "PNG"):
            raise GhostlineError(f"Could not write the screenshot to {out}.")
        return out

    async def _idle() -> None:
        for _ in range(1500):  # every panel's request answered
            if ops.pending_count() == 0:
                return
            await asyncio.sleep(0.02)

    try:
        with loop:
            try:
                result = loop.run_until_complete(shoot())
            finally:  # never leave the service loop or the embedded server running
                win.close()
                ctl.shutdown()
    finally:
        asyncio.set_event_loop(None)
    return result
