"""Composition root: settings → window (shown at once) → service loop → database → services → UI.

This is the only module that constructs services and wires them to the window. The window
appears immediately in a "Starting database…" state; the database is prepared on the service
loop (``asyncio.to_thread`` there, never on the GUI thread) while the GUI stays responsive.

A polite kill is a quit: SIGTERM, SIGHUP, SIGINT (``ui/quit_signals.py``) and the desktop
session ending (``commitDataRequest``) take the File ▸ Quit path with nobody to ask — the
editor's working text is flushed (a conflict keeps both texts), jobs are cancelled, the
embedded server stops.

Env hooks: ``GHOSTLINE_TIMING=1`` prints ``TIMING window_shown_ms=…`` and
``TIMING project_loaded_ms=…`` (from process start); ``GHOSTLINE_AUTOQUIT_AFTER_LOAD=1`` quits
cleanly once the start-up project has loaded, printing ``PROJECT_LOADED <id> <title>`` and
``EDITOR_TEXT <json>`` (the text the editor shows) first (e2e tests, start-up benchmark).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import logging.handlers
import os
import sys
import time
import uuid
from typing import TYPE_CHECKING

import psutil
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from ghostline_desktop.config import APP_NAME, Settings, load_settings, save_settings
from ghostline_desktop.errors import ConfigError, GhostlineError
from ghostline_desktop.runtime.loop import ServiceLoop
from ghostline_desktop.runtime.registry import TaskRegistry
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.main_window import MainWindow
from ghostline_desktop.ui.quit_signals import QuitSignals

if TYPE_CHECKING:
    import concurrent.futures

    from ghostline_desktop.db.bootstrap import PreparedDatabase
    from ghostline_desktop.services.container import Services

log = logging.getLogger("ghostline_desktop")
BRINGUP_WAIT_ON_CLOSE_S = 30.0
SERVICES_CLOSE_TIMEOUT_S = 5.0


def _process_start() -> float:
    """When this process was launched, as a wall-clock time.

    A launcher that measures us (the start-up benchmark) passes its own clock reading in
    GHOSTLINE_LAUNCH_T0; otherwise psutil's create_time, which is boot time in whole seconds
    plus start ticks and so can be up to a second off.
    """
    raw = os.environ.get("GHOSTLINE_LAUNCH_T0")
    try:
        return float(raw) if raw else psutil.Process().create_time()
    except ValueError:
        return psutil.Process().create_time()


_PROCESS_START = _process_start()


def elapsed_ms() -> float:
    """Milliseconds since this process was launched (includes interpreter start-up)."""
    return (time.time() - _PROCESS_START) * 1000.0


def timing(mark: str) -> None:
    if os.environ.get("GHOSTLINE_TIMING") == "1":
        print(f"TIMING {mark}_ms={elapsed_ms():.1f}", flush=True)


def setup_logging(settings: Settings) -> None:
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        settings.log_dir / "ghostline.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"))
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        root.addHandler(handler)


def route_qt_messages() -> None:
    """Send Qt's own diagnostics (e.g. the offscreen plugin's "does not support
    propagateSizeHints()") to the log file instead of the author's terminal."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def wire(window: MainWindow, services: Services, user: UserInfo) -> None:
    """The single place services meet the UI."""
    window.attach(services, user)


def _import_backend() -> None:
    """Load the service layer's modules (SQLAlchemy, the ORM models, the services)."""
    import ghostline_desktop.db.database
    import ghostline_desktop.services.container  # noqa: F401


