"""The main window's menu bar. Every item either works or is disabled with a tooltip saying why."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from ghostline_desktop.ui.main_window import MainWindow

COMING = "Coming in a later version: {0}"
EXPORT_FORMATS = ("PDF", "DOCX", "EPUB", "Markdown", "HTML")


class Menus:
    """Holds the actions the window enables/disables as projects open and close."""

    def __init__(self, win: MainWindow) -> None:
        self.win = win
        bar = win.menuBar()
        tr = win.tr

        # -- File -------------------------------------------------------------------------
        self.file = self._menu(tr("&File"))
        self.new_project = self._act(self.file, tr("&New Project…"), win.new_project, QKeySequence.StandardKey.New)
        self.open_project = self._act(
            self.file, tr("&Open Project…"), win.open_project_dialog, QKeySequence.StandardKey.Open
        )
        self.recent = self.file.addMenu(tr("Open &Recent"))
        self.recent.setObjectName("recentMenu")
        self.recent.setToolTipsVisible(True)
        self.recent.aboutToShow.connect(self.fill_recent)
        self.fill_recent()
        self.import_manuscript = self._act(self.file, tr("Import &Manuscript…"), win.manuscripts.import_manuscript)
        self.import_manuscript.setStatusTip(tr("Turn a DOCX, EPUB, Markdown or text book into a new project"))
        self.file.addSeparator()
        # Text is autosaved as the author types; Ctrl+S makes a revision (a checkpoint, with a note).
        self.save = self._act(
            self.file, tr("&Save Revision…"), win.editor.request_save_revision, QKeySequence.StandardKey.Save
        )
        self.fork = self._act(self.file, tr("&Fork as Second Edition…"), win.fork_project)
        self.close_project = self._act(
            self.file, tr("&Close Project"), win.close_project, QKeySequence.StandardKey.Close
        )
        self.file.addSeparator()
        self.import_sources = self._act(
            self.file, tr("&Import Sources…"), win.library.import_files, QKeySequence("Ctrl+Shift+I")
        )
        self.import_folder = self._act(self.file, tr("Import &Folder of Sources…"), win.library.import_folder)
        self.export_menu = self.file.addMenu(tr("&Export Manuscript"))
        self.export_menu.setToolTipsVisible(True)
        self.export = [
            self._act(self.export_menu, tr("{0}…").format(fmt), functools.partial(win.exports.export, fmt))
            for fmt in EXPORT_FORMATS
        ]
        self.file.addSeparator()
        self.quit = self._act(self.file, tr("&Quit"), win.close, QKeySequence.StandardKey.Quit)

        # -- Edit -------------------------------------------------------------------------
        self.edit = self._menu(tr("&Edit"))
        self.undo = self._act(self.edit, tr("&Undo"), win.editor.undo, QKeySequence.StandardKey.Undo)
        self.redo = self._act(self.edit, tr("&Redo"), win.editor.redo, QKeySequence.StandardKey.Redo)
        self.edit.addSeparator()
        self.find = self._act(self.edit, tr("&Find/Replace…"), win.editor.open_find, QKeySequence.StandardKey.Find)
        self.edit.addSeparator()
        self.preferences = self._act(
            self.edit, tr("&Preferences…"), win.show_preferences, QKeySequence.StandardKey.Preferences
        )
        if self.preferences.shortcut().isEmpty():  # no platform default on Linux/Windows
            self.preferences.setShortcut(QKeySequence("Ctrl+,"))

        # -- View -------------------------------------------------------------------------
        self.view = self._menu(tr("&View"))
        for dock in win.docks():
            toggle = dock.toggleViewAction()
            toggle.setStatusTip(tr("Show or hide the {0} panel").format(dock.windowTitle()))
            self.view.addAction(toggle)
        self.view.addSeparator()
        self.focus_mode = self._act(self.view, tr("&Focus Mode"), win.toggle_focus_mode, QKeySequence("F11"))
        self.focus_mode.setCheckable(True)
        self.compare_revisions = self._act(
            self.view, tr("Compare &Revisions…"), win.manuscripts.compare_revisions, QKeySequence("Ctrl+Alt+D")
        )
        self.theme_menu = self.view.addMenu(tr("&Theme"))
        self.theme_menu.setToolTipsVisible(True)
        self.theme_group = QActionGroup(win)
        self.themes: dict[str, QAction] = {}
        for key, text in (("system", tr("System")), ("light", tr("Light")), ("dark", tr("Dark"))):
            act = QAction(text, win, checkable=True)
            act.setData(key)
            act.triggered.connect(lambda _c=False, k=key: win.set_theme(k))
            self.theme_group.addAction(act)
            self.theme_menu.addAction(act)
            self.themes[key] = act
        self.themes.get(win.settings.theme, self.themes["system"]).setChecked(True)

        # -- Generate ---------------------------------------------------------------------
        self.generate = self._menu(tr("&Generate"))
        gen = win.generation
        self.gen_outline = self._act(self.generate, tr("&Outline from Sources…"), gen.outline_from_sources)
        self.gen_draft = self._act(self.generate, tr("&Draft Chapter…"), gen.draft_chapter, QKeySequence("Ctrl+G"))
        self.gen_revise = self._act(self.generate, tr("&Revise with Feedback…"), gen.revise_with_feedback)
        self.gen_feedback = self._act(self.generate, tr("AI &Feedback on Revision"), gen.ai_feedback)
        self.generate.addSeparator()
        self.gen_preview = self._act(self.generate, tr("&Preview Prompt…"), gen.preview_prompt)

        # -- Tools ------------------------------------------------------------------------
        self.tools = self._menu(tr("&Tools"))
        self.run_qa = self._act(self.tools, tr("Run &QA on Book"), win.qa_control.run_book, QKeySequence("F7"))
        self.run_qa_chapter = self._act(
            self.tools, tr("Run QA on &Chapter"), win.qa_control.run_chapter, QKeySequence("Shift+F7")
        )
        self.voice = self._act(self.tools, tr("&Voice Profile…"), win.voice.open_profile)
        self.tokens = self._act(self.tools, tr("&Token Usage"), win.show_token_usage)

        # -- Help -------------------------------------------------------------------------
        self.help = self._menu(tr("&Help"))
        self.shortcuts = self._act(self.help, tr("&Keyboard Shortcuts"), win.show_shortcuts, QKeySequence("F1"))
        self.about = self._act(self.help, tr("&About GhostLine"), win.show_about)

        self.project_actions = [
            *(self.save, self.fork, self.close_project, self.import_sources, self.import_folder),
            *(self.undo, self.redo, self.find, self.compare_revisions),
            *(self.gen_outline, self.gen_draft, self.gen_revise, self.gen_feedback, self.gen_preview),
            *(self.run_qa, self.run_qa_chapter, self.voice, *self.export),
        ]
        self.service_actions = [self.new_project, self.open_project, self.import_manuscript, self.tokens]
        bar.setNativeMenuBar(True)

    # -- helpers ------------------------------------------------------------------------------
    def _menu(self, title: str) -> QMenu:
        menu = self.win.menuBar().addMenu(title)
        menu.setToolTipsVisible(True)  # disabled items explain themselves on hover
        return menu

    def _act(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | None = None,
    ) -> QAction:
        act = QAction(text, self.win)
        if shortcut is not None:
            act.setShortcut(shortcut if isinstance(shortcut, QKeySequence) else QKeySequence(shortcut))
        act.triggered.connect(lambda _checked=False: slot())
        menu.addAction(act)
        return act

    def _coming(self, menu: QMenu, text: str, what: str) -> QAction:
        act = QAction(text, self.win)
        tip = self.win.tr(COMING).format(what)
        act.setToolTip(tip)
        act.setStatusTip(tip)
        act.setEnabled(False)
        act.setProperty("coming", True)
        menu.addAction(act)
        return act

    def fill_recent(self) -> None:
        self.recent.clear()
        entries = self.win.recent_projects()
        for pid, title in entries:
            act = self.recent.addAction(title)
            act.setStatusTip(self.win.tr("Open “{0}”").format(title))
            act.triggered.connect(lambda _c=False, p=pid: self.win.open_project(p))
        if not entries:
            empty = self.recent.addAction(self.win.tr("No recent projects"))
            empty.setEnabled(False)
            empty.setToolTip(self.win.tr("Projects you open appear here."))

    def set_project_open(self, is_open: bool) -> None:
        tip = "" if is_open else self.win.tr("Open a project first.")
        for act in self.project_actions:
            act.setEnabled(is_open)
            act.setToolTip(tip or act.text().replace("&", ""))

    def set_services_ready(self, ready: bool) -> None:
        tip = "" if ready else self.win.tr("Waiting for the database to start.")
        for act in self.service_actions:
            act.setEnabled(ready)
            act.setToolTip(tip or act.text().replace("&", ""))

    def all_actions(self) -> list[QAction]:
        out: list[QAction] = []

        def walk(menu: QMenu) -> None:
            for a in menu.actions():
                sub = a.menu()
                if isinstance(sub, QMenu):
                    walk(sub)
                elif not a.isSeparator():
                    out.append(a)

        for m in (self.file, self.edit, self.view, self.generate, self.tools, self.help):
            walk(m)
        return out

    def shortcut_rows(self) -> list[tuple[str, str]]:
        rows = [
            (a.text().replace("&", ""), a.shortcut().toString(QKeySequence.SequenceFormat.PortableText))
            for a in self.all_actions()
            if not a.shortcut().isEmpty()
        ]
        return rows
