"""A polite kill is a quit: SIGTERM, SIGHUP and SIGINT reach Qt as a signal of our own.

Python runs a signal handler only between bytecodes of the main thread, and while Qt sits in
its C++ event loop no bytecode runs — a handler alone would wait for the next mouse move. So the
C-level handler's wake-up byte (``signal.set_wakeup_fd``) goes into one end of a socket pair and
a ``QSocketNotifier`` on the other end wakes the Qt loop; the byte is the signal's number, read
and re-emitted as :attr:`QuitSignals.received`. The Python handlers themselves do nothing (they
exist to replace the default "terminate at once"). Nothing here blocks the GUI.

``app.py`` connects ``received`` (and ``QGuiApplication.commitDataRequest``, the desktop session
ending) to the same quit path as File ▸ Quit: the working text is flushed, jobs are cancelled
and the embedded server stops.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
from types import FrameType
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, Signal

log = logging.getLogger(__name__)


def polite_signals() -> tuple[signal.Signals, ...]:
    """The signals that mean "please quit" on this platform (no SIGHUP on Windows)."""
    names = ("SIGTERM", "SIGHUP", "SIGINT")
    return tuple(getattr(signal, n) for n in names if hasattr(signal, n))


def _ignore(_signum: int, _frame: FrameType | None) -> None:
    """The work happens in the Qt slot; the wake-up byte carries the signal number."""


class QuitSignals(QObject):
    #: The signal number of a polite kill (queued into the Qt loop).
    received = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._read, self._write = socket.socketpair()
        self._read.setblocking(False)
        self._write.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._write.fileno(), warn_on_full_buffer=False)
        self._previous: dict[signal.Signals, Any] = {}
        for sig in polite_signals():
            self._previous[sig] = signal.signal(sig, _ignore)
        self._notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._readable)
        self._installed = True

    def _readable(self) -> None:
        try:
            data = self._read.recv(64)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            log.exception("Reading the signal socket failed")
            return
        polite = {int(s) for s in polite_signals()}
        for signum in dict.fromkeys(data):  # each signal once, in arrival order
            if signum in polite:
                log.info("Received %s", signal.Signals(signum).name)
                self.received.emit(signum)

    def uninstall(self) -> None:
        """Give the process its previous handlers back (tests; the app keeps them to the end)."""
        if not self._installed:
            return
        self._installed = False
        self._notifier.setEnabled(False)
        for sig, previous in self._previous.items():
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(sig, previous if previous is not None else signal.SIG_DFL)
        with contextlib.suppress(ValueError):
            signal.set_wakeup_fd(self._previous_fd)
        self._read.close()
        self._write.close()