class GhostlineApp(QObject):
    """Owns the long-lived pieces and their order of start and stop."""

    #: Start-up finished: True when services are up, False when the database failed.
    started = Signal(bool)
    #: The first project opened and every panel has its rows.
    projectReady = Signal(object)

    def __init__(self, settings: Settings, *, persist: bool = True) -> None:
        super().__init__()
        self.settings = settings
        self.persist = persist  # False for screenshots: the author's settings and layout stay untouched
        self.service_loop = ServiceLoop()
        self.registry = TaskRegistry()
        self.prepared: PreparedDatabase | None = None
        self.services: Services | None = None
        self.user: UserInfo | None = None
        self._bringup: concurrent.futures.Future[None] | None = None
        # Start the database before building the window: the server start and the ORM
        # imports on the service thread overlap with building the widgets here.
        self._begin_bringup()
        self.window = MainWindow(settings, persist_layout=persist)
        self._first_project_reported = False
        self._starting = False
        self._quitting = False
        self.quit_signals: QuitSignals | None = None
        self.window.settingsChanged.connect(self._settings_changed)
        self.window.retryRequested.connect(self.retry)
        self.window.projectOpened.connect(self._project_opened)

    # -- start ----------------------------------------------------------------------------------
    async def start(self, *, reopen: bool = True) -> bool:
        if self._starting:
            return False
        self._starting = True
        try:
            return await self._start(reopen)
        finally:
            self._starting = False

    def _begin_bringup(self) -> None:
        if not self.service_loop.running:
            self.service_loop.start()
            ops.install(self.service_loop, self.registry)
        if self._bringup is None or self._bringup.done():
            self._bringup = self.service_loop.submit(self._bring_up())
            self.registry.add(self._bringup, "app.bringup")

    async def _bring_up(self) -> None:
        """On the service loop: database ready, services built, local user signed in.

        Heavy imports (SQLAlchemy, psycopg, the ORM) happen here, off the GUI thread. Each
        piece is kept as soon as it exists, so a failure after the server started still
        lets shutdown stop it, and Retry resumes where it failed.
        """
        if self.prepared is None:
            from ghostline_desktop.db.bootstrap import prepare_database

            # Two worker threads at once: the server start mostly waits on pg_ctl, which leaves
            # the interpreter free to import SQLAlchemy and the ORM (~0.4 s) in the other.
            prepared, imported = await asyncio.gather(
                asyncio.to_thread(prepare_database, self.settings),
                asyncio.to_thread(_import_backend),
                return_exceptions=True,
            )
            if isinstance(prepared, BaseException):
                raise prepared
            self.prepared = prepared
            if isinstance(imported, BaseException):
                raise imported
        if self.services is None:
            from ghostline_desktop.db.database import Database
            from ghostline_desktop.services.container import Services
            from ghostline_desktop.storage.local import LocalStore

            self.services = Services.for_settings(
                self.settings, Database(self.prepared.url), LocalStore(self.settings.storage_dir)
            )
        self.user = await self.services.accounts.ensure_local_user()
        # Jobs a killed app left running are failed (or resumed) now, not left hanging.
        await self.services.start_background()

    async def _start(self, reopen: bool) -> bool:
        self.window.show_starting()
        try:
            self._begin_bringup()
            assert self._bringup is not None
            await asyncio.wrap_future(self._bringup)
            assert self.services is not None and self.user is not None
        except GhostlineError as exc:
            log.warning("Start-up failed: %s", exc)
            self.window.show_startup_failure(exc.title, str(exc))
            self.started.emit(False)
            return False
        except Exception:
            log.exception("Start-up failed unexpectedly")
            self.window.show_startup_failure(
                ops.UNEXPECTED_TITLE,
                f"GhostLine could not start its database. Details were written to the log in {self.settings.log_dir}.",
            )
            self.started.emit(False)
            return False
        wire(self.window, self.services, self.user)
        self.started.emit(True)
        if reopen:
            self.reopen_last_project()
        return True

    def reopen_last_project(self) -> None:
        raw = self.settings.last_project_id
        try:
            project_id = uuid.UUID(raw) if raw else None
        except ValueError:
            project_id = None
        if project_id is None:
            if os.environ.get("GHOSTLINE_AUTOQUIT_AFTER_LOAD") == "1":
                print("AUTOQUIT no_project", flush=True)
                QTimer.singleShot(0, self.window.close)
            return
        self.window.open_project(project_id, startup=True)

    def retry(self) -> None:
        self.settings = self.window.settings  # Preferences may have fixed the database settings
        if self.user is None:
            fut = asyncio.ensure_future(self.start())
            self.registry.add(fut, "app.start")

    def _settings_changed(self, settings: Settings) -> None:
        self.settings = settings
        if self.services is not None and self.service_loop.running:
            fut = self.service_loop.submit(self.services.apply_settings(settings))
            self.registry.add(fut, "app.apply_settings")
        if not self.persist:
            return
        try:
            save_settings(settings)
        except OSError:
            log.exception("Could not save settings")

    def _project_opened(self, project_id: uuid.UUID) -> None:
        if self._first_project_reported:
            return
        self._first_project_reported = True
        self._wait_until_idle(lambda: self._first_project_loaded(project_id))

    def _wait_until_idle(self, then: object) -> None:
        """Poll (cheaply, on the GUI loop) until every panel's request has come back."""

        def check() -> None:
            if ops.pending_count() == 0:
                then()  # type: ignore[operator]
            else:
                QTimer.singleShot(20, check)

        QTimer.singleShot(0, check)

    def _first_project_loaded(self, project_id: uuid.UUID) -> None:
        timing("project_loaded")
        self.projectReady.emit(project_id)
        if os.environ.get("GHOSTLINE_AUTOQUIT_AFTER_LOAD") == "1":
            title = self.window.project.title if self.window.project else "?"
            print(f"PROJECT_LOADED {project_id} {title}", flush=True)
            if self.window.editor.shown is not None:
                print(f"EDITOR_TEXT {json.dumps(self.window.editor.text.toPlainText())}", flush=True)
            QTimer.singleShot(0, self.window.close)

    # -- stop -----------------------------------------------------------------------------------
    def install_quit_signals(self, app: QGuiApplication) -> None:
        """SIGTERM/SIGHUP/SIGINT and the end of the desktop session quit like File ▸ Quit."""
        if self.quit_signals is None:
            self.quit_signals = QuitSignals(self)
            self.quit_signals.received.connect(lambda signum: self.quit_politely(f"signal {signum}"))
        app.commitDataRequest.connect(self.session_ending)

    def session_ending(self, _manager: object = None) -> None:
        """``commitDataRequest``: the author is logging out or shutting down."""
        self.quit_politely("the desktop session is ending")

    def quit_politely(self, reason: str) -> None:
        """File ▸ Quit with nobody to ask: the editor keeps both texts of a conflict and rescues
        text it cannot save to a file; running jobs are cancelled by :meth:`shutdown`. Runs on the
        GUI thread from the Qt loop; the only wait is the editor's bounded final save."""
        if self._quitting:
            return
        self._quitting = True
        log.info("Quitting: %s", reason)
        self.window.confirm_quit = False
        self.window.editor.unattended = True
        self.window.close()
        app = QApplication.instance()
        if app is not None:
            app.quit()  # also leaves a modal dialog's nested loop

    def shutdown(self) -> None:
        """Cancel work, dispose services, stop the loop and the embedded server, save settings."""
        if self._bringup is not None and not self._bringup.done():
            # Closed while the database was still starting: cancelling now could leave a server
            # running that nobody releases (its start runs in a thread that cannot be cancelled).
            with contextlib.suppress(Exception):
                self._bringup.result(timeout=BRINGUP_WAIT_ON_CLOSE_S)
        self.registry.cancel_all()
        self.window.detach()
        if self.services is not None and self.service_loop.running:
            try:
                # Jobs get a few seconds to record their cancellation; then the pool is killed.
                self.service_loop.run(self.services.close(), timeout=SERVICES_CLOSE_TIMEOUT_S)
            except Exception:
                log.exception("Disposing the services failed")
        self.service_loop.stop(timeout=3.0)
        ops.uninstall()
        self.services = None
        if self.prepared is not None:
            try:
                self.prepared.release()
            except Exception:
                log.exception("Stopping the embedded database failed")
            self.prepared = None
        self.settings = self.window.settings
        if not self.persist:
            return
        try:
            save_settings(self.settings)
        except OSError:
            log.exception("Could not save settings")


def apply_theme_safely(app: QApplication, theme: str) -> None:
    try:
        from ghostline_desktop.ui.theme import apply_theme
    except ImportError:
        return
    apply_theme(app, theme)


def main(argv: list[str] | None = None) -> int:
    import qasync

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    try:
        settings = load_settings()
    except ConfigError as exc:
        QMessageBox.critical(None, exc.title, str(exc))
        return 2
    setup_logging(settings)
    route_qt_messages()
    log.info("GhostLine starting (data dir %s)", settings.data_dir)
    apply_theme_safely(app, settings.theme)

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    ctl = GhostlineApp(settings)
    ctl.install_quit_signals(app)
    ctl.window.show()
    QTimer.singleShot(0, lambda: timing("window_shown"))  # after the first paint pass
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        start = loop.create_task(ctl.start())
        ctl.registry.add(start, "app.start")
        loop.run_until_complete(closed.wait())
        ctl.shutdown()
    log.info("GhostLine stopped")
    return 0
