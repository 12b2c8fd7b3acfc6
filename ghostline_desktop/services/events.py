"""In-process event bus: services publish what changed, views decide whether to refresh.

Subscribers are plain callables run synchronously on the publishing (service) thread;
``ui/bridge.py`` subscribes once and re-emits each event as a queued Qt signal.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ghostline_desktop.services.dto import JobInfo

log = logging.getLogger(__name__)


#: Who caused the work now running on the service loop: an opaque token (the UI passes the id of
#: the widget that started an operation). ``EventBus.publish`` stamps it on each event, so a panel
#: can skip refreshing for its own change instead of filtering echoes with flags.
current_initiator: contextvars.ContextVar[object | None] = contextvars.ContextVar("initiator", default=None)


@dataclass(frozen=True)
class Event:
    """Base of every event."""

    initiator: object | None = field(default=None, kw_only=True, compare=False)


@dataclass(frozen=True)
class ProjectsChanged(Event):
    """A project was created, renamed, archived, forked or deleted."""

    project_id: uuid.UUID
    change: str  # created | renamed | archived | restored | forked | deleted | updated


@dataclass(frozen=True)
class SourcesChanged(Event):
    project_id: uuid.UUID


@dataclass(frozen=True)
class OutlineChanged(Event):
    project_id: uuid.UUID


@dataclass(frozen=True)
class ChapterSaved(Event):
    project_id: uuid.UUID
    chapter_id: uuid.UUID
    revision_number: int
    sealed: bool = True  # a revision was made; False: only the working text changed (autosave)


@dataclass(frozen=True)
class ChaptersChanged(Event):
    """The chapter list changed: a chapter was created, renamed, reordered or deleted.

    Saving a chapter's text is ``ChapterSaved``; this one tells list views to reload."""

    project_id: uuid.UUID
    chapter_id: uuid.UUID | None
    change: str  # created | renamed | reordered | deleted | status


@dataclass(frozen=True)
class FindingsChanged(Event):
    project_id: uuid.UUID


@dataclass(frozen=True)
class NotificationsChanged(Event):
    user_id: uuid.UUID


@dataclass(frozen=True)
class BalanceChanged(Event):
    user_id: uuid.UUID
    balance: int


@dataclass(frozen=True)
class UsageEstimate(Event):
    """A running AI stream's tokens so far, estimated (the meter moves with it); ``tokens`` 0 means
    the job settled and the real debit arrives as ``BalanceChanged``."""

    user_id: uuid.UUID
    job_id: uuid.UUID
    tokens: int


@dataclass(frozen=True)
class VoiceProfileChanged(Event):
    project_id: uuid.UUID


@dataclass(frozen=True)
class RevisionScored(Event):
    """A revision's similarity to the voice profile was (re)computed."""

    project_id: uuid.UUID
    chapter_id: uuid.UUID
    revision_id: uuid.UUID
    score: float | None


@dataclass(frozen=True)
class ExportsChanged(Event):
    project_id: uuid.UUID


@dataclass(frozen=True)
class JobChanged(Event):
    """A background job was queued, started, progressed, finished, failed or was cancelled."""

    job: JobInfo


Handler = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._handlers: list[tuple[type[Event], Handler]] = []
        self._lock = threading.Lock()

    def subscribe(self, handler: Handler, event_type: type[Event] = Event) -> Callable[[], None]:
        """Call ``handler`` for every event of ``event_type``; returns an unsubscribe function."""
        entry = (event_type, handler)
        with self._lock:
            self._handlers.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._handlers:
                    self._handlers.remove(entry)

        return unsubscribe

    def publish(self, event: Event) -> None:
        if event.initiator is None:
            initiator = current_initiator.get()
            if initiator is not None:
                object.__setattr__(event, "initiator", initiator)  # frozen: stamped once, before delivery
        with self._lock:
            handlers = [h for t, h in self._handlers if isinstance(event, t)]
        for handler in handlers:
            try:
                handler(event)
            except Exception:  # a broken view must not break the service that published
                log.exception("Event handler failed for %r", event)
