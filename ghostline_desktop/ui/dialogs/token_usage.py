"""Token usage: the plan, what is left of this month's quota, and a bar to see it at a glance."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from ghostline_desktop.services.dto import TokenBalance
from ghostline_desktop.ui.dialogs._common import format_count, role_label

LOW_FRACTION = 0.1


class TokenUsageDialog(QDialog):
    def __init__(self, balance: TokenBalance, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Token Usage"))
        self.setMinimumWidth(380)
        self.balance = balance

        self.plan_label = QLabel(balance.plan_display_name or balance.plan_name, self)
        self.balance_label = QLabel(self.tr("%1 tokens").replace("%1", format_count(balance.balance)), self)
        quota_text = (
            self.tr("%1 tokens a month").replace("%1", format_count(balance.monthly_quota))
            if balance.monthly_quota > 0
            else self.tr("No monthly quota")
        )
        self.quota_label = QLabel(quota_text, self)

        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setValue(round(balance.fraction_left * 1000))
        percent = round(balance.fraction_left * 100)
        self.bar.setFormat(self.tr("%1% left").replace("%1", str(percent)))
        self.bar.setTextVisible(True)

        form = QFormLayout()
        form.addRow(self.tr("Plan"), self.plan_label)
        form.addRow(self.tr("Balance"), self.balance_label)
        form.addRow(self.tr("Monthly quota"), self.quota_label)

        note = self.tr("Tokens are spent only by AI features; everything else is free and works offline.")
        if balance.monthly_quota > 0 and balance.fraction_left < LOW_FRACTION:
            note = self.tr("Your balance is running low. ") + note
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.bar)
        layout.addWidget(role_label(note, "hint", self))
        layout.addWidget(buttons)
