"""The main window: welcome page or editor in the centre, three dock panels, menus, status bar.

The window never builds services: app.py calls :meth:`MainWindow.attach` once they exist.
Panels never call each other; :meth:`_connect_signals` is the one place they are wired.
"""

from __future__ import annotations

import logging
import os
import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QStackedWidget, QWidget

from ghostline_desktop.config import Settings
from ghostline_desktop.errors import NotFoundError
from ghostline_desktop.services.dto import ProjectSummary, UserInfo
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.bridge import EventBridge
from ghostline_desktop.ui.dialogs import prompts
from ghostline_desktop.ui.export_controller import ExportController
from ghostline_desktop.ui.generation_controller import GenerationController
from ghostline_desktop.ui.library_controller import LibraryController
from ghostline_desktop.ui.manuscript_controller import ManuscriptController
from ghostline_desktop.ui.menus import Menus
from ghostline_desktop.ui.ops import CollectionOp, QueryOp
from ghostline_desktop.ui.panels.editor import EditorPanel
from ghostline_desktop.ui.panels.findings import FindingsPanel
from ghostline_desktop.ui.panels.outline import OutlinePanel
from ghostline_desktop.ui.panels.sources import SourcesPanel
from ghostline_desktop.ui.qa_controller import QAController
from ghostline_desktop.ui.status_bar import StatusBar
from ghostline_desktop.ui.voice_controller import VoiceController
from ghostline_desktop.ui.welcome import WelcomePage
from ghostline_desktop.ui.widgets.drop_overlay import DropOverlay
from ghostline_desktop.ui.window_drops import DropHandling
from ghostline_desktop.ui.window_layout import DockLayout

if TYPE_CHECKING:
    from ghostline_desktop.services.container import Services

log = logging.getLogger(__name__)
MAX_RECENT = 8
FORK_TIMEOUT_S = 600.0


