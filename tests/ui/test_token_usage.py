"""Tools ▸ Token Usage over the real services: the lazy ledger, filters, totals, the chart, CSV export,
Add tokens and the plan chooser; opened from the window, it follows new debits."""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ghostline_desktop.db.models import GenerationTask, TaskType
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import UserInfo
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.dialogs import token_usage
from ghostline_desktop.ui.dialogs.token_usage import TokenUsageDialog
from ghostline_desktop.ui.main_window import MainWindow
from tests.services.token_support import assert_ledger_consistent, bulk_debits, new_user

WAIT = 15_000


@pytest.fixture(scope="module")
def author(services: Services, run: Callable[[Any], Any]) -> dict[str, Any]:
    """A premium user with 1,000 bulk debits on 'Saga' and 5 drafting debits on 'Novella'."""
    u = run(new_user(services, "premium"))
    saga = run(services.projects.create(u.id, "Saga"))
    novella = run(services.projects.create(u.id, "Novella"))
    run(bulk_debits(services, u.id, 1_000, each=3, project_id=saga.id, spread_days=10))

    async def task() -> uuid.UUID:
        async with services.db.session() as s:
            t = GenerationTask(project_id=novella.id, user_id=u.id, task_type=TaskType.CHAPTER_GENERATION)
            s.add(t)
            await s.flush()
            return t.id

    draft = run(task())
    for i in range(5):
        run(
            services.tokens.debit_usage(
                u.id,
                prompt_tokens=400,
                completion_tokens=100 + i,
                model="gpt",
                description=f"Draft {i}",
                project_id=novella.id,
                generation_task_id=draft,
            )
        )
    return {"user": u, "saga": saga.id, "novella": novella.id}


@pytest.fixture
def dialog(
    qtbot: QtBot, ui_ops: None, services: Services, author: dict[str, Any], wait_ops: Callable[[], None]
) -> Iterator[TokenUsageDialog]:
    dlg = TokenUsageDialog(services=services, user_id=author["user"].id, tz="UTC")
    qtbot.addWidget(dlg)
    with qtbot.waitSignals([dlg.loaded, dlg.totalsLoaded], timeout=WAIT):
        dlg.show()
    yield dlg
    wait_ops()


def test_opens_with_the_first_page_and_pages_in_the_rest(
    dialog: TokenUsageDialog, qtbot: QtBot, author: dict[str, Any]
) -> None:
    m = dialog.model
    assert dialog.total_rows == 1_006 and m.rowCount() == 200  # opening credit + 1,000 + 5
    assert dialog.count_label.text() == "1,006 entries"
    assert m.index(0, 4).data() == "Draft 4" and m.index(0, 2).data() == "−504"
    assert m.index(0, 5).data() == "Novella" and m.index(0, 6).data() == "Chapter draft"
    assert "400 prompt + 104 completion" in m.index(0, 4).data(0x0003)  # ToolTipRole
    assert dialog.balance_label.text() == f"{1_000_000 - 3_000 - sum(500 + i for i in range(5)):,} tokens"
    assert dialog.plan_combo.currentData() == "premium" and not dialog.change_plan_button.isEnabled()
    dialog.table.scrollToBottom()  # the view asks for more as it scrolls
    qtbot.waitUntil(lambda: m.rowCount() >= 400, timeout=WAIT)
    while m.canFetchMore():
        m.fetchMore()
        qtbot.waitUntil(lambda: not m.loading, timeout=WAIT)
    assert m.rowCount() == 1_006 and m.index(1_005, 1).data() == "Credit"
    seqs = [e.seq for e in m.rows]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == len(seqs)


