"""Preview Prompt: exactly what an AI run will send, and about what it costs, before it runs.

Three parts, as the request is built (``ai/prompting.py``): the system prompt, the retrieved
passages with the sources they come from, and the instructions. The estimate is the offline
one the token check uses (prompt plus the longest reply allowed); what is debited afterwards is
what the provider reports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.ui.dialogs._common import role_label

if TYPE_CHECKING:
    from ghostline_desktop.services.generation import PromptPreview


def _read_only(text: str, parent: QWidget) -> QPlainTextEdit:
    view = QPlainTextEdit(parent)
    view.setReadOnly(True)
    view.setPlainText(text)
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    return view


class PromptPreviewDialog(QDialog):
    """Shows a :class:`PromptPreview`; ``run_label`` adds a button that accepts the dialog (run it)."""

    def __init__(self, preview: PromptPreview, parent: QWidget | None = None, *, run_label: str | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        prompt = preview.prompt
        self.setObjectName("promptPreview")
        self.setWindowTitle(self.tr("Preview Prompt — %s") % preview.title)
        self.resize(860, 640)
        layout = QVBoxLayout(self)

        n = len(prompt.passages)
        sources = sorted({p.source_title for p in prompt.passages})
        summary = self.tr(
            "About <b>%s tokens</b> at most (%s for the prompt, up to %s for the reply). "
            "%n passage(s) from %s source(s).",
            "",
            n,
        ) % (f"{preview.estimate:,}", f"{prompt.prompt_estimate:,}", f"{prompt.max_completion_tokens:,}", len(sources))
        self.summary = QLabel(summary, self)
        self.summary.setObjectName("previewSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        if preview.note:
            layout.addWidget(role_label(preview.note, "hint", self))

        self.tabs = QTabWidget(self)
        self.system_view = _read_only(prompt.system, self)
        self.instructions_view = _read_only(prompt.instructions, self)
        self.tabs.addTab(self.system_view, self.tr("System prompt"))

        passages = QSplitter(Qt.Orientation.Horizontal, self)
        self.passage_list = QListWidget(passages)
        self.passage_list.setObjectName("previewPassages")
        for i, p in enumerate(prompt.passages, 1):
            item = QListWidgetItem(f"[{i}] {p.where}")
            item.setToolTip(self.tr("Relevance %.3f") % p.score)
            self.passage_list.addItem(item)
        self.passage_text = _read_only("", passages)
        passages.addWidget(self.passage_list)
        passages.addWidget(self.passage_text)
        passages.setSizes([280, 560])
        self.passage_list.currentRowChanged.connect(self._show_passage)
        label = self.tr("Passages (%d)") % n
        self.tabs.addTab(passages, label)
        self.tabs.addTab(self.instructions_view, self.tr("Instructions"))
        self.tabs.addTab(_read_only(prompt.as_text(), self), self.tr("Everything as sent"))
        layout.addWidget(self.tabs, 1)
        if n:
            self.passage_list.setCurrentRow(0)
            self.tabs.setCurrentIndex(1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton(self.tr("Copy All"), self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(prompt.as_text()))
        self.run_button: QPushButton | None = None
        if run_label:
            self.run_button = QPushButton(run_label, self)
            self.run_button.setObjectName("previewRun")
            self.run_button.setDefault(True)
            buttons.addButton(self.run_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _show_passage(self, row: int) -> None:
        passages = self.preview.prompt.passages
        if 0 <= row < len(passages):
            self.passage_text.setPlainText(passages[row].text)
