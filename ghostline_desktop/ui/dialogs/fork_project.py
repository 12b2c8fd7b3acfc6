"""Fork as a second edition: explain what is copied and ask for the new title."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from ghostline_desktop.services.dto import ProjectSummary
from ghostline_desktop.ui.dialogs._common import ordinal_word, role_label


def suggested_title(project: ProjectSummary) -> str:
    """The title plus "— Second Edition" for a first edition, "— Third Edition" for a second, and so on."""
    base = project.title
    # Forking a second edition should not stack suffixes: "X — Second Edition — Third Edition".
    marker = " — "
    if marker in base and base.rsplit(marker, 1)[1].endswith("Edition"):
        base = base.rsplit(marker, 1)[0]
    return f"{base}{marker}{ordinal_word(project.edition + 1)} Edition"


class ForkProjectDialog(QDialog):
    def __init__(self, project: ProjectSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Fork as New Edition"))
        self.setMinimumWidth(460)
        self.project = project

        next_edition = ordinal_word(project.edition + 1).lower()
        heading = role_label(
            self.tr("Start a %1 edition of “%2”").replace("%1", next_edition).replace("%2", project.title),
            "heading",
            self,
        )
        explain = role_label(
            self.tr(
                "The new edition is a separate project that starts as a copy of this one: its sources and their "
                "search index, every outline version, each chapter at its latest text, the voice profile and the "
                "QA findings. Task history, exports and notifications stay with the original. Later changes to "
                "either project do not affect the other."
            ),
            "hint",
            self,
        )

        self.title_edit = QLineEdit(suggested_title(project), self)
        self.title_edit.setMaxLength(500)
        self.title_edit.selectAll()
        form = QFormLayout()
        form.addRow(self.tr("New &title"), self.title_edit)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Create Edition"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        self.title_edit.textChanged.connect(lambda text: self.ok_button.setEnabled(bool(text.strip())))
        self.title_edit.setFocus()

    def accept(self) -> None:
        if not self.title_edit.text().strip():
            return
        super().accept()

    def new_title(self) -> str:
        return " ".join(self.title_edit.text().split())
