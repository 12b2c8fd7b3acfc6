"""The editor panel's chapter list: the chapter selector, new chapters, outline lookups.

A mixin so ``editor.py`` stays a readable size; it uses the attributes
:class:`~ghostline_desktop.ui.panels.editor.EditorPanel` defines.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QInputDialog, QWidget

from ghostline_desktop.services.dto import ChapterSummary
from ghostline_desktop.ui import ops

if TYPE_CHECKING:
    from PySide6.QtWidgets import QComboBox, QLabel, QPushButton

    from ghostline_desktop.services.container import Services
    from ghostline_desktop.services.dto import ChapterText

    _Base = QWidget
else:
    _Base = object


class EditorChapterList(_Base):
    services: Services | None
    project_id: uuid.UUID | None
    chapters: list[ChapterSummary]
    chapter_id: uuid.UUID | None
    shown: uuid.UUID | None
    details: ChapterText | None
    chapter_combo: QComboBox
    new_chapter_button: QPushButton
    title_label: QLabel

    # Declared for the type checker only: the class this mixin is combined with defines these.
    def _leave(self) -> None:
        raise NotImplementedError

    def _show_placeholder(self, text: str) -> None:
        raise NotImplementedError

    def _show_status(self, status: str) -> None:
        raise NotImplementedError

    def open_chapter(self, chapter_id: uuid.UUID) -> None:
        raise NotImplementedError

    def refresh_book_words(self) -> None:
        raise NotImplementedError

    def refresh_chapters(self) -> None:
        if self.services is None or self.project_id is None:
            return
        project_id, services = self.project_id, self.services
        ops.QueryOp(self, lambda: services.chapters.list_chapters(project_id)).named(
            f"chapters.list.{id(self)}"
        ).success(lambda rows: self._chapters_loaded(project_id, rows)).run()

    def _chapters_loaded(self, project_id: uuid.UUID, rows: list[ChapterSummary]) -> None:
        if project_id != self.project_id:
            return
        self.chapters = sorted(rows, key=lambda c: (c.order, c.title))
        self.chapter_combo.blockSignals(True)
        self.chapter_combo.clear()
        for ch in self.chapters:
            self.chapter_combo.addItem(f"{ch.order}. {ch.title}", ch.id)
        self.chapter_combo.blockSignals(False)
        self.chapter_combo.setEnabled(bool(self.chapters))
        self.new_chapter_button.setEnabled(True)
        if not self.chapters:
            self._leave()
            self._show_placeholder(self.tr("This project has no chapters yet.\n\nUse “New Chapter…” to start writing."))
            return
        current = next((c for c in self.chapters if c.id == self.chapter_id), None)
        if current is not None:
            self._select_combo(current.id)
            self._show_status(current.status)
            if current.id == self.shown and self.details is not None and current.title != self.details.title:
                self.title_label.setText(current.title)
        else:  # nothing open yet, or the open chapter was deleted elsewhere
            self.open_chapter(self.chapters[0].id)
        self.refresh_book_words()

    def combo_index(self, chapter_id: uuid.UUID) -> int:
        """findData() compares Python objects by identity, so equal UUIDs would not match."""
        for i in range(self.chapter_combo.count()):
            if self.chapter_combo.itemData(i) == chapter_id:
                return i
        return -1

    def _select_combo(self, chapter_id: uuid.UUID) -> None:
        idx = self.combo_index(chapter_id)
        if idx >= 0:
            self.chapter_combo.blockSignals(True)
            self.chapter_combo.setCurrentIndex(idx)
            self.chapter_combo.blockSignals(False)

    def _combo_activated(self, index: int) -> None:
        chapter_id = self.chapter_combo.itemData(index)
        if chapter_id is not None and chapter_id != self.chapter_id:
            self.open_chapter(chapter_id)

    def find_chapter(self, position: dict[str, Any], title: str) -> ChapterSummary | None:
        """The chapter matching an outline entry: by outline_position first, then by title."""
        for ch in self.chapters:
            pos = ch.outline_position or {}
            keys = ("part", "chapter")
            if all(k in pos for k in keys) and all(pos[k] == position.get(k) for k in keys):
                return ch
        wanted = " ".join(title.split()).casefold()
        for ch in self.chapters:
            if " ".join(ch.title.split()).casefold() == wanted:
                return ch
        return None

    def ask_new_chapter(self) -> None:
        if self.services is None or self.project_id is None:
            return
        title, ok = QInputDialog.getText(self, self.tr("New chapter"), self.tr("Chapter title:"))
        if ok and title.strip():
            self.create_chapter(title.strip())

    def create_chapter(self, title: str) -> None:
        if self.services is None or self.project_id is None:
            return
        services, project_id = self.services, self.project_id

        def created(ch: ChapterSummary) -> None:
            self.chapters.append(ch)
            self.refresh_chapters()
            self.open_chapter(ch.id)

        ops.CollectionOp(self, lambda: services.chapters.create(project_id, title)).success(created).run()
