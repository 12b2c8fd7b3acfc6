"""Tools ▸ Token Usage: the plan and balance, the ledger, totals, a chart of daily use, CSV, top-ups.

Opens at once with the balance the window already has; one ``QueryOp`` then brings the ledger's
first page (and the plans, projects and row count), another the totals and the month's chart. The
ledger pages in as the table scrolls (``LedgerModel``), so 100,000 rows open as fast as 100. All
database work runs on the service loop; nothing here blocks the GUI thread.
"""

from __future__ import annotations

import calendar
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, QTimeZone, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.services.dto import TokenBalance
from ghostline_desktop.services.token_dto import LedgerFilter, local_day_bounds
from ghostline_desktop.ui.dialogs._common import format_count, role_label
from ghostline_desktop.ui.ops import CollectionOp, QueryOp
from ghostline_desktop.ui.widgets.token_ledger_model import LedgerModel
from ghostline_desktop.ui.widgets.usage_chart import UsageChart

LOW_FRACTION = 0.1
TYPES = (("All entries", None), ("Debits (AI use)", "DEBIT"), ("Credits", "CREDIT"))


def local_tz() -> str:
    """The author's IANA time zone (days in the chart and the date filters are local days)."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode() or "UTC"
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(name)
    except Exception:  # an unknown or Windows-only id: UTC days are still right, just not local
        return "UTC"
    return name


def _py_date(d: QDate) -> date:
    return date(d.year(), d.month(), d.day())


def choose_csv_path(parent: QWidget | None) -> Path | None:
    """Ask where to save the CSV. Module-level so tests replace it (a file dialog would block)."""
    name, _ = QFileDialog.getSaveFileName(parent, "Export ledger as CSV", "token-ledger.csv", "CSV files (*.csv)")
    if not name:
        return None
    return Path(name if name.lower().endswith(".csv") else name + ".csv")


class AddTokensDialog(QDialog):
    """Amount and a note (the ledger records why tokens were added)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add Tokens"))
        self.setMinimumWidth(380)
        self.amount = QSpinBox(self)
        self.amount.setRange(1, 1_000_000_000)
        self.amount.setSingleStep(10_000)
        self.amount.setValue(50_000)
        self.amount.setGroupSeparatorShown(True)
        self.note = QLineEdit(self)
        self.note.setPlaceholderText(self.tr("What for, e.g. 'Extra budget for the sequel'"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Add"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.note.textChanged.connect(self._validate)
        form = QFormLayout(self)
        form.addRow(self.tr("Tokens"), self.amount)
        form.addRow(self.tr("Note"), self.note)
        form.addRow(self.buttons)
        self._validate()

    def _validate(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.note.text().strip()))


class TokenUsageDialog(QDialog):
    #: The ledger's first page is on screen (tests and the bench time the opening with it).
    loaded = Signal()
    #: Totals and the chart are filled in.
    totalsLoaded = Signal()

    def __init__(
        self,
        balance: TokenBalance | None = None,
        parent: QWidget | None = None,
        *,
        services: Any | None = None,
        user_id: uuid.UUID | None = None,
        tz: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("tokenUsageDialog")
        self.setWindowTitle(self.tr("Token Usage"))
        self.setMinimumWidth(380)
        self.services = services
        self.user_id = user_id if user_id is not None else (balance.user_id if balance else None)
        self.tz = tz or local_tz()
        self.balance = balance
        self.opened_at = time.perf_counter()
        self.plans: list[Any] = []
        self.total_rows: int | None = None
        self._generation = 0
        today = date.today()
        self.chart_year, self.chart_month = today.year, today.month

        self._build_header()
        layout = QVBoxLayout(self)
        layout.addLayout(self.header)
        layout.addWidget(self.bar)
        self.note_label = role_label("", "hint", self)
        layout.addWidget(self.note_label)
        if services is not None and self.user_id is not None:
            self.resize(980, 640)
            self._build_body(layout)
        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.close_buttons.rejected.connect(self.reject)
        layout.addWidget(self.close_buttons)
        if balance is not None:
            self._show_balance(balance)
        if services is not None and self.user_id is not None:
            self._refresh_timer = QTimer(self, singleShot=True, interval=400)
            self._refresh_timer.timeout.connect(self.reload)
            self.reload()

    # -- building --------------------------------------------------------------------------------
    def _build_header(self) -> None:
        self.plan_label = QLabel(self)
        self.balance_label = QLabel(self)
        self.quota_label = QLabel(self)
        self.used_label = QLabel("—", self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(True)
        self.plan_combo = QComboBox(self)
        self.plan_combo.setObjectName("planChooser")
        self.plan_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.plan_combo.setVisible(False)
        self.change_plan_button = QPushButton(self.tr("Change Plan"), self)
        self.change_plan_button.setVisible(False)
        self.change_plan_button.setEnabled(False)
        self.change_plan_button.clicked.connect(self.change_plan)
        self.plan_combo.currentIndexChanged.connect(self._plan_selection_changed)
        self.add_button = QPushButton(self.tr("Add Tokens…"), self)
        self.add_button.setVisible(False)
        self.add_button.clicked.connect(self.add_tokens)
        left = QFormLayout()
        plan_row = QHBoxLayout()
        plan_row.addWidget(self.plan_label)
        plan_row.addWidget(self.plan_combo)
        plan_row.addWidget(self.change_plan_button)
        plan_row.addStretch(1)
        left.addRow(self.tr("Plan"), plan_row)
        left.addRow(self.tr("Balance"), self.balance_label)
        right = QFormLayout()
        right.addRow(self.tr("Monthly quota"), self.quota_label)
        right.addRow(self.tr("Used this month"), self.used_label)
        self.header = QHBoxLayout()
        self.header.addLayout(left, 3)
        self.header.addLayout(right, 2)
        self.header.addWidget(self.add_button)

    def _build_body(self, layout: QVBoxLayout) -> None:
        self.plan_label.setVisible(False)
        self.plan_combo.setVisible(True)
        self.change_plan_button.setVisible(True)
        self.add_button.setVisible(True)
        self.tabs = QTabWidget(self)
        # ledger tab: filters over a lazy table
        ledger = QWidget(self.tabs)
        v = QVBoxLayout(ledger)
        filters = QHBoxLayout()
        self.project_filter = QComboBox(ledger)
        self.project_filter.addItem(self.tr("All projects"), None)
        self.type_filter = QComboBox(ledger)
        for text, value in TYPES:
            self.type_filter.addItem(self.tr(text), value)
        today = QDate.currentDate()
        self.from_check = QCheckBox(self.tr("From"), ledger)
        self.from_date = QDateEdit(today.addDays(1 - today.day()), ledger)
        self.to_check = QCheckBox(self.tr("To"), ledger)
        self.to_date = QDateEdit(today, ledger)
        for d in (self.from_date, self.to_date):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
            d.setEnabled(False)
        self.count_label = QLabel(ledger)
        widgets: list[QWidget] = [QLabel(self.tr("Project"), ledger), self.project_filter]
        widgets += [QLabel(self.tr("Show"), ledger), self.type_filter]
        widgets += [self.from_check, self.from_date, self.to_check, self.to_date]
        for widget in widgets:
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.count_label)
        v.addLayout(filters)
        self.model = LedgerModel(self._load_page, self)
        self.table = QTableView(ledger)
        self.table.setObjectName("ledgerTable")
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        hh = self.table.horizontalHeader()
        for col, width in enumerate((125, 60, 90, 95, 300, 140, 120, 110)):
            hh.resizeSection(col, width)
        hh.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        v.addWidget(self.table)
        self.tabs.addTab(ledger, self.tr("Ledger"))
        # totals tab
        totals = QWidget(self.tabs)
        h = QHBoxLayout(totals)
        self.project_totals = self._totals_table(self.tr("Project"), totals)
        self.task_totals = self._totals_table(self.tr("Task type"), totals)
        for title, table in ((self.tr("By project"), self.project_totals), (self.tr("By task type"), self.task_totals)):
            column = QVBoxLayout()
            column.addWidget(role_label(title, "heading", totals))
            column.addWidget(table)
            h.addLayout(column)
        self.tabs.addTab(totals, self.tr("Totals"))
        # chart tab
        chart_page = QWidget(self.tabs)
        cv = QVBoxLayout(chart_page)
        nav = QHBoxLayout()
        self.prev_month = QToolButton(chart_page)
        self.prev_month.setText("◀")
        self.prev_month.setToolTip(self.tr("Previous month"))
        self.next_month = QToolButton(chart_page)
        self.next_month.setText("▶")
        self.next_month.setToolTip(self.tr("Next month"))
        self.prev_month.clicked.connect(lambda: self._shift_month(-1))
        self.next_month.clicked.connect(lambda: self._shift_month(1))
        self.month_total = QLabel(chart_page)
        nav.addWidget(self.prev_month)
        nav.addWidget(self.next_month)
        nav.addWidget(self.month_total)
        nav.addStretch(1)
        cv.addLayout(nav)
        self.chart = UsageChart(chart_page)
        cv.addWidget(self.chart)
        self.tabs.addTab(chart_page, self.tr("Daily Use"))
        layout.addWidget(self.tabs, 1)
        bottom = QHBoxLayout()
        self.export_button = QPushButton(self.tr("Export CSV…"), self)
        self.export_button.clicked.connect(self.export_csv)
        self.status_label = role_label("", "hint", self)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.status_label, 1)
        layout.addLayout(bottom)
        self.project_filter.currentIndexChanged.connect(self._filters_changed)
        self.type_filter.currentIndexChanged.connect(self._filters_changed)
        self.from_check.toggled.connect(self.from_date.setEnabled)
        self.to_check.toggled.connect(self.to_date.setEnabled)
        for check in (self.from_check, self.to_check):
            check.toggled.connect(self._filters_changed)
        for d in (self.from_date, self.to_date):
            d.dateChanged.connect(self._filters_changed)

    def _totals_table(self, first: str, parent: QWidget) -> QTableWidget:
        t = QTableWidget(0, 3, parent)
        t.setHorizontalHeaderLabels([first, self.tr("Tokens"), self.tr("Operations")])
        t.verticalHeader().setVisible(False)
        t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        return t

    # -- filters -----------------------------------------------------------------------------------
    def filters(self) -> LedgerFilter:
        if self.services is None:
            return LedgerFilter()
        since = until = None
        if self.from_check.isChecked():
            first = _py_date(self.from_date.date())
            since, _ = local_day_bounds(first, first, self.tz)
        if self.to_check.isChecked():
            last = _py_date(self.to_date.date())
            _, until = local_day_bounds(last, last, self.tz)
        project = self.project_filter.currentData()
        return LedgerFilter(
            project_id=uuid.UUID(project) if project else None,
            transaction_type=self.type_filter.currentData(),
            since=since,
            until=until,
        )

    def _filters_changed(self) -> None:
        if not getattr(self, "_filling", False):
            self.reload()

    def _load_page(self, before_seq: int | None) -> Any:
        assert self.services is not None and self.user_id is not None
        return self.services.tokens.ledger_page(self.user_id, self.filters(), before_seq=before_seq)

    # -- loading -----------------------------------------------------------------------------------
    def schedule_reload(self) -> None:
        """The balance changed (a debit, another window's credit): reload soon, once per burst."""
        if self.services is not None:
            self._refresh_timer.start()

    def reload(self) -> None:
        """The header and the ledger's first page, then (in a second op, so the first paint never
        waits for a scan of the whole ledger) the count, this month's use, totals and the chart."""
        services, user_id, f = self.services, self.user_id, self.filters()
        assert services is not None and user_id is not None
        self._generation += 1  # totals still on their way for the old filters are stale now
        QueryOp(self, lambda: services.tokens.overview(user_id, f)).named(f"tokens.overview.{id(self)}").success(
            self._show_overview
        ).run()

    def reload_totals(self) -> None:
        services, user_id, f = self.services, self.user_id, self.filters()
        assert services is not None and user_id is not None
        year, month, tz, generation = self.chart_year, self.chart_month, self.tz, self._generation
        QueryOp(self, lambda: services.tokens.usage_totals(user_id, f, year, month, tz=tz)).named(
            f"tokens.totals.{id(self)}"
        ).success(lambda t: self._show_totals(t) if generation == self._generation else None).run()

    def _show_overview(self, o: Any) -> None:
        self._show_balance(o.balance)
        self._filling = True
        try:
            self.plans = list(o.plans)
            self.plan_combo.clear()
            for p in self.plans:
                self.plan_combo.addItem(
                    self.tr("{0} — {1:,} tokens a month").format(p.display_name, p.monthly_quota), p.name
                )
            self.plan_combo.setCurrentIndex(max(0, self.plan_combo.findData(o.balance.plan_name)))
            chosen = self.project_filter.currentData()
            self.project_filter.clear()
            self.project_filter.addItem(self.tr("All projects"), None)
            for pid, title in o.projects:
                self.project_filter.addItem(title, str(pid))  # a str: Qt compares it in findData
            self.project_filter.setCurrentIndex(max(0, self.project_filter.findData(chosen)))
        finally:
            self._filling = False
        self._plan_selection_changed()
        self.model.reset(o.first_page, o.page_size)
        self.loaded.emit()
        self.reload_totals()

    def _show_totals(self, t: Any) -> None:
        self.total_rows = t.total_rows
        self.count_label.setText(self.tr("{0:,} entries").format(t.total_rows))
        self.used_label.setText(self.tr("%1 tokens").replace("%1", format_count(t.month_used)))
        for table, rows in ((self.project_totals, t.by_project), (self.task_totals, t.by_task_type)):
            table.setRowCount(len(rows))
            for r, total in enumerate(rows):
                for c, value in enumerate((total.label, f"{total.tokens:,}", f"{total.operations:,}")):
                    item = QTableWidgetItem(value)
                    if c:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    table.setItem(r, c, item)
        if (t.year, t.month) == (self.chart_year, self.chart_month):
            self.chart.set_data(t.year, t.month, t.days)
            name = f"{calendar.month_name[t.month]} {t.year}"
            self.month_total.setText(self.tr("{0}: {1:,} tokens used").format(name, sum(t.days)))
        self.totalsLoaded.emit()

    def _shift_month(self, step: int) -> None:
        m = self.chart_year * 12 + self.chart_month - 1 + step
        self.chart_year, self.chart_month = divmod(m, 12)
        self.chart_month += 1
        self.reload_totals()

    def _show_balance(self, b: TokenBalance) -> None:
        self.balance = b
        self.plan_label.setText(b.plan_display_name or b.plan_name)
        self.balance_label.setText(self.tr("%1 tokens").replace("%1", format_count(b.balance)))
        self.quota_label.setText(
            self.tr("%1 tokens a month").replace("%1", format_count(b.monthly_quota))
            if b.monthly_quota > 0
            else self.tr("No monthly quota")
        )
        self.bar.setValue(round(b.fraction_left * 1000))
        self.bar.setFormat(self.tr("%1% left").replace("%1", str(round(b.fraction_left * 100))))
        note = self.tr("Tokens are spent only by AI features; everything else is free and works offline.")
        if b.monthly_quota > 0 and b.fraction_left < LOW_FRACTION:
            note = self.tr("Your balance is running low. ") + note
        self.note_label.setText(note)

    # -- actions -----------------------------------------------------------------------------------
    def _plan_selection_changed(self) -> None:
        current = self.balance.plan_name if self.balance else None
        self.change_plan_button.setEnabled(
            self.plan_combo.count() > 0 and self.plan_combo.currentData() not in (None, current)
        )

    def change_plan(self) -> None:
        services, user_id, name = self.services, self.user_id, self.plan_combo.currentData()
        if services is None or user_id is None or not name:
            return
        self.change_plan_button.setEnabled(False)
        CollectionOp(self, lambda: services.tokens.change_plan(user_id, name)).success(
            lambda b: self._after_write(self.tr("Plan changed to {0}.").format(b.plan_display_name))
        ).run()

    def add_tokens(self) -> None:
        dlg = AddTokensDialog(self)
        self._add_dialog = dlg
        dlg.accepted.connect(lambda: self.credit(dlg.amount.value(), dlg.note.text()))
        dlg.open()

    def credit(self, amount: int, note: str) -> None:
        services, user_id = self.services, self.user_id
        if services is None or user_id is None:
            return
        CollectionOp(self, lambda: services.tokens.credit(user_id, amount, note)).success(
            lambda after: self._after_write(self.tr("Added {0:,} tokens; the balance is {1:,}.").format(amount, after))
        ).run()

    def export_csv(self, path: Path | None = None) -> None:
        services, user_id, f = self.services, self.user_id, self.filters()
        if services is None or user_id is None:
            return
        target = path or choose_csv_path(self)
        if target is None:
            return
        CollectionOp(self, lambda: services.tokens.export_csv(user_id, target, f)).with_progress(
            self.tr("Exporting the ledger…")
        ).success(lambda n: self.status_label.setText(self.tr("Exported {0:,} entries to {1}").format(n, target))).run()

    def _after_write(self, message: str) -> None:
        self.status_label.setText(message)
        self.reload()
