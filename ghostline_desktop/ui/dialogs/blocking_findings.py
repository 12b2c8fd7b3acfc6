"""The export gate: open blocking QA findings, each with a jump to where it is.

An export with OPEN blocking findings is refused by the service (``ExportBlockedError``);
this dialog lists them, most severe first, and "Go to" (or a double-click) asks the QA
controller to open the chapter at the finding. Resolve or waive them in the findings panel,
then export again.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ghostline_desktop.ui.dialogs._common import role_label


class BlockingFindingsDialog(QDialog):
    jumpRequested = Signal(object)  # FindingSummary

    def __init__(self, findings: list[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("blockingFindingsDialog")
        self.setWindowTitle(self.tr("Export Blocked"))
        self.setMinimumWidth(520)
        n = len(findings)
        text = (
            self.tr("A blocking finding must be resolved or waived before this book can be exported.")
            if n == 1
            else self.tr("{0} blocking findings must be resolved or waived before this book can be exported.").format(n)
        )
        heading = role_label(text, "heading", self)
        hint = role_label(
            self.tr(
                "Go to a finding to fix it in the chapter, or waive it in the QA findings panel if it is intended."
            ),
            "hint",
            self,
        )
        self.list = QListWidget(self)
        self.list.setObjectName("blockingFindings")
        for f in findings:
            where = f.chapter_title or self.tr("whole book")
            item = QListWidgetItem(f"[{f.severity.title()}] {where}: {f.title}", self.list)
            item.setData(Qt.ItemDataRole.UserRole, f)
            tip = "\n".join(x for x in (f.excerpt, f.description, f.suggestion) if x)
            if tip:
                item.setToolTip(tip)
        if findings:
            self.list.setCurrentRow(0)
        self.list.itemActivated.connect(self._jump)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.go_button = self.buttons.addButton(self.tr("&Go to Finding"), QDialogButtonBox.ButtonRole.ActionRole)
        self.go_button.clicked.connect(lambda: self._jump(self.list.currentItem()))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(hint)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.buttons)

    def _jump(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        finding = item.data(Qt.ItemDataRole.UserRole)
        if finding is not None:
            self.jumpRequested.emit(finding)
            self.accept()