class MainWindow(DropHandling, DockLayout, QMainWindow):
    #: A project finished opening (its panels have asked for their rows).
    projectOpened = Signal(object)
    projectClosed = Signal()
    #: The author changed settings (Preferences, theme); app.py saves them.
    settingsChanged = Signal(object)
    #: Welcome page "Retry" after a failed database start.
    retryRequested = Signal()

    def __init__(self, settings: Settings, parent: QWidget | None = None, *, persist_layout: bool = True) -> None:
        super().__init__(parent)
        self.persist_layout = persist_layout  # False for screenshots: default layout, nothing written
        # Whether closing with jobs running asks first. Not where nobody can answer: screenshots, and
        # app.py's GHOSTLINE_AUTOQUIT_AFTER_LOAD e2e/start-up-bench runs (running jobs are cancelled).
        self.confirm_quit = os.environ.get("GHOSTLINE_AUTOQUIT_AFTER_LOAD") != "1"
        self.setObjectName("mainWindow")
        self.settings = settings
        self.services: Services | None = None
        self.user: UserInfo | None = None
        self.project: ProjectSummary | None = None
        self.projects: dict[uuid.UUID, ProjectSummary] = {}
        self.bridge = EventBridge(self)
        self.layout_store = QSettings(str(settings.config_dir / "layout.ini"), QSettings.Format.IniFormat)
        self._focus_hidden: list[QDockWidget] = []
        self._in_focus_mode = False
        #: Docks put away while the welcome page shows (empty panels around it are clutter).
        self._parked: list[QDockWidget] = []

        self.setWindowTitle("GhostLine")
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        self.welcome = WelcomePage(self)
        self.editor = EditorPanel(self)
        self.centre = QStackedWidget(self)
        self.centre.addWidget(self.welcome)
        self.centre.addWidget(self.editor)
        self.setCentralWidget(self.centre)
        self.sources = SourcesPanel(self)
        self.outline = OutlinePanel(self)
        self.findings = FindingsPanel(self)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.sources)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.outline)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.findings)
        self.resizeDocks([self.sources, self.outline], [290, 290], Qt.Orientation.Horizontal)
        self.resizeDocks([self.findings], [210], Qt.Orientation.Vertical)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.drop_overlay = DropOverlay(self)
        self.library = LibraryController(self)
        self.manuscripts = ManuscriptController(self)
        self.generation = GenerationController(self)
        self.qa_control = QAController(self)
        self.voice = VoiceController(self)
        self.exports = ExportController(self)
        self.menus = Menus(self)
        self.menus.set_project_open(False)
        self.menus.set_services_ready(False)
        self._connect_signals()
        if persist_layout:
            self._restore_layout()
        else:
            self.resize(1400, 900)
        self.close_project()

    def docks(self) -> list[PanelDockLike]:
        return [self.sources, self.outline, self.findings]

    # -- the one connect block ----------------------------------------------------------------
    def _connect_signals(self) -> None:
        b, w, st, lib, src = self.bridge, self.welcome, self.status, self.library, self.sources
        # service events (queued from the service thread by the bridge)
        b.projectsChanged.connect(self._on_projects_changed)
        b.sourcesChanged.connect(src.on_sources_changed)
        b.jobChanged.connect(src.on_job_changed)
        b.jobChanged.connect(st.on_job_changed)
        b.outlineChanged.connect(lambda e: self._for_project(e, lambda: self.outline.on_outline_changed(e)))
        b.findingsChanged.connect(lambda e: self._for_project(e, self.findings.refresh))
        b.chapterSaved.connect(self.editor.on_chapter_saved)
        b.chaptersChanged.connect(lambda e: self._for_project(e, self.editor.refresh_chapters))
        b.chaptersChanged.connect(lambda e: self._for_project(e, self.findings.refresh))  # shows chapter titles
        b.chaptersChanged.connect(lambda e: self._for_project(e, self.outline.refresh_chapters))  # "not in outline"
        b.notificationsChanged.connect(lambda _e: self.refresh_notifications())
        b.balanceChanged.connect(lambda _e: self.refresh_balance())
        b.balanceChanged.connect(st.meter.on_balance_changed)
        b.usageEstimate.connect(st.meter.on_usage_estimate)  # the meter moves while a stream runs
        st.meter.refreshRequested.connect(self.refresh_balance)
        # panels → window and the library's flows
        src.importRequested.connect(lib.import_paths)
        src.importFilesRequested.connect(lib.import_files)
        src.newNoteRequested.connect(lib.new_note)
        src.editNoteRequested.connect(lib.edit_note)
        src.retryRequested.connect(lib.retry)
        src.cancelRequested.connect(lib.cancel)
        src.deleteRequested.connect(lib.delete)
        src.sourceActivated.connect(lib.open_source)
        src.passageRequested.connect(lib.open_passage)
        self.outline.chapterRequested.connect(self.open_outline_chapter)
        self.outline.chapterOpenRequested.connect(self.editor.open_chapter)
        self.editor.diffRequested.connect(self.manuscripts.open_revision_diff)  # revision history ▸ Compare
        self.editor.saveStateChanged.connect(lambda s: self.setWindowModified(s in ("unsaved", "conflict")))
        self.editor.apply_settings(self.settings)
        self.settingsChanged.connect(self.editor.apply_settings)
        self.menus.focus_mode.toggled.connect(self.editor.set_focus_mode)
        # welcome page
        w.newProjectRequested.connect(self.new_project)
        w.openProjectRequested.connect(self.open_project_dialog)
        w.recentProjectRequested.connect(self.open_project)
        w.demoProjectRequested.connect(self.open_demo_project)
        w.importManuscriptRequested.connect(self.manuscripts.import_manuscript)
        w.retryRequested.connect(self.retryRequested)
        w.preferencesRequested.connect(self.show_preferences)
        # status bar
        st.notificationsOpened.connect(self.mark_notifications_read)
        st.tokenUsageRequested.connect(self.show_token_usage)
        st.tasks.sourceRetryRequested.connect(lib.retry_source)

    def _for_project(self, event: Any, refresh: Any) -> None:
        if self.project is not None and event.project_id == self.project.id:
            refresh()

    # -- start-up states (driven by app.py) ---------------------------------------------------
    def show_starting(self, text: str | None = None) -> None:
        self.centre.setCurrentWidget(self.welcome)
        self.welcome.show_starting(text)

    def show_startup_failure(self, title: str, message: str) -> None:
        self.centre.setCurrentWidget(self.welcome)
        self.welcome.show_failure(title, message)
        self.status.showMessage(self.tr("The database did not start."), 0)

    def attach(self, services: Services, user: UserInfo) -> None:
        """Services are up: bind the event bridge and the panels, load the account's numbers."""
        self.services = services
        self.user = user
        self.bridge.bind(services.bus)
        for panel in (self.sources, self.outline, self.findings):
            panel.attach(services, user)
        self.editor.attach(services, user)
        self.status.tasks.attach(services)
        for controller in (self.generation, self.qa_control, self.voice, self.exports):
            controller.attach(services, user)
        self.menus.set_services_ready(True)
        self.welcome.show_ready()
        self.status.clearMessage()
        self.refresh_projects()
        self.refresh_balance()
        self.refresh_notifications()

    def detach(self) -> None:
        self.bridge.detach()

    # -- projects -------------------------------------------------------------------------------
    def refresh_projects(self) -> None:
        if self.services is None or self.user is None:
            return
        services, user_id = self.services, self.user.id
        QueryOp(self, lambda: services.projects.list_projects(user_id)).named("window.projects").success(
            self._projects_loaded
        ).run()

    def _projects_loaded(self, projects: list[ProjectSummary]) -> None:
        self.projects = {p.id: p for p in projects}
        recent = [self.projects[pid] for pid, _t in self.recent_projects() if pid in self.projects]
        rest = sorted(
            (p for p in projects if p not in recent),
            key=lambda p: p.last_opened_at or p.updated_at,
            reverse=True,
        )
        self.welcome.set_recent((recent + rest)[:MAX_RECENT])

    def recent_projects(self) -> list[tuple[uuid.UUID, str]]:
        out = []
        for raw in self.settings.recent_project_ids:
            try:
                pid = uuid.UUID(raw)
            except ValueError:
                continue
            p = self.projects.get(pid)
            if p is not None:
                out.append((pid, p.title))
        return out

    def open_project(self, project_id: uuid.UUID, *, startup: bool = False) -> None:
        """Open a project; at start-up a project that no longer exists just leaves the welcome page."""
        if self.services is None:
            return
        services = self.services

        async def load() -> ProjectSummary:
            project = await services.projects.get(project_id)
            await services.projects.mark_opened(project_id)
            return project

        def failed(exc: BaseException) -> None:
            self.status.clearMessage()
            if isinstance(exc, NotFoundError):
                self._forget(project_id)
                if startup:
                    self.status.showMessage(self.tr("The last project no longer exists."), 8000)
                    return
            ops.report_error(exc, self)

        self.status.showMessage(self.tr("Opening project…"))
        CollectionOp(self, load).named("window.open").success(self._project_loaded).failure(failed).run()

    def _project_loaded(self, project: ProjectSummary) -> None:
        if self.project is not None and self.project.id != project.id:
            self.editor.save_now()
        self.project = project
        self.projects[project.id] = project
        self.setWindowTitle(self.tr("{0}[*] — GhostLine").format(project.title))
        self.centre.setCurrentWidget(self.editor)
        self._unpark_docks()
        for panel in (self.sources, self.outline, self.findings):
            panel.open_project(project.id)
        self.editor.open_project(project.id)
        self.menus.set_project_open(True)
        self._remember(project.id)
        self.status.showMessage(self.tr("Opened “{0}”.").format(project.title), 4000)
        self.projectOpened.emit(project.id)

    def close_project(self) -> None:
        self.editor.close_project()
        for panel in (self.sources, self.outline, self.findings):
            panel.close_project()
        self.project = None
        self.setWindowTitle("GhostLine")
        self.centre.setCurrentWidget(self.welcome)
        self._park_docks()
        self.menus.set_project_open(False)
        self.refresh_projects()
        self.projectClosed.emit()

    def _remember(self, project_id: uuid.UUID) -> None:
        ids = [str(project_id), *(i for i in self.settings.recent_project_ids if i != str(project_id))]
        self._update_settings(last_project_id=str(project_id), recent_project_ids=tuple(ids[:MAX_RECENT]))

    def _forget(self, project_id: uuid.UUID) -> None:
        ids = tuple(i for i in self.settings.recent_project_ids if i != str(project_id))
        last = None if self.settings.last_project_id == str(project_id) else self.settings.last_project_id
        self._update_settings(last_project_id=last, recent_project_ids=ids)
        self.projects.pop(project_id, None)
        self.refresh_projects()

    def _update_settings(self, **changes: Any) -> None:
        self.settings = self.settings.with_changes(**changes)
        self.settingsChanged.emit(self.settings)

    def _on_projects_changed(self, event: Any) -> None:
        if self.project is not None and event.project_id == self.project.id:
            if event.change == "deleted":
                self.close_project()
                self._forget(event.project_id)
                return
            if self.services is not None:
                services = self.services
                QueryOp(self, lambda: services.projects.get(event.project_id)).success(self._project_renamed).run()
        self.refresh_projects()

    def _project_renamed(self, project: ProjectSummary) -> None:
        if self.project is not None and project.id == self.project.id:
            self.project = project
            self.setWindowTitle(self.tr("{0}[*] — GhostLine").format(project.title))

    # -- menu slots -----------------------------------------------------------------------------
    def new_project(self) -> None:
        if self.services is None or self.user is None:
            return
        from ghostline_desktop.ui.dialogs.new_project import NewProjectDialog

        dlg = NewProjectDialog(parent=self)
        if dlg.exec() != NewProjectDialog.DialogCode.Accepted:
            return
        v, services, user_id = dlg.values(), self.services, self.user.id

        async def create() -> ProjectSummary:
            target = v.target_word_count
            return await services.projects.create(user_id, v.title, genre=v.genre, target_word_count=target)

        CollectionOp(self, create).success(lambda p: self.open_project(p.id)).run()

    def open_project_dialog(self) -> None:
        if self.services is None or self.user is None:
            return

        def chosen(projects: list[ProjectSummary]) -> None:
            from ghostline_desktop.ui.dialogs.open_project import OpenProjectDialog

            dlg = OpenProjectDialog(projects, parent=self)
            if dlg.exec() == OpenProjectDialog.DialogCode.Accepted and (pid := dlg.selected_project_id()):
                self.open_project(pid)

        services, user_id = self.services, self.user.id
        QueryOp(self, lambda: services.projects.list_projects(user_id)).success(chosen).run()

    def open_demo_project(self) -> None:
        if self.services is None or self.user is None:
            return
        services, user_id = self.services, self.user.id
        self.status.showMessage(self.tr("Creating the demo project…"))
        CollectionOp(self, lambda: services.demo.create_demo_project(user_id)).named("window.demo").with_progress(
            self.tr("Creating the demo project…")
        ).success(lambda p: self.open_project(p.id)).run()

    def fork_project(self) -> None:
        if self.services is None or self.project is None:
            return
        from ghostline_desktop.ui.dialogs.fork_project import ForkProjectDialog

        dlg = ForkProjectDialog(self.project, parent=self)
        if dlg.exec() != ForkProjectDialog.DialogCode.Accepted:
            return
        self.editor.save_now()
        services, project_id, title = self.services, self.project.id, dlg.new_title()
        # A big library takes a while to copy; the author waits for it, with a Cancel button.
        CollectionOp(self, lambda: services.projects.fork(project_id, title)).with_progress(
            self.tr("Forking…"), dialog=True
        ).with_timeout(FORK_TIMEOUT_S).success(lambda p: self.open_project(p.id)).run()

    def save_chapter(self) -> None:
        if self.editor.save_state == "conflict":
            self.editor.force_save()
        else:
            self.editor.save_now()

    def open_outline_chapter(self, position: dict[str, Any], title: str) -> None:
        chapter = self.editor.find_chapter(position, title)
        if chapter is None:
            self.status.showMessage(
                self.tr("“{0}” has no chapter yet: create it with “New chapter…”.").format(title), 6000
            )
            return
        self.editor.open_chapter(chapter.id)

    def show_preferences(self, tab: str | None = None) -> None:
        """Edit ▸ Preferences…; ``tab="ai"`` opens it on the AI provider (the Generate menu offline)."""
        from ghostline_desktop.ui.dialogs.preferences import PreferencesDialog

        dlg = PreferencesDialog(self.settings, parent=self, tab=tab or "general")
        if dlg.exec() != PreferencesDialog.DialogCode.Accepted:
            return
        new = dlg.result_settings()
        restart = (new.database_url, new.data_dir) != (self.settings.database_url, self.settings.data_dir)
        self.settings = new
        self.settingsChanged.emit(new)
        if new.theme:
            self.set_theme(new.theme)
        if restart and self.services is not None:
            ops.show_info(
                self,
                self.tr("Restart needed"),
                self.tr("The new database settings take effect the next time GhostLine starts."),
            )

    def set_theme(self, theme: str) -> None:
        try:
            from ghostline_desktop.ui.theme import apply_theme
        except ImportError:
            self.status.showMessage(self.tr("Themes are not available in this build."), 5000)
            return
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        if theme in self.menus.themes:
            self.menus.themes[theme].setChecked(True)
        if theme != self.settings.theme:
            self._update_settings(theme=theme)

    def show_token_usage(self) -> None:
        if self.services is None or self.user is None:
            return
        from ghostline_desktop.ui.dialogs.token_usage import TokenUsageDialog

        current = getattr(self, "_token_dialog", None)
        if current is not None and current.isVisible():
            current.raise_()
            current.activateWindow()
            return
        # Opens at once with the balance the meter shows; the dialog loads the ledger itself.
        self._token_dialog = TokenUsageDialog(
            self.status.meter.balance, parent=self, services=self.services, user_id=self.user.id
        )
        self.bridge.balanceChanged.connect(self._token_dialog.schedule_reload)
        self._token_dialog.open()

    def show_shortcuts(self) -> None:
        from ghostline_desktop.ui.dialogs.shortcuts import ShortcutsDialog

        self._shortcuts_dialog = ShortcutsDialog(self.menus.shortcut_rows(), parent=self)
        self._shortcuts_dialog.open()

    def show_about(self) -> None:
        from ghostline_desktop.ui.dialogs.about import AboutDialog

        self._about_dialog = AboutDialog(self, data_dir=str(self.settings.data_dir))
        self._about_dialog.open()

    # -- status bar data ------------------------------------------------------------------------
    def refresh_balance(self) -> None:
        if self.services is None or self.user is None:
            return
        services, user_id = self.services, self.user.id
        # The meter's balance plus this month's use and the last operations (its tooltip).
        QueryOp(self, lambda: services.tokens.meter(user_id)).named("window.balance").success(
            self.status.set_balance
        ).run()

    def refresh_notifications(self) -> None:
        if self.services is None or self.user is None:
            return
        services, user_id = self.services, self.user.id

        async def load() -> tuple[int, list[Any]]:
            return await services.notifications.unread_count(user_id), await services.notifications.list(
                user_id, limit=15
            )

        def show(result: tuple[int, list[Any]]) -> None:
            self.status.set_unread(result[0])
            self.status.set_notifications(result[1])

        QueryOp(self, load).named("window.notifications").success(show).run()

    def mark_notifications_read(self) -> None:
        if self.services is None or self.user is None or self.status.unread == 0:
            return
        # NotificationsChanged from the service refreshes the badge.
        services, user_id = self.services, self.user.id
        CollectionOp(self, lambda: services.notifications.mark_all_read(user_id)).run()

    # -- closing ------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        # The count comes from the status bar's job list (fed by events): asking the service
        # loop here could block the GUI thread.
        # Cancelling is shutdown's job (app.py: the runner cancels every job, gives them a few
        # seconds to record it, then kills the pool); cancelling here too would interrupt jobs
        # that are busy recording their first cancellation.
        running = self.status.tasks.active_count()
        asked = running and self.services is not None and self.confirm_quit
        if asked and not prompts.confirm_quit_with_jobs(self, running):
            event.ignore()
            return
        if self._in_focus_mode:
            self.toggle_focus_mode()  # so the saved layout has the panels
        self._unpark_docks()
        if not self.editor.flush_blocking():  # the author chose to look at unsaved text first
            event.ignore()
            return
        if self.persist_layout:
            self.save_layout()
        self.detach()
        event.accept()


PanelDockLike = QDockWidget
