"""Revision history beside the editor: every checkpoint of the chapter, newest first.

Each row: revision number, when, origin (author, AI draft/revision, import, fork, restore), words,
change size against the previous revision (+added / −removed words), voice similarity ("—" until
the voice feature fills it) and the note. The unsealed working text, when there is one, is the
first row, "Working text": what autosave keeps, not yet a revision.

Actions on the selection: Compare (emits ``diffRequested`` for the diff view: two selected rows,
or one and the revision before it), Restore (emits ``restoreRequested``; the editor panel saves
the author's text first, then the service makes the old text a new revision — history is never
rewritten) and "Request changes…", a feedback box stored on the revision as ``user_feedback``;
once saved, ``feedbackSaved`` lets the Generate controller offer to turn it into an AI revision.
An AI draft whose stream was cut short or cancelled shows as "AI draft (incomplete)".

The list reloads itself (debounced) when the editor asks, e.g. after each save of the chapter.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.services.dto import RevisionInfo
from ghostline_desktop.ui.dialogs._common import role_label
from ghostline_desktop.ui.ops import CollectionOp, QueryOp

if TYPE_CHECKING:
    from ghostline_desktop.services.container import Services

#: Who made a revision, in the author's words.
ORIGIN_LABELS = {
    "MANUAL": "Author",
    "AI_DRAFT": "AI draft",
    "AI_REVISION": "AI revision",
    "IMPORT": "Import",
    "FORK": "New edition",
    "RESTORE": "Restore",
}
# No number column: the side panel is narrow, and authors think in times and origins; the number is
# in each row's tooltip and in the detail line of the selected revision.
# Voice before ±: in the narrow side panel the last column is the one that scrolls out of sight.
COLUMNS = ("When", "Origin", "Words", "Voice", "±")
COLUMN_TIPS = (
    "When it was saved",
    "Who made it: the author, an AI draft or revision, an import, a restore",
    "Words in this revision",
    "Similarity to the author's voice (once a voice profile exists); hover a score for the reasons",
    "Change against the previous revision: words added and removed",
)
COL_WHEN, COL_ORIGIN, COL_WORDS, COL_VOICE, COL_CHANGE = range(len(COLUMNS))
COL_KEY = COL_WHEN  # the column whose data holds the revision number
NUMBER_ROLE = Qt.ItemDataRole.UserRole
REFRESH_DELAY_MS = 400


def change_label(info: RevisionInfo) -> str:
    """``+12 −3`` words against the previous revision; "—" when unknown, "no change" for none."""
    if info.words_added is None or info.words_removed is None:
        return "—"
    if not info.words_added and not info.words_removed:
        return "±0"
    parts = []
    if info.words_added:
        parts.append(f"+{info.words_added:,}")
    if info.words_removed:
        parts.append(f"−{info.words_removed:,}")
    return " ".join(parts)


def when_label(when: datetime | None, now: datetime | None = None) -> str:
    """Compact, for a narrow column: "just now", "5 min ago", "14:02" (today), "Yesterday",
    "24 Nov", "24 Nov 2025"; the full date and time is in the tooltip and the detail line."""
    if when is None:
        return "—"
    now = now or datetime.now(UTC)
    seconds = max(0.0, (now - when).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    local, today = when.astimezone(), now.astimezone()
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if (today.date() - local.date()).days == 1:
        return "Yesterday"
    return local.strftime("%d %b" if local.year == today.year else "%d %b %Y").lstrip("0")


INCOMPLETE_TIP = (
    "Incomplete: the AI's stream was cut short or cancelled before it finished, "
    "so this revision holds only the text that arrived."
)


def origin_label(info: RevisionInfo) -> str:
    if not info.sealed:
        return "Working text"
    label = ORIGIN_LABELS.get(info.source, info.source.replace("_", " ").capitalize())
    # Marked in the row itself, not only in a tooltip: an unfinished draft must not pass for a whole one.
    return f"{label} (incomplete)" if info.incomplete else label


class RevisionHistory(QWidget):
    #: (chapter id, revision number): make that revision's text a new revision.
    restoreRequested = Signal(object, int)
    #: (chapter id, revision a, revision b), a < b; 0 is the empty text before revision 1.
    diffRequested = Signal(object, int, int)
    #: The rows shown after a reload (newest first).
    loaded = Signal(list)
    #: (RevisionInfo, global QPoint): a right-click on a revision; the Generate controller shows
    #: its menu (sources of an AI revision, AI feedback, revise with feedback).
    contextMenuRequested = Signal(object, object)
    #: RevisionInfo with its new ``user_feedback``: "Request Changes…" saved a non-empty request;
    #: the Generate controller offers to run Revise with Feedback on it.
    feedbackSaved = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("revisionHistory")
        self.services: Services | None = None
        self.chapter_id: uuid.UUID | None = None
        self.rows: list[RevisionInfo] = []
        self.voice_notes: dict[uuid.UUID, Any] = {}  # revision id → VoiceNote (voice controller)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        heading = QLabel(self.tr("History"), self)
        heading.setObjectName("panelHeading")
        layout.addWidget(heading)

        self.tree = QTreeWidget(self)
        self.tree.setObjectName("revisionList")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels([self.tr(c) for c in COLUMNS])
        # A revision's note (and a request for changes) is a full-width line under its row: in a
        # narrow side panel a Note column would sit off-screen.
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.tree.setIndentation(0)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        for col, tip in enumerate(COLUMN_TIPS):
            self.tree.headerItem().setToolTip(col, self.tr(tip))
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(24)
        for col in range(len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_ORIGIN, QHeaderView.ResizeMode.Stretch)  # the rest of the width
        layout.addWidget(self.tree, 1)

        self.empty = role_label(self.tr("No revisions yet: Save Revision (Ctrl+S) makes the first."), "hint", self)
        layout.addWidget(self.empty)
        self.detail = role_label("", "hint", self)
        self.detail.setObjectName("revisionDetail")
        layout.addWidget(self.detail)

        buttons = QGridLayout()
        self.compare_button = QPushButton(self.tr("Compare"), self)
        self.compare_button.setToolTip(self.tr("Show the changes (select two revisions to compare them)"))
        self.restore_button = QPushButton(self.tr("Restore"), self)
        self.restore_button.setToolTip(self.tr("Make this revision's text the chapter's text, as a new revision"))
        self.feedback_button = QPushButton(self.tr("Request Changes…"), self)
        self.feedback_button.setToolTip(self.tr("Tell the AI what to change in this revision"))
        # Two rows: the side panel is narrow and a clipped "Request Changes…" reads as a glitch.
        buttons.addWidget(self.compare_button, 0, 0)
        buttons.addWidget(self.restore_button, 0, 1)
        buttons.addWidget(self.feedback_button, 1, 0, 1, 2)
        layout.addLayout(buttons)

        self.feedback_box = QWidget(self)
        box = QVBoxLayout(self.feedback_box)
        box.setContentsMargins(0, 0, 0, 0)
        self.feedback_edit = QPlainTextEdit(self.feedback_box)
        self.feedback_edit.setObjectName("feedbackEdit")
        self.feedback_edit.setPlaceholderText(
            self.tr("What should change? e.g. “Tighten the opening; less backstory.”")
        )
        self.feedback_edit.setMaximumHeight(110)
        row = QHBoxLayout()
        self.feedback_save = QPushButton(self.tr("Save Request"), self.feedback_box)
        self.feedback_cancel = QPushButton(self.tr("Cancel"), self.feedback_box)
        row.addStretch(1)
        row.addWidget(self.feedback_cancel)
        row.addWidget(self.feedback_save)
        box.addWidget(self.feedback_edit)
        box.addLayout(row)
        layout.addWidget(self.feedback_box)
        self.feedback_box.hide()

        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.itemDoubleClicked.connect(lambda *_: self.compare())
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.compare_button.clicked.connect(self.compare)
        self.restore_button.clicked.connect(self.restore)
        self.feedback_button.clicked.connect(self.open_feedback)
        self.feedback_save.clicked.connect(self.save_feedback)
        self.feedback_cancel.clicked.connect(self.feedback_box.hide)
        self._show_rows([])

    # -- data ----------------------------------------------------------------------------------
    def attach(self, services: Services) -> None:
        self.services = services

    def show_chapter(self, chapter_id: uuid.UUID | None) -> None:
        if chapter_id != self.chapter_id:
            self.chapter_id = chapter_id
            self.feedback_box.hide()
            self._show_rows([])
        self.refresh()

    def refresh_soon(self) -> None:
        """Reload after a short delay: saves come every few seconds while typing."""
        self._refresh_timer.start()

    def refresh(self) -> None:
        self._refresh_timer.stop()
        if self.services is None or self.chapter_id is None:
            self._show_rows([])
            return
        services, chapter_id = self.services, self.chapter_id
        QueryOp(self, lambda: services.chapters.list_revisions(chapter_id)).named(f"revisions.{id(self)}").success(
            lambda rows: self._loaded(chapter_id, rows)
        ).failure(lambda _exc: self._loaded(chapter_id, [])).run()

    def _loaded(self, chapter_id: uuid.UUID, rows: list[RevisionInfo]) -> None:
        if chapter_id == self.chapter_id:
            self._show_rows(rows)
            self.loaded.emit(rows)

    def _show_rows(self, rows: list[RevisionInfo]) -> None:
        selected = {r.revision_number for r in self.selected()}
        self.rows = rows
        self.tree.blockSignals(True)
        self.tree.clear()
        for info in rows:
            item = QTreeWidgetItem(self._cells(info))
            item.setData(COL_KEY, NUMBER_ROLE, info.revision_number)
            for col in (COL_WORDS, COL_CHANGE, COL_VOICE):
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            when = info.saved_at.astimezone().strftime("%d %b %Y %H:%M") if info.saved_at else ""
            name = self.tr("Revision {0}").format(info.revision_number) if info.sealed else self.tr("Working text")
            for col in range(len(COLUMNS)):
                item.setToolTip(col, f"{name} · {when}")
            if info.incomplete and info.sealed:
                item.setToolTip(COL_ORIGIN, f"{name} · {when}\n{self.tr(INCOMPLETE_TIP)}")
            if not info.sealed:
                font = QFont(item.font(COL_ORIGIN))
                font.setItalic(True)
                for col in range(len(COLUMNS)):
                    item.setFont(col, font)
            self.tree.addTopLevelItem(item)
            self._add_note_line(item, info)
            item.setSelected(info.revision_number in selected)
        self.tree.blockSignals(False)
        self.tree.setVisible(bool(rows))
        self.empty.setVisible(not rows and self.chapter_id is not None)
        self._fit_columns()
        self._selection_changed()

    def _fit_columns(self) -> None:
        """Keep the list at least as wide as its columns. In the narrow side panel, with the
        theme's cell padding, the stretched Origin column was squeezed to nothing (no row showed
        its origin) and ± scrolled out of view; the splitter now gives the history that width."""
        header = self.tree.header()
        needed = sum(max(header.sectionSizeHint(c), self.tree.sizeHintForColumn(c)) for c in range(len(COLUMNS)))
        frame = 2 * self.tree.frameWidth() + self.tree.verticalScrollBar().sizeHint().width()
        self.tree.setMinimumWidth(needed + frame)

    def _add_note_line(self, item: QTreeWidgetItem, info: RevisionInfo) -> None:
        parts = [f"“{info.note}”"] if info.note else []
        if info.user_feedback:
            parts.append(self.tr("changes requested"))
        if not parts:
            return
        line = QTreeWidgetItem(["  " + " · ".join(parts)])
        line.setData(COL_KEY, NUMBER_ROLE, info.revision_number)
        line.setToolTip(COL_KEY, "\n".join(filter(None, [info.note, info.user_feedback])))
        line.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        font = QFont(line.font(COL_KEY))
        font.setItalic(True)
        line.setFont(COL_KEY, font)
        line.setForeground(COL_KEY, self.palette().color(QPalette.ColorRole.PlaceholderText))
        item.addChild(line)
        line.setFirstColumnSpanned(True)
        item.setExpanded(True)

    def set_voice_notes(self, notes: dict[uuid.UUID, Any]) -> None:
        """Each revision's voice-match reasons on hover of its Voice cell (and in the detail line)."""
        self.voice_notes = notes
        by_number = {r.revision_number: r for r in self.rows}
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            info = by_number.get(item.data(COL_KEY, NUMBER_ROLE)) if item is not None else None
            note = notes.get(info.id) if info is not None else None
            if item is not None and note is not None:
                item.setText(COL_VOICE, note.label)
                item.setToolTip(COL_VOICE, self.tr(note.tooltip()))
        self._fit_columns()
        self._selection_changed()

    def note_line(self, number: int) -> str:
        """The note line under revision ``number`` ("" when it has none)."""
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item is not None and item.data(COL_KEY, NUMBER_ROLE) == number and item.childCount():
                child = item.child(0)
                return child.text(COL_KEY).strip() if child is not None else ""
        return ""

    def _cells(self, info: RevisionInfo) -> list[str]:
        return [
            self.tr(when_label(info.saved_at or info.created_at)),
            self.tr(origin_label(info)),
            f"{info.word_count:,}",
            info.similarity_label,
            change_label(info),
        ]

    # -- selection and actions ----------------------------------------------------------------
    def _context_menu(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        number = item.data(COL_KEY, NUMBER_ROLE) if item is not None else None
        info = next((r for r in self.rows if r.revision_number == number), None)
        if info is not None:
            self.select_revision(info.revision_number)
            self.contextMenuRequested.emit(info, self.tree.viewport().mapToGlobal(pos))

    def selected(self) -> list[RevisionInfo]:
        numbers = {item.data(COL_KEY, NUMBER_ROLE) for item in self.tree.selectedItems()}
        return [r for r in self.rows if r.revision_number in numbers]

    def select_revision(self, number: int, *, add: bool = False) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item is not None and item.data(COL_KEY, NUMBER_ROLE) == number:
                if not add:
                    self.tree.clearSelection()
                self.tree.setCurrentItem(item, 0, QItemSelectionModel.SelectionFlag.NoUpdate)
                item.setSelected(True)

    def _selection_changed(self) -> None:
        chosen = self.selected()
        one = chosen[0] if len(chosen) == 1 else None
        self.compare_button.setEnabled(len(chosen) in (1, 2))
        self.restore_button.setEnabled(one is not None and one.sealed and bool(self.rows) and one is not self.rows[0])
        self.feedback_button.setEnabled(one is not None and one.sealed)
        if one is None:
            self.detail.setText(self.tr("{0} revisions").format(len(chosen)) if chosen else "")
            self.feedback_box.hide()
            return
        when = (one.saved_at or one.created_at).astimezone().strftime("%d %b %Y, %H:%M")
        if one.sealed:
            lines = [self.tr("Revision {0} · {1} · {2}").format(one.revision_number, origin_label(one), when)]
        else:
            lines = [self.tr("Working text (not a revision yet) · saved {0}").format(when)]
        if one.incomplete and one.sealed:
            lines.append(self.tr(INCOMPLETE_TIP))
        if one.note:
            lines.append(self.tr("Note: {0}").format(one.note))
        if one.user_feedback:
            lines.append(self.tr("Changes requested: {0}").format(one.user_feedback))
        voice = self.voice_notes.get(one.id)
        if voice is not None:
            lines.append(self.tr(voice.tooltip()))
        self.detail.setText("\n".join(lines))
        # Lay out now, not on the next event-loop pass: a grab or a caller reading the geometry
        # right after a selection saw the label still one line high (the rest of it cut).
        layout = self.layout()
        if layout is not None:
            layout.activate()
        if self.feedback_box.isVisible():
            self.feedback_edit.setPlainText(one.user_feedback or "")

    def compare(self) -> None:
        """Two selected: those two; one: it against the revision before it (0 = empty text)."""
        chosen = self.selected()
        if self.chapter_id is None or not chosen or len(chosen) > 2:
            return
        if len(chosen) == 2:
            a, b = sorted(r.revision_number for r in chosen)
        else:
            b = chosen[0].revision_number
            older = [r.revision_number for r in self.rows if r.revision_number < b]
            a = max(older) if older else 0
        self.diffRequested.emit(self.chapter_id, a, b)

    def restore(self) -> None:
        chosen = self.selected()
        if self.chapter_id is None or len(chosen) != 1 or not chosen[0].sealed:
            return
        self.restoreRequested.emit(self.chapter_id, chosen[0].revision_number)

    def open_feedback(self) -> None:
        chosen = self.selected()
        if len(chosen) != 1 or not chosen[0].sealed:
            return
        self.feedback_edit.setPlainText(chosen[0].user_feedback or "")
        self.feedback_box.show()
        self.feedback_edit.setFocus()

    def save_feedback(self) -> None:
        chosen = self.selected()
        if self.services is None or len(chosen) != 1:
            return
        services, revision = self.services, chosen[0]
        text = self.feedback_edit.toPlainText()
        CollectionOp(self, lambda: services.chapters.set_feedback(revision.id, text)).success(
            self._feedback_saved
        ).run()

    def _feedback_saved(self, info: RevisionInfo) -> None:
        self.feedback_box.hide()
        self._show_rows([replace(r, user_feedback=info.user_feedback) if r.id == info.id else r for r in self.rows])
        saved = next((r for r in self.rows if r.id == info.id), None)
        if saved is not None and saved.user_feedback:
            self.feedbackSaved.emit(saved)
