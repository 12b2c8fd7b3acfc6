"""About, shortcuts, token usage and error dialogs, plus a leak test that a closed dialog is freed."""

from __future__ import annotations

import gc
import uuid
import weakref

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ghostline_desktop.errors import DatabaseUnavailableError
from ghostline_desktop.services.dto import TokenBalance
from ghostline_desktop.ui.dialogs.about import AboutDialog
from ghostline_desktop.ui.dialogs.error import ErrorDialog
from ghostline_desktop.ui.dialogs.new_project import NewProjectDialog
from ghostline_desktop.ui.dialogs.open_project import OpenProjectDialog
from ghostline_desktop.ui.dialogs.shortcuts import ShortcutsDialog
from ghostline_desktop.ui.dialogs.token_usage import TokenUsageDialog
from tests.ui.test_dialogs_projects import project


def test_about_mentions_version_and_data_dir(qtbot: QtBot) -> None:
    dlg = AboutDialog(data_dir="/tmp/somewhere")
    qtbot.addWidget(dlg)
    assert "GhostLine" in dlg.windowTitle()
    assert "/tmp/somewhere" in dlg.details.text()


def test_shortcuts_table_and_filter(qtbot: QtBot) -> None:
    dlg = ShortcutsDialog([("&New Project…", "Ctrl+N"), ("Save", "Ctrl+S"), ("Find", "Ctrl+F")])
    qtbot.addWidget(dlg)
    assert dlg.table.rowCount() == 3
    assert dlg.table.item(0, 0).text() == "New Project…"  # mnemonic ampersand dropped
    assert dlg.table.item(1, 1).text() == "Ctrl+S"
    qtbot.keyClicks(dlg.filter_edit, "sav")
    assert dlg.visible_rows() == [("Save", "Ctrl+S")]


def test_token_usage_shows_plan_balance_and_bar(qtbot: QtBot) -> None:
    balance = TokenBalance(
        uuid.uuid4(), balance=25_000, monthly_quota=100_000, plan_name="free", plan_display_name="Free"
    )
    dlg = TokenUsageDialog(balance)
    qtbot.addWidget(dlg)
    assert dlg.plan_label.text() == "Free"
    assert dlg.balance_label.text() == "25,000 tokens"
    assert dlg.quota_label.text() == "100,000 tokens a month"
    assert dlg.bar.value() == 250
    assert dlg.bar.text() == "25% left"


def test_token_usage_without_quota(qtbot: QtBot) -> None:
    balance = TokenBalance(uuid.uuid4(), balance=0, monthly_quota=0, plan_name="local", plan_display_name="")
    dlg = TokenUsageDialog(balance)
    qtbot.addWidget(dlg)
    assert dlg.plan_label.text() == "local"
    assert dlg.quota_label.text() == "No monthly quota"
    assert dlg.bar.value() == 0


def test_error_dialog_from_typed_error(qtbot: QtBot) -> None:
    dlg = ErrorDialog.for_exception(
        DatabaseUnavailableError("The server at db:5432 refused the connection."),
        details_hint="Check Preferences ▸ Database.",
    )
    qtbot.addWidget(dlg)
    assert dlg.windowTitle() == "Database unavailable"
    assert dlg.message_label.text() == "The server at db:5432 refused the connection."
    assert not dlg.hint_label.isHidden()
    plain = ErrorDialog("Oops", "Something broke")
    qtbot.addWidget(plain)
    assert plain.hint_label.isHidden()


def _freed_after_close(make: type, *args: object) -> bool:
    dlg = make(*args)
    ref = weakref.ref(dlg)
    destroyed: list[bool] = []
    dlg.destroyed.connect(lambda: destroyed.append(True))
    dlg.show()
    dlg.close()
    dlg.deleteLater()
    del dlg
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    gc.collect()
    return ref() is None and destroyed == [True]


def test_closed_dialogs_are_freed(qtbot: QtBot) -> None:
    assert _freed_after_close(NewProjectDialog)
    assert _freed_after_close(OpenProjectDialog, [project("A"), project("B")])
    assert _freed_after_close(ShortcutsDialog, [("Save", "Ctrl+S")])
