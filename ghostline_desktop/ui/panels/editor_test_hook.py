"""A test hook for the end-to-end tests, which run the real app as a subprocess and cannot type.

``GHOSTLINE_TEST_TYPE="some text"`` makes the editor type that text at the end of the first
chapter it opens, as keystrokes would (each insertion is an ordinary edit: autosave, undo, word
counts all see it). ``GHOSTLINE_TEST_TYPE_CPS=N`` types N characters per second instead of all at
once. After each insertion the app prints ``TYPED <characters so far>`` on stdout (flushed), so
the test knows what the author "typed" before it kills the app. Unset, nothing happens.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

_started = False


def maybe_type(editor: QPlainTextEdit) -> None:
    """Start typing ``GHOSTLINE_TEST_TYPE`` into ``editor`` (once per process)."""
    global _started
    text = os.environ.get("GHOSTLINE_TEST_TYPE")
    if _started or not text:
        return
    _started = True
    try:
        cps = float(os.environ.get("GHOSTLINE_TEST_TYPE_CPS") or 0)
    except ValueError:
        cps = 0.0
    step = 1 if cps > 0 else len(text)
    typed = 0

    def type_next() -> None:
        nonlocal typed
        if typed >= len(text):
            return
        cursor = editor.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text[typed : typed + step])
        editor.setTextCursor(cursor)
        typed += step
        print(f"TYPED {typed}", flush=True)
        if typed < len(text):
            timer.start()

    timer = QTimer(editor, singleShot=True, interval=max(1, round(1000 / cps)) if cps > 0 else 0)
    timer.timeout.connect(type_next)
    timer.start()
