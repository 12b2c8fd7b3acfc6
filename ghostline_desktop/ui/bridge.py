"""Service events → Qt signals on the GUI thread.

The bus calls handlers on the publishing (service) thread. ``EventBridge`` lives on the GUI thread;
emitting its signals from another thread makes Qt queue the delivery, so every connected slot runs
on the GUI thread. Subscribe once; views decide themselves whether an event concerns them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, SignalInstance

from ghostline_desktop.services import events as ev

log = logging.getLogger(__name__)


class EventBridge(QObject):
    anyEvent = Signal(object)  # every event, for views that want them all
    projectsChanged = Signal(object)
    sourcesChanged = Signal(object)
    outlineChanged = Signal(object)
    chapterSaved = Signal(object)
    chaptersChanged = Signal(object)
    findingsChanged = Signal(object)
    notificationsChanged = Signal(object)
    balanceChanged = Signal(object)
    jobChanged = Signal(object)  # JobChanged: every state/progress change of a background job
    usageEstimate = Signal(object)
    voiceProfileChanged = Signal(object)
    revisionScored = Signal(object)
    exportsChanged = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._signals: dict[type[ev.Event], SignalInstance] = {
            ev.ProjectsChanged: self.projectsChanged,
            ev.SourcesChanged: self.sourcesChanged,
            ev.OutlineChanged: self.outlineChanged,
            ev.ChapterSaved: self.chapterSaved,
            ev.ChaptersChanged: self.chaptersChanged,
            ev.FindingsChanged: self.findingsChanged,
            ev.NotificationsChanged: self.notificationsChanged,
            ev.BalanceChanged: self.balanceChanged,
            ev.JobChanged: self.jobChanged,
            ev.UsageEstimate: self.usageEstimate,
            ev.VoiceProfileChanged: self.voiceProfileChanged,
            ev.RevisionScored: self.revisionScored,
            ev.ExportsChanged: self.exportsChanged,
        }
        self._unsubscribe: Callable[[], None] | None = None

    def bind(self, bus: ev.EventBus) -> None:
        """Listen to ``bus`` (once the services exist); a second bind replaces the first."""
        self.detach()
        self._unsubscribe = bus.subscribe(self._on_event)

    def _on_event(self, event: ev.Event) -> None:
        """Runs on the service thread: only emit (queued), never touch widgets here."""
        try:
            self.anyEvent.emit(event)
            for kind, signal in self._signals.items():
                if isinstance(event, kind):
                    signal.emit(event)
        except RuntimeError:
            log.debug("Event %r arrived after the bridge was deleted", event)

    def detach(self) -> None:
        """Stop listening (the window is closing or the services are rebuilt)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