def test_filters_totals_and_chart(dialog: TokenUsageDialog, qtbot: QtBot, author: dict[str, Any]) -> None:
    assert [dialog.project_totals.item(r, 0).text() for r in range(2)] == ["Saga", "Novella"]
    assert dialog.project_totals.item(0, 1).text() == "3,000" and dialog.project_totals.item(0, 2).text() == "1,000"
    kinds = {dialog.task_totals.item(r, 0).text(): dialog.task_totals.item(r, 1).text() for r in range(2)}
    assert kinds == {"Other": "3,000", "Chapter draft": f"{sum(500 + i for i in range(5)):,}"}
    assert sum(dialog.chart.days) == 3_000 + sum(500 + i for i in range(5))
    assert len(dialog.chart.days) >= 28 and "tokens used" in dialog.month_total.text()

    with qtbot.waitSignal(dialog.totalsLoaded, timeout=WAIT):
        dialog.project_filter.setCurrentIndex(dialog.project_filter.findData(str(author["novella"])))
    assert (
        dialog.total_rows == 5
        and dialog.model.rowCount() == 5
        and {e.project_title for e in dialog.model.rows} == {"Novella"}
    )
    assert dialog.project_totals.rowCount() == 1
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        dialog.project_filter.setCurrentIndex(0)
    with qtbot.waitSignal(dialog.totalsLoaded, timeout=WAIT):
        dialog.type_filter.setCurrentIndex(dialog.type_filter.findData("CREDIT"))
    assert dialog.total_rows == 1 and dialog.model.rows[0].transaction_type == "CREDIT"
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        dialog.type_filter.setCurrentIndex(0)
    # a date range that ends before this month: nothing
    with qtbot.waitSignal(dialog.totalsLoaded, timeout=WAIT):
        dialog.to_date.setDate(dialog.to_date.date().addMonths(-2))
        dialog.to_check.setChecked(True)
    assert dialog.total_rows == 0 and dialog.model.rowCount() == 0 and not dialog.model.canFetchMore()
    with qtbot.waitSignal(dialog.totalsLoaded, timeout=WAIT):
        dialog.to_check.setChecked(False)
    assert dialog.total_rows == 1_006

    with qtbot.waitSignal(dialog.totalsLoaded, timeout=WAIT):
        dialog.prev_month.click()
    assert sum(dialog.chart.days) == 0  # nothing last month


def test_export_add_tokens_and_change_plan(
    dialog: TokenUsageDialog,
    qtbot: QtBot,
    services: Services,
    author: dict[str, Any],
    run: Callable[[Any], Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    wait_ops: Callable[[], None],
) -> None:
    target = tmp_path / "ledger.csv"
    monkeypatch.setattr(token_usage, "choose_csv_path", lambda _parent: target)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: "Exported" in dialog.status_label.text(), timeout=WAIT)
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert len(rows) == 1 + 1_006 and rows[1][4] == "Draft 4" and rows[1][5] == "Novella"

    before = dialog.balance.balance if dialog.balance else 0
    dialog.add_tokens()
    add = dialog._add_dialog
    assert not add.buttons.button(add.buttons.StandardButton.Ok).isEnabled()  # a note is required
    add.amount.setValue(12_345)
    add.note.setText("Extra for the sequel")
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        add.accept()
    assert dialog.balance_label.text() == f"{before + 12_345:,} tokens"
    assert dialog.model.rows[0].description == "Extra for the sequel"
    assert "Added 12,345 tokens" in dialog.status_label.text()

    dialog.plan_combo.setCurrentIndex(dialog.plan_combo.findData("basic"))
    assert dialog.change_plan_button.isEnabled()
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        dialog.change_plan_button.click()
    assert (
        dialog.quota_label.text() == "100,000 tokens a month" and "Plan changed to Basic" in dialog.status_label.text()
    )
    assert run(services.accounts.get_user(author["user"].id)).plan_name == "basic"
    wait_ops()
    run(assert_ledger_consistent(services, author["user"].id))


def test_window_opens_it_and_it_follows_debits(
    window: MainWindow, qtbot: QtBot, services: Services, user: UserInfo, run: Callable[[Any], Any]
) -> None:
    window.menus.tokens.trigger()
    dlg = window._token_dialog
    qtbot.waitUntil(lambda: dlg.model.rowCount() > 0, timeout=WAIT)
    window.show_token_usage()  # a second request raises the same dialog
    assert window._token_dialog is dlg
    with qtbot.waitSignal(dlg.loaded, timeout=WAIT):
        run(services.tokens.debit_usage(user.id, prompt_tokens=7, completion_tokens=0, model=None, description="Live"))
    assert dlg.model.rows[0].description == "Live"
    assert ops.pending_count() >= 0
    assert date.today().day - 1 < len(dlg.chart.days)
    dlg.close()


def test_a_closed_usage_dialog_is_freed(
    qtbot: QtBot, ui_ops: None, services: Services, author: dict[str, Any], wait_ops: Callable[[], None]
) -> None:
    import gc
    import weakref

    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    dlg = TokenUsageDialog(services=services, user_id=author["user"].id, tz="UTC")
    with qtbot.waitSignals([dlg.loaded, dlg.totalsLoaded], timeout=WAIT):
        dlg.show()
    wait_ops()
    ref = weakref.ref(dlg)
    destroyed: list[bool] = []
    dlg.destroyed.connect(lambda: destroyed.append(True))
    dlg.close()
    dlg.deleteLater()
    del dlg
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    gc.collect()
    assert ref() is None and destroyed == [True]
