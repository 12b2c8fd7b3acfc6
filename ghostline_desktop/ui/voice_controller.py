"""Tools ▸ Voice Profile (issue 10), and the voice-match score beside the editor.

The dialog builds the profile; scoring happens on the service side (a VOICE_ANALYSIS job per
sealed revision, a rescoring job per new profile). This controller keeps what the author sees in
step: when a revision of the chapter shown is scored (``RevisionScored``) or the profile changes,
the revision history reloads; after each reload the scores' reasons are fetched and put on the
history's Voice column (hover) and in the editor footer (the newest revision's score).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from ghostline_desktop.ui import ops

if TYPE_CHECKING:
    from ghostline_desktop.services.dto import RevisionInfo
    from ghostline_desktop.services.voice import VoiceNote
    from ghostline_desktop.ui.dialogs.voice_profile import VoiceProfileDialog
    from ghostline_desktop.ui.main_window import MainWindow

#: Scores arrive one per revision while a project is rescored: reload the history once for a burst.
RELOAD_DELAY_MS = 500


class VoiceController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.win = window
        self.services: Any = None
        self.user: Any = None
        self.dialog: VoiceProfileDialog | None = None
        self._reload = QTimer(self, singleShot=True, interval=RELOAD_DELAY_MS)
        self._reload.timeout.connect(self._reload_history)
        window.bridge.revisionScored.connect(self._scored)
        window.bridge.voiceProfileChanged.connect(self._profile_changed)
        window.editor.history.loaded.connect(self._history_loaded)

    def attach(self, services: Any, user: Any) -> None:
        self.services = services
        self.user = user

    # -- Tools ▸ Voice Profile… -------------------------------------------------------------------
    def open_profile(self) -> None:
        from ghostline_desktop.ui.dialogs.voice_profile import VoiceProfileDialog

        project = self.win.project
        if self.services is None or project is None:
            self.win.status.showMessage(self.tr("Open a project to build its voice profile."), 5000)
            return
        self.win.editor.save_now()  # learn from the text the author sees
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = VoiceProfileDialog(self.services, project.id, self.win)
        self.dialog.finished.connect(self._dialog_closed)
        self.dialog.load()
        self.dialog.open()

    def _dialog_closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None

    # -- scores beside the editor ----------------------------------------------------------------
    def _scored(self, event: Any) -> None:
        if event.chapter_id == self.win.editor.history.chapter_id:
            self._reload.start()

    def _profile_changed(self, event: Any) -> None:
        if self.win.project is not None and event.project_id == self.win.project.id:
            self._reload.start()

    def _reload_history(self) -> None:
        self.win.editor.history.refresh()

    def _history_loaded(self, rows: list[RevisionInfo]) -> None:
        history = self.win.editor.history
        chapter_id = history.chapter_id
        if self.services is None or chapter_id is None:
            self.win.editor.footer.set_voice(None)
            return
        services = self.services
        ops.QueryOp(self.win.editor, lambda: services.voice.revision_notes(chapter_id)).named("voice.notes").success(
            lambda notes: self._notes_loaded(chapter_id, rows, notes)
        ).failure(lambda _e: None).run()

    def _notes_loaded(self, chapter_id: uuid.UUID, rows: list[RevisionInfo], notes: dict[uuid.UUID, VoiceNote]) -> None:
        history = self.win.editor.history
        if history.chapter_id != chapter_id:
            return
        history.set_voice_notes(notes)
        newest = next((r for r in rows if r.sealed), None)
        self.win.editor.footer.set_voice(notes.get(newest.id) if newest else None)
