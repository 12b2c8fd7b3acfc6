"""File ▸ Export Manuscript ▸ <format>…: what goes into the book, how it looks, where it goes.

One dialog for every format; the "Format" tab shows only the options of the chosen one
(PDF trim, heading style and right-hand openings; DOCX standard manuscript format; EPUB
cover). The dialog stays open while the export runs (progress below the tabs) and ends
with "Show in folder" and "Open". Earlier exports of the book are listed under History;
double-clicking one opens it.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.errors import ValidationError
from ghostline_desktop.export import EXTENSIONS
from ghostline_desktop.export.model import RenderOptions
from ghostline_desktop.export.pdf_layout import TRIMS
from ghostline_desktop.services.export_types import ExportInfo, ExportRequest, parse_chapter_range
from ghostline_desktop.ui.dialogs._common import humanize_time, role_label

#: Menu label (menus.EXPORT_FORMATS) → ExportFormat member name.
FORMAT_KEYS = {"PDF": "PDF", "DOCX": "DOCX", "EPUB": "EPUB", "Markdown": "MARKDOWN", "HTML": "HTML"}
HEADING_STYLE_LABELS = {
    "classic": "Classic (label, title, ornament)",
    "modern": "Modern (big numeral)",
    "minimal": "Minimal (title only)",
}


def open_path(path: Path) -> None:
    """Open a file or folder with the desktop's default application (module-level: tests patch it)."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def choose_save_path(parent: QWidget, suggested: Path, fmt_key: str) -> Path | None:
    ext = EXTENSIONS[fmt_key]
    name, _ = QFileDialog.getSaveFileName(parent, parent.tr("Export as"), str(suggested), f"*.{ext}")
    return Path(name) if name else None


def choose_cover(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, parent.tr("Cover image"), "", "Images (*.jpg *.jpeg *.png)")
    return Path(name) if name else None


