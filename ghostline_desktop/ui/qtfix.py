"""Work around a reference-count bug in PySide6 6.12.0 on Python 3.11.

``SignalInstance.emit()`` returns ``True`` without taking a new reference, so every emit from
Python takes one reference away from ``True``; after a few thousand emits the interpreter aborts
("Fatal Python error: bool_dealloc"). On Python 3.12+ ``True`` is immortal and nothing happens.
:func:`emit` detects the bug once at import and gives the reference back after each emit; on a
fixed PySide or a newer Python it is a plain ``emit``. Emit through this helper everywhere.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def _emit_steals_true() -> bool:
    if sys.version_info >= (3, 12):
        return False  # immortal bools: a missing reference cannot hurt
    probe = _Probe()
    before = sys.getrefcount(True)
    probe.ping.emit()
    lost = before - sys.getrefcount(True)
    for _ in range(max(lost, 0)):
        _incref(True)  # repay the probe itself
    return lost > 0


EMIT_STEALS_TRUE = _emit_steals_true()


def emit(signal: SignalInstance, *args: Any) -> None:
    """``signal.emit(*args)``, repaying the reference a buggy PySide takes from ``True``."""
    signal.emit(*args)
    if EMIT_STEALS_TRUE:
        _incref(True)
