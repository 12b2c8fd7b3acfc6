"""Small modal questions the flows ask: a password, a yes/no, files or a folder to import, quitting
with jobs running.

Module-level functions on purpose: callers look them up as ``prompts.ask_password(...)`` so tests
patch them the way they patch ``ops.show_error`` (a modal would block the test).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget


def import_filter() -> str:
    from ghostline_desktop.ui.drops import accepted_suffixes

    patterns = " ".join(f"*{s}" for s in sorted(accepted_suffixes()))
    return f"Sources ({patterns});;All files (*)"


def choose_import_files(parent: QWidget | None) -> list[Path]:
    """Files to import (multi-select); empty when the author cancelled."""
    names, _filter = QFileDialog.getOpenFileNames(parent, "Import Sources", "", import_filter())
    return [Path(n) for n in names]


def choose_import_folder(parent: QWidget | None) -> Path | None:
    """A folder whose files (recursively) are imported; None when cancelled."""
    name = QFileDialog.getExistingDirectory(parent, "Import a Folder of Sources")
    return Path(name) if name else None


def ask_password(parent: QWidget | None, title: str, *, wrong: bool = False) -> str | None:
    """The password of an encrypted file (never stored); None when cancelled."""
    prompt = (
        f"That password did not open “{title}”. Try again:"
        if wrong
        else f"“{title}” is protected by a password. Enter it to import the file:"
    )
    text, ok = QInputDialog.getText(parent, "Password needed", prompt, QLineEdit.EchoMode.Password)
    return text if ok and text else None


def confirm(parent: QWidget | None, title: str, text: str, accept: str, reject: str = "Cancel") -> bool:
    """A question with two named buttons (no bare Yes/No); True when ``accept`` was chosen."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes = box.addButton(accept, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(reject, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)
    box.exec()
    return box.clickedButton() is yes


def confirm_quit_with_jobs(parent: QWidget | None, count: int) -> bool:
    """Ask "Cancel N running jobs and quit?" — True to cancel them and quit, False to keep working."""
    jobs = "1 running job" if count == 1 else f"{count} running jobs"
    return confirm(
        parent,
        "Background work is running",
        f"Cancel {jobs} and quit?\n\nA cancelled import can be retried later from the source library.",
        "Cancel Jobs and Quit",
        "Keep Working",
    )