class ExportOptionsDialog(QDialog):
    exportRequested = Signal()
    cancelRequested = Signal()
    historyOpenRequested = Signal(object)  # ExportInfo

    def __init__(
        self,
        fmt: str,
        chapters: list[Any],
        defaults: dict[str, Any],
        *,
        output_dir: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.fmt_label = fmt
        self.fmt_key = FORMAT_KEYS.get(fmt, fmt.upper())
        self.chapters = chapters
        self.result_path: Path | None = None
        self.setObjectName("exportOptionsDialog")
        self.setWindowTitle(self.tr("Export Manuscript as {0}").format(fmt))
        self.setMinimumWidth(560)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._content_tab(), self.tr("&Chapters"))
        self.tabs.addTab(self._title_tab(defaults), self.tr("&Title && Matter"))
        self.tabs.addTab(self._format_tab(), self.tr("&Format"))
        self.history_list = QListWidget(self)
        self.history_list.setObjectName("exportHistory")
        self.history_list.itemActivated.connect(self._history_activated)
        self.tabs.addTab(self.history_list, self.tr("&History"))

        ext = EXTENSIONS[self.fmt_key]
        stem = "".join(c for c in defaults.get("title", "book") if c.isalnum() or c in " -_").strip() or "book"
        self.path_edit = QLineEdit(str(output_dir / f"{stem}.{ext}"), self)
        browse = QPushButton(self.tr("Browse…"), self)
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)
        self.status = role_label("", "hint", self)
        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton(self.tr("Export"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.show_folder_button = self.buttons.addButton(
            self.tr("Show in Folder"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.open_button = self.buttons.addButton(self.tr("Open"), QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        for b in (self.show_folder_button, self.open_button):
            b.setVisible(False)
        self.export_button.clicked.connect(self._export_clicked)
        self.close_button.clicked.connect(self._close_clicked)
        self.show_folder_button.clicked.connect(lambda: self.result_path and open_path(self.result_path.parent))
        self.open_button.clicked.connect(lambda: self.result_path and open_path(self.result_path))

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(QLabel(self.tr("Save to"), self))
        layout.addLayout(path_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.running = False

    # -- tabs -------------------------------------------------------------------------------
    def _content_tab(self) -> QWidget:
        page = QWidget(self)
        self.all_radio = QRadioButton(self.tr("&All chapters"), page)
        self.range_radio = QRadioButton(self.tr("&Range:"), page)
        self.pick_radio = QRadioButton(self.tr("&Selected chapters:"), page)
        self.all_radio.setChecked(True)
        group = QButtonGroup(page)
        for r in (self.all_radio, self.range_radio, self.pick_radio):
            group.addButton(r)
        self.range_edit = QLineEdit(page)
        self.range_edit.setPlaceholderText(self.tr("e.g. 1-5 or 1-3,7"))
        self.range_edit.textEdited.connect(lambda _t: self.range_radio.setChecked(True))
        self.pick_list = QListWidget(page)
        for n, ch in enumerate(self.chapters, 1):
            item = QListWidgetItem(f"{n}. {ch.title}", self.pick_list)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setData(Qt.ItemDataRole.UserRole, ch.id)
        self.pick_list.itemChanged.connect(lambda _i: self.pick_radio.setChecked(True))
        self.revision_combo = QComboBox(page)
        self.revision_combo.addItem(self.tr("Latest text of each chapter"), "latest")
        self.revision_combo.addItem(self.tr("Latest approved revision (approved chapters only)"), "approved")
        range_row = QHBoxLayout()
        range_row.addWidget(self.range_radio)
        range_row.addWidget(self.range_edit, 1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.all_radio)
        layout.addLayout(range_row)
        layout.addWidget(self.pick_radio)
        layout.addWidget(self.pick_list, 1)
        form = QFormLayout()
        form.addRow(self.tr("Re&vision"), self.revision_combo)
        layout.addLayout(form)
        return page

    def _title_tab(self, d: dict[str, Any]) -> QWidget:
        page = QWidget(self)
        self.title_edit = QLineEdit(d.get("title", ""), page)
        self.subtitle_edit = QLineEdit(d.get("subtitle", ""), page)
        self.author_edit = QLineEdit(d.get("author", ""), page)
        self.toc_check = QCheckBox(self.tr("Table of contents"), page)
        self.toc_check.setChecked(True)
        self.dedication_edit = QPlainTextEdit(d.get("dedication", ""), page)
        self.copyright_edit = QPlainTextEdit(d.get("copyright", ""), page)
        self.about_edit = QPlainTextEdit(d.get("about_author", ""), page)
        for edit in (self.dedication_edit, self.copyright_edit, self.about_edit):
            edit.setTabChangesFocus(True)
            edit.setMaximumHeight(70)
        form = QFormLayout(page)
        form.addRow(self.tr("Title"), self.title_edit)
        form.addRow(self.tr("Subtitle"), self.subtitle_edit)
        form.addRow(self.tr("Author"), self.author_edit)
        form.addRow("", self.toc_check)
        form.addRow(self.tr("Dedication"), self.dedication_edit)
        form.addRow(self.tr("Copyright page"), self.copyright_edit)
        form.addRow(self.tr("About the author"), self.about_edit)
        return page

    def _format_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.trim_combo = QComboBox(page)
        for key, trim in TRIMS.items():
            self.trim_combo.addItem(trim.label, key)
        self.heading_combo = QComboBox(page)
        for key, text in HEADING_STYLE_LABELS.items():
            self.heading_combo.addItem(text, key)
        self.right_check = QCheckBox(self.tr("Start each chapter on a right-hand page"), page)
        self.right_check.setChecked(True)
        self.smf_check = QCheckBox(self.tr("Standard manuscript format (12 pt, double-spaced, 1-inch margins)"), page)
        self.cover_edit = QLineEdit(page)
        self.cover_edit.setPlaceholderText(self.tr("Optional JPEG or PNG (scaled below 4 megapixels)"))
        cover_browse = QPushButton(self.tr("Browse…"), page)
        cover_browse.clicked.connect(self._browse_cover)
        cover_row = QHBoxLayout()
        cover_row.addWidget(self.cover_edit, 1)
        cover_row.addWidget(cover_browse)
        pdf_widgets = [self.trim_combo, self.heading_combo, self.right_check]
        cover_widgets = [self.cover_edit, cover_browse]
        shown: list[QWidget] = []
        if self.fmt_key == "PDF":
            form.addRow(self.tr("Trim size"), self.trim_combo)
            form.addRow(self.tr("Chapter headings"), self.heading_combo)
            form.addRow("", self.right_check)
            hint = self.tr("The inside margin grows with the page count, as printers require.")
            form.addRow(role_label(hint, "hint", page))
            shown = pdf_widgets
        elif self.fmt_key == "DOCX":
            form.addRow("", self.smf_check)
            shown = [self.smf_check]
        elif self.fmt_key == "EPUB":
            form.addRow(self.tr("Cover"), cover_row)
            shown = cover_widgets
        else:
            form.addRow(role_label(self.tr("No options for this format."), "hint", page))
        # The other formats' controls exist (request() reads them all) but are not laid out.
        for w in [*pdf_widgets, self.smf_check, *cover_widgets]:
            if w not in shown:
                w.hide()
        return page

    # -- reading the choices ------------------------------------------------------------------
    def chapter_ids(self) -> tuple[uuid.UUID, ...] | None:
        if self.all_radio.isChecked():
            return None
        if self.range_radio.isChecked():
            positions = parse_chapter_range(self.range_edit.text(), len(self.chapters))
            return tuple(self.chapters[n - 1].id for n in positions)
        picked = []
        for i in range(self.pick_list.count()):
            item = self.pick_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                picked.append(item.data(Qt.ItemDataRole.UserRole))
        if not picked:
            raise ValidationError(self.tr("Choose at least one chapter."))
        return tuple(picked)

    def request(self, project_id: uuid.UUID, user_id: uuid.UUID | None) -> ExportRequest:
        """The export the author asked for; raises ValidationError for a bad range or path."""

        def text(edit: QPlainTextEdit) -> str | None:
            return edit.toPlainText().strip() or None

        path = self.path_edit.text().strip()
        if not path:
            raise ValidationError(self.tr("Choose where to save the file."))
        return ExportRequest(
            project_id,
            self.fmt_key,
            chapter_ids=self.chapter_ids(),
            revision=str(self.revision_combo.currentData()),
            title=self.title_edit.text().strip() or None,
            subtitle=self.subtitle_edit.text().strip(),
            author=self.author_edit.text().strip(),
            toc=self.toc_check.isChecked(),
            dedication=text(self.dedication_edit),
            copyright=text(self.copyright_edit),
            about_author=text(self.about_edit),
            cover_path=self.cover_edit.text().strip() or None if self.fmt_key == "EPUB" else None,
            options=RenderOptions(
                trim=str(self.trim_combo.currentData()),
                heading_style=str(self.heading_combo.currentData()),
                chapters_on_right=self.right_check.isChecked(),
                standard_manuscript=self.smf_check.isChecked(),
            ),
            destination=str(Path(path).expanduser()),
            user_id=user_id,
        )

    # -- state shown ---------------------------------------------------------------------------
    def set_history(self, items: list[ExportInfo]) -> None:
        self.history_list.clear()
        for e in items:
            when = humanize_time(e.created_at)
            size = f", {e.file_size / 1024:,.0f} KB" if e.file_size else ""
            status = "" if e.status == "READY" else f" — {e.status.lower()}"
            item = QListWidgetItem(f"{e.format.title()} v{e.version} · {when}{size}{status}", self.history_list)
            item.setData(Qt.ItemDataRole.UserRole, e)
            if e.error:
                item.setToolTip(e.error)
        if not items:
            QListWidgetItem(self.tr("No exports of this book yet."), self.history_list).setFlags(
                Qt.ItemFlag.NoItemFlags
            )

    def set_running(self, running: bool, message: str = "") -> None:
        self.running = running
        self.progress.setVisible(running)
        if running:
            self.progress.setValue(0)
        self.export_button.setEnabled(not running)
        self.tabs.setEnabled(not running)
        self.close_button.setText(self.tr("Cancel Export") if running else self.tr("Close"))
        self.status.setText(message)

    def set_progress(self, fraction: float, message: str | None) -> None:
        self.progress.setValue(int(fraction * 100))
        if message:
            self.status.setText(message)

    def show_done(self, path: Path) -> None:
        self.set_running(False, self.tr("Saved {0}").format(path))
        self.result_path = path
        self.show_folder_button.setVisible(True)
        self.open_button.setVisible(True)
        self.open_button.setFocus()

    def show_failed(self, message: str) -> None:
        self.set_running(False, message)

    # -- slots -----------------------------------------------------------------------------------
    def _export_clicked(self) -> None:
        self.show_folder_button.setVisible(False)
        self.open_button.setVisible(False)
        self.exportRequested.emit()

    def _close_clicked(self) -> None:
        if self.running:
            self.cancelRequested.emit()
        else:
            self.reject()

    def _browse(self) -> None:
        chosen = choose_save_path(self, Path(self.path_edit.text()), self.fmt_key)
        if chosen is not None:
            ext = "." + EXTENSIONS[self.fmt_key]
            self.path_edit.setText(str(chosen if chosen.suffix.lower() == ext else chosen.with_name(chosen.name + ext)))

    def _browse_cover(self) -> None:
        chosen = choose_cover(self)
        if chosen is not None:
            self.cover_edit.setText(str(chosen))

    def _history_activated(self, item: QListWidgetItem) -> None:
        info = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(info, ExportInfo):
            self.historyOpenRequested.emit(info)
