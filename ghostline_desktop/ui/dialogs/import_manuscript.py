"""Preview of a manuscript's split before it becomes a project: chapters with their titles
and word counts, what was left out (contents, preface, licence…), and the edits an author
makes — merge with the next chapter, split at the cursor, rename, include, exclude.

The dialog only edits a ``ManuscriptPreview`` (pure, cheap: slices of text) and writes
nothing; ``ui/manuscript_controller.py`` reads :meth:`ImportManuscriptDialog.values` after
it is accepted. Reading the file and counting its words happen before, off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.core.manuscript_split import LeftOutKind
from ghostline_desktop.core.words import count_words
from ghostline_desktop.errors import ValidationError
from ghostline_desktop.ui.dialogs._common import role_label

if TYPE_CHECKING:
    # Type only: importing it at run time would load SQLAlchemy on the GUI thread at start-up.
    from ghostline_desktop.services.manuscript_import import ManuscriptPreview

MANUSCRIPT_FILTER = "Manuscripts (*.docx *.epub *.md *.markdown *.txt *.text);;All files (*)"
LEFT_OUT_LABELS = {
    LeftOutKind.LICENCE: "Licence",
    LeftOutKind.FRONT_MATTER: "Front matter",
    LeftOutKind.CONTENTS: "Contents",
    LeftOutKind.BACK_MATTER: "Back matter",
    LeftOutKind.EXCLUDED: "Excluded",
}
#: The preview pane shows this much of a chapter; splitting further in needs the whole text.
PREVIEW_CHARS = 400_000


def choose_manuscript(parent: QWidget | None) -> Path | None:
    """The book to import; None when cancelled. Module-level so tests replace it."""
    name, _filter = QFileDialog.getOpenFileName(parent, "Import Manuscript", "", MANUSCRIPT_FILTER)
    return Path(name) if name else None


class ImportManuscriptDialog(QDialog):
    def __init__(
        self, preview: ManuscriptPreview, words: list[int] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importManuscript")
        self.setWindowTitle(self.tr("Import Manuscript — {0}").format(preview.filename))
        self.resize(980, 680)
        self.setSizeGripEnabled(True)
        self.preview = preview
        self._words: dict[str, int] = {}
        if words is not None and len(words) == len(preview.chapters):
            self._words = {c.text: n for c, n in zip(preview.chapters, words, strict=True)}

        self.title_edit = QLineEdit(preview.title, self)
        self.title_edit.setObjectName("importTitle")
        self.title_edit.setMaxLength(500)
        self.found = role_label("", "hint", self)
        self.found.setObjectName("importFound")

        self.chapter_list = QTreeWidget(self)
        self.chapter_list.setObjectName("importChapters")
        self.chapter_list.setColumnCount(3)
        self.chapter_list.setHeaderLabels([self.tr("#"), self.tr("Chapter title"), self.tr("Words")])
        self.chapter_list.setRootIsDecorated(False)
        self.chapter_list.setUniformRowHeights(True)
        self.chapter_list.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        header = self.chapter_list.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)  # the titles get the room, not the numbers
        self.text_view = QPlainTextEdit(self)
        self.text_view.setObjectName("importChapterText")
        self.text_view.setReadOnly(True)
        self.text_view.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.text_view.setPlaceholderText(self.tr("Choose a chapter to read it here; click where a split should go."))

        self.rename_button = QPushButton(self.tr("Rename"), self)
        self.merge_button = QPushButton(self.tr("Merge with next"), self)
        self.split_button = QPushButton(self.tr("Split at cursor"), self)
        self.exclude_button = QPushButton(self.tr("Leave out"), self)
        self.merge_button.setToolTip(self.tr("This chapter and the next become one chapter."))
        self.split_button.setToolTip(self.tr("Click in the text on the right where the new chapter starts."))
        self.exclude_button.setToolTip(self.tr("Not a chapter: it moves to the left-out list, where it can come back."))
        # Two rows of two: in one row the four labels need more than the list pane's share of
        # the dialog under the app theme (its button padding), and the splitter squeezed them
        # until "Merge with next" and "Split at cursor" were cut off.
        chapter_buttons = QGridLayout()
        for k, b in enumerate((self.rename_button, self.exclude_button, self.merge_button, self.split_button)):
            chapter_buttons.addWidget(b, k // 2, k % 2)
        chapter_buttons.setColumnStretch(2, 1)

        self.left_list = QListWidget(self)
        self.left_list.setObjectName("importLeftOut")
        self.left_list.setMaximumHeight(140)
        self.include_button = QPushButton(self.tr("Include as chapter"), self)
        left_row = QHBoxLayout()
        left_row.addWidget(role_label(self.tr("Left out (not chapters):"), "heading", self), 1)
        left_row.addWidget(self.include_button)

        self.error = role_label("", "error", self)
        self.error.setObjectName("importError")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Create Project"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("Project &title"), self.title_edit)
        left_pane = QWidget(self)
        lp = QVBoxLayout(left_pane)
        lp.setContentsMargins(0, 0, 0, 0)
        lp.addWidget(self.chapter_list, 1)
        lp.addLayout(chapter_buttons)
        # The pane never gets narrower than its buttons (the splitter would clip their labels).
        left_pane.setMinimumWidth(lp.sizeHint().width())
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.setChildrenCollapsible(False)
        split.addWidget(left_pane)
        split.addWidget(self.text_view)
        split.setSizes([440, 520])
        layout = QVBoxLayout(self)
        layout.addWidget(role_label(self.tr("Check how the book was split"), "heading", self))
        layout.addLayout(form)
        layout.addWidget(self.found)
        layout.addWidget(split, 1)
        layout.addLayout(left_row)
        layout.addWidget(self.left_list)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.chapter_list.currentItemChanged.connect(lambda *_a: self._chapter_chosen())
        self.chapter_list.itemChanged.connect(self._title_edited)
        self.rename_button.clicked.connect(self.rename_current)
        self.merge_button.clicked.connect(self.merge_current)
        self.split_button.clicked.connect(self.split_at_cursor)
        self.exclude_button.clicked.connect(self.exclude_current)
        self.include_button.clicked.connect(self.include_current)
        self.left_list.currentRowChanged.connect(lambda _r: self._update_buttons())
        self.title_edit.textChanged.connect(lambda _t: self._update_buttons())
        self._fill(0)

    # -- drawing ------------------------------------------------------------------------------
    def words(self, text: str) -> int:
        n = self._words.get(text)
        if n is None:
            n = self._words[text] = count_words(text)
        return n

    def _fill(self, select: int) -> None:
        p = self.preview
        self.chapter_list.blockSignals(True)
        self.chapter_list.clear()
        for i, chapter in enumerate(p.chapters):
            item = QTreeWidgetItem([str(i + 1), chapter.title, f"{self.words(chapter.text):,}"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(1, chapter.heading or chapter.title)
            self.chapter_list.addTopLevelItem(item)
        self.chapter_list.blockSignals(False)
        self.left_list.clear()
        for piece in p.left_out:
            kind = self.tr(LEFT_OUT_LABELS.get(piece.kind, piece.kind.value))
            words = count_words(piece.text[:200_000])
            row = QListWidgetItem(f"{kind} · {piece.title or self.tr('(untitled)')} · {words:,} words")
            row.setToolTip(piece.text[:600])
            self.left_list.addItem(row)
        total = sum(self.words(c.text) for c in p.chapters)
        self.found.setText(
            self.tr("{0} chapters, {1:,} words, from “{2}”. {3} part(s) of the file left out.").format(
                len(p.chapters), total, p.filename, len(p.left_out)
            )
        )
        chosen = self.chapter_list.topLevelItem(max(0, min(select, len(p.chapters) - 1)))
        if chosen is not None:
            self.chapter_list.setCurrentItem(chosen)
        else:
            self.text_view.clear()
        self._update_buttons()

    def current_index(self) -> int:
        item = self.chapter_list.currentItem()
        return self.chapter_list.indexOfTopLevelItem(item) if item is not None else -1

    def _chapter_chosen(self) -> None:
        i = self.current_index()
        if 0 <= i < len(self.preview.chapters):
            text = self.preview.chapters[i].text
            self.text_view.setPlainText(text[:PREVIEW_CHARS])
        self._update_buttons()

    def _update_buttons(self) -> None:
        i, n = self.current_index(), len(self.preview.chapters)
        self.rename_button.setEnabled(i >= 0)
        self.merge_button.setEnabled(0 <= i < n - 1)
        self.split_button.setEnabled(i >= 0)
        self.exclude_button.setEnabled(i >= 0)
        self.include_button.setEnabled(self.left_list.currentRow() >= 0)
        self.ok_button.setEnabled(n > 0 and bool(self.title_edit.text().strip()))

    # -- edits --------------------------------------------------------------------------------
    def _edit(self, change: ManuscriptPreview | None, select: int) -> None:
        if change is None:
            return
        self.preview = change
        self.error.hide()
        self._fill(select)

    def _try(self, make: Callable[[], ManuscriptPreview]) -> ManuscriptPreview | None:
        """Run one edit; a refused one (split at the very start…) says why under the lists."""
        try:
            return make()
        except ValidationError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return None

    def rename_current(self) -> None:
        item = self.chapter_list.currentItem()
        if item is not None:
            self.chapter_list.editItem(item, 1)

    def rename(self, index: int, title: str) -> None:
        self._edit(self._try(lambda: self.preview.renamed(index, title)), index)

    def _title_edited(self, item: QTreeWidgetItem, column: int) -> None:
        if column != 1:
            return
        index = self.chapter_list.indexOfTopLevelItem(item)
        if 0 <= index < len(self.preview.chapters) and item.text(1) != self.preview.chapters[index].title:
            self.rename(index, item.text(1))

    def merge_current(self) -> None:
        i = self.current_index()
        self._edit(self._try(lambda: self.preview.merged(i)), i)

    def split_at_cursor(self) -> None:
        i = self.current_index()
        offset = self.text_view.textCursor().position()
        self._edit(self._try(lambda: self.preview.split_at(i, offset)), i + 1)

    def exclude_current(self) -> None:
        i = self.current_index()
        self._edit(self._try(lambda: self.preview.excluded(i)), i)

    def include_current(self) -> None:
        k = self.left_list.currentRow()
        if k < 0:
            return
        start = self.preview.left_out[k].start
        changed = self._try(lambda: self.preview.included(k))
        if changed is not None:
            select = next((j for j, c in enumerate(changed.chapters) if c.start == start), 0)
            self._edit(changed, select)

    # -- result -------------------------------------------------------------------------------
    def title(self) -> str:
        return " ".join(self.title_edit.text().split())

    def accept(self) -> None:
        if not self.preview.chapters or not self.title():
            return
        super().accept()
