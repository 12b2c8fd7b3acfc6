"""Compare two revisions of a chapter, and take a single change from either side.

Opened by :func:`open_revision_diff` (the revision history's ``diffRequested``, View ▸
Compare Revisions…). The diff is computed by ``ChapterService.diff`` on the service loop
(in a worker thread for long chapters), never on the GUI thread; this dialog only draws.

"Take this side" works on the chapter's *current* text, so it is offered for the side that
is not current: with the current text on the right, "use the left's version" of one change
is ``revert_change``; with it on the left, "use the right's version" is ``apply_change``.
The result is saved as a new revision (history is never rewritten), after checking that the
chapter did not change since the comparison was made.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.core.diff import DiffSummary, apply_change, revert_change
from ghostline_desktop.errors import ConflictError
from ghostline_desktop.services.dto import RevisionDiff, RevisionInfo, SaveResult
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.bridge import EventBridge
from ghostline_desktop.ui.dialogs._common import humanize_time, role_label
from ghostline_desktop.ui.ops import CollectionOp, QueryOp
from ghostline_desktop.ui.widgets.diff_view import DiffMode, DiffView, describe_change

if TYPE_CHECKING:
    from ghostline_desktop.services.container import Services

ORIGIN_LABELS = {"MANUAL": "by you", "AI_GENERATED": "AI draft", "IMPORT": "imported", "RESTORE": "restored"}
STALE = "The chapter changed after this comparison was made. Compare again, then take the change."


def revision_label(r: RevisionInfo) -> str:
    when = humanize_time(r.saved_at or r.created_at)
    words = f"{r.word_count:,} words"
    if not r.sealed:
        return f"Working text · {when} · {words}"
    origin = ORIGIN_LABELS.get(r.source, r.source.replace("_", " ").lower())
    note = f" · “{r.note}”" if r.note else ""
    return f"Revision {r.revision_number} · {origin} · {when} · {words}{note}"


def summary_text(s: DiffSummary) -> str:
    """“+12 words, −3 words · 2 paragraphs changed · 1 moved”."""
    if s.identical:
        return "No differences."
    parts = [f"+{s.words_added:,} words, −{s.words_removed:,} words"]
    for n, what in (
        (s.paragraphs_changed, "changed"),
        (s.paragraphs_added, "added"),
        (s.paragraphs_removed, "removed"),
        (s.paragraphs_moved, "moved"),
    ):
        if n:
            parts.append(f"{n} paragraph{'s' if n != 1 else ''} {what}")
    return " · ".join(parts)


class RevisionDiffDialog(QDialog):
    def __init__(
        self,
        services: Services,
        chapter_id: uuid.UUID,
        a: int | None = None,
        b: int | None = None,
        *,
        user_id: uuid.UUID | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("revisionDiff")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("Compare Revisions"))
        self.setSizeGripEnabled(True)
        self.resize(1080, 720)
        self.services = services
        self.chapter_id = chapter_id
        self.user_id = user_id
        self.wanted: tuple[int | None, int | None] = (a, b)
        self.revisions: list[RevisionInfo] = []
        self.current_number: int | None = None
        self.compared: RevisionDiff | None = None
        self.taken: list[SaveResult] = []  # revisions this dialog made (tests, the status line)

        self.heading = role_label("", "heading", self)
        self.view = DiffView(self)
        self.label_a = role_label("", "hint", self, wrap=False)
        self.label_b = role_label("", "hint", self, wrap=False)
        self.combo_a = QComboBox(self)
        self.combo_a.setObjectName("revisionA")
        self.combo_b = QComboBox(self)
        self.combo_b.setObjectName("revisionB")
        for combo in (self.combo_a, self.combo_b):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(28)
        self.side_button = self._mode_button(self.tr("Side by side"), DiffMode.SIDE_BY_SIDE)
        self.inline_button = self._mode_button(self.tr("Inline"), DiffMode.INLINE)
        self.side_button.setChecked(True)
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.side_button)
        self.mode_group.addButton(self.inline_button)
        pick = QHBoxLayout()
        compare_label = QLabel(self.tr("&Compare"), self)
        compare_label.setBuddy(self.combo_a)
        pick.addWidget(compare_label)
        pick.addWidget(self.combo_a, 1)
        pick.addWidget(QLabel(self.tr("with"), self))
        pick.addWidget(self.combo_b, 1)
        pick.addSpacing(12)
        pick.addWidget(self.side_button)
        pick.addWidget(self.inline_button)

        self.summary = role_label("", "hint", self, wrap=False)
        self.summary.setObjectName("diffSummary")
        columns = QHBoxLayout()
        columns.addWidget(self.label_a, 1)
        columns.addWidget(self.label_b, 1)

        self.prev_button = QPushButton(self.tr("◀ Previous"), self)
        self.next_button = QPushButton(self.tr("Next ▶"), self)
        self.change_label = QLabel(self)
        self.change_label.setObjectName("diffChangeLabel")
        self.take_a_button = QPushButton(self)
        self.take_a_button.setObjectName("takeA")
        self.take_b_button = QPushButton(self)
        self.take_b_button.setObjectName("takeB")
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.next_button)
        nav.addWidget(self.change_label, 1)
        nav.addWidget(self.take_a_button)
        nav.addWidget(self.take_b_button)
        for button in (self.prev_button, self.next_button, self.take_a_button, self.take_b_button):
            button.setAutoDefault(False)  # Enter in the dialog takes no change by accident
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(pick)
        layout.addWidget(self.summary)
        layout.addLayout(columns)
        layout.addWidget(self.view, 1)
        layout.addLayout(nav)
        layout.addWidget(buttons)

        self.next_action = self._action(self.tr("Next change"), ["F7", "Alt+Down"], self.view.next_change)
        self.prev_action = self._action(self.tr("Previous change"), ["Shift+F7", "Alt+Up"], self.view.previous_change)
        self.next_button.setToolTip(self.tr("Next change (F7 or Alt+Down)"))
        self.prev_button.setToolTip(self.tr("Previous change (Shift+F7 or Alt+Up)"))
        self.next_button.clicked.connect(self.view.next_change)
        self.prev_button.clicked.connect(self.view.previous_change)
        self.take_a_button.clicked.connect(lambda: self.take("a"))
        self.take_b_button.clicked.connect(lambda: self.take("b"))
        self.combo_a.activated.connect(lambda _i: self.compare())
        self.combo_b.activated.connect(lambda _i: self.compare())
        self.view.currentChanged.connect(lambda _i: self._update_change_bar())

        # Events from elsewhere (the editor saving, an AI draft) update the revision lists.
        self.bridge = EventBridge(self)
        self.bridge.chapterSaved.connect(self._on_chapter_saved)
        self.bridge.bind(services.bus)
        self.destroyed.connect(self.bridge.detach)
        self._update_change_bar()
        self.load()

    def _mode_button(self, text: str, mode: DiffMode) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setCheckable(True)
        button.setAutoRaise(True)
        button.toggled.connect(lambda on: self._set_mode(mode) if on else None)
        return button

    def _set_mode(self, mode: DiffMode) -> None:
        self.view.set_mode(mode)
        self._update_side_labels()

    def _update_side_labels(self) -> None:
        """Side by side: a heading over each column; inline: one line saying how to read it."""
        if self.compared is None:
            self.label_a.setText("")
            self.label_b.setText("")
            return
        a, b = self._side_label(self.compared.a.revision_number), self._side_label(self.compared.b.revision_number)
        if self.view.mode is DiffMode.INLINE:
            self.label_a.setText(self.tr("{0} → {1}: removed text struck through, added text in green").format(a, b))
            self.label_b.setText("")
        else:
            self.label_a.setText(a)
            self.label_b.setText(b)

    def _action(self, text: str, keys: list[str], slot: Any) -> QAction:
        act = QAction(text, self)
        act.setShortcuts([QKeySequence(k) for k in keys])
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(lambda _c=False: slot())
        self.addAction(act)
        return act

    # -- loading ------------------------------------------------------------------------------
    def load(self) -> None:
        """Fill the revision lists, then compare (the wanted pair, else current vs previous)."""
        services, chapter_id = self.services, self.chapter_id

        async def fetch() -> tuple[str, list[RevisionInfo]]:
            chapter = await services.chapters.summary(chapter_id)
            return chapter.title, await services.chapters.list_revisions(chapter_id)

        self.view.show_message(self.tr("Loading revisions…"))
        QueryOp(self, fetch).named(f"diff.revisions.{id(self)}").success(self._revisions_loaded).run()

    def _revisions_loaded(self, loaded: tuple[str, list[RevisionInfo]]) -> None:
        title, revisions = loaded
        self.heading.setText(self.tr("Revisions of “{0}”").format(title))
        self.setWindowTitle(self.tr("Compare Revisions — {0}").format(title))
        keep = (self.number("a"), self.number("b")) if self.revisions else self.wanted
        self.revisions = revisions
        self.current_number = revisions[0].revision_number if revisions else None
        for combo in (self.combo_a, self.combo_b):
            combo.clear()
            for r in revisions:
                combo.addItem(revision_label(r), r.revision_number)
            combo.addItem(self.tr("Empty (before the first revision)"), 0)
        want_a, want_b = keep
        b = want_b if want_b is not None else (self.current_number or 0)
        numbers = [r.revision_number for r in revisions]
        older = [n for n in numbers if n < b]
        a = want_a if want_a is not None else (older[0] if older else 0)
        self._select(self.combo_a, a)
        self._select(self.combo_b, b)
        self.compare()

    @staticmethod
    def _select(combo: QComboBox, number: int) -> None:
        index = combo.findData(number)
        combo.setCurrentIndex(index if index >= 0 else combo.count() - 1)

    def number(self, side: str) -> int:
        combo = self.combo_a if side == "a" else self.combo_b
        data = combo.currentData()
        return int(data) if data is not None else 0

    def select_revisions(self, a: int | None, b: int | None) -> None:
        """Compare another pair (the history asked again while this dialog is open)."""
        self.wanted = (a, b)
        if self.revisions:
            if b is not None:
                self._select(self.combo_b, b)
            if a is not None:
                self._select(self.combo_a, a)
            self.compare()

    def compare(self) -> None:
        a, b = self.number("a"), self.number("b")
        services, chapter_id = self.services, self.chapter_id
        self.compared = None
        self.summary.setText(self.tr("Comparing…"))
        self._update_change_bar()
        QueryOp(self, lambda: services.chapters.diff(chapter_id, a, b)).named(f"diff.compute.{id(self)}").success(
            self._show
        ).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        self.summary.setText("")
        self.view.show_message(self.tr("These revisions could not be compared."))
        ops.report_error(exc, self)

    def _show(self, result: RevisionDiff) -> None:
        if (result.a.revision_number, result.b.revision_number) != (self.number("a"), self.number("b")):
            return  # the author picked another pair meanwhile
        self.compared = result
        self.summary.setText(summary_text(result.diff.summary))
        self._update_side_labels()
        self.view.set_diff(result.a.content, result.b.content, result.diff)
        if result.diff.changes:
            self.view.go_to(0)
        self._update_change_bar()

    def _side_label(self, number: int) -> str:
        if number == 0:
            return self.tr("Empty")
        name = self.tr("Working text") if self._is_working(number) else self.tr("Revision {0}").format(number)
        return name + (self.tr(" (current)") if number == self.current_number else "")

    def _is_working(self, number: int) -> bool:
        return any(r.revision_number == number and not r.sealed for r in self.revisions)

    def _name(self, number: int) -> str:
        if number == 0:
            return self.tr("the empty text")
        return self.tr("the working text") if self._is_working(number) else self.tr("revision {0}").format(number)

    # -- the change bar and taking a side -------------------------------------------------------
    def _update_change_bar(self) -> None:
        changes = self.view.changes if self.compared is not None else ()
        change = self.view.current_change() if self.compared is not None else None
        self.prev_button.setEnabled(bool(changes))
        self.next_button.setEnabled(bool(changes))
        if self.compared is None or change is None:
            total = len(changes)
            self.change_label.setText(self.tr("{0} changes").format(total) if total else "")
        else:
            detail = describe_change(change, self.compared.a.content, self.compared.b.content)
            self.change_label.setText(
                self.tr("Change {0} of {1}: {2}").format(self.view.index + 1, len(changes), detail)
            )
        a, b = self.number("a"), self.number("b")
        ready = change is not None and self.current_number is not None
        self.take_a_button.setText(self.tr("Use {0}’s version").format(self._short(a)))
        self.take_b_button.setText(self.tr("Use {0}’s version").format(self._short(b)))
        self.take_a_button.setEnabled(ready and b == self.current_number and a != b)
        self.take_b_button.setEnabled(ready and a == self.current_number and a != b)
        why = self.tr("Compare with the current text to take a single change into it.")
        self.take_a_button.setToolTip(
            self.tr("Make a new revision: the current text with this change as it was in the left one.")
            if self.take_a_button.isEnabled()
            else why
        )
        self.take_b_button.setToolTip(
            self.tr("Make a new revision: the current text with this change as it is in the right one.")
            if self.take_b_button.isEnabled()
            else why
        )

    def _short(self, number: int) -> str:
        if number == 0:
            return self.tr("empty")
        return self.tr("working text") if self._is_working(number) else self.tr("rev. {0}").format(number)

    def take(self, side: str) -> None:
        """Take side ``side`` ("a" left, "b" right) of the current change as a new revision."""
        change = self.view.current_change()
        result = self.compared
        if change is None or result is None:
            return
        services, chapter_id, user_id = self.services, self.chapter_id, self.user_id
        source = result.a if side == "a" else result.b
        current_side = result.b if side == "a" else result.a
        note = self.tr("Took change {0} from {1}").format(change.id + 1, self._name(source.revision_number))

        async def write() -> SaveResult:
            current = await services.chapters.get(chapter_id)
            if current.content != current_side.content:
                raise ConflictError(STALE)
            text = (
                revert_change(result.a.content, result.diff, change.id)
                if side == "a"
                else apply_change(result.a.content, result.diff, change.id)
            )
            return await services.chapters.save_revision(
                chapter_id, text, note=note, base=current.base, user_id=user_id
            )

        def done(saved: SaveResult) -> None:
            self.taken.append(saved)
            new = saved.text.revision_number
            if side == "a":
                self.wanted = (self.number("a"), new)
            else:
                self.wanted = (new, self.number("b"))
            self.revisions = []  # take the wanted pair, not the old selection
            self.load()

        def failed(exc: BaseException) -> None:
            ops.report_error(exc, self)
            if isinstance(exc, ConflictError):
                self.revisions = []
                self.load()

        CollectionOp(self, write).with_progress(self.tr("Saving the change…")).success(done).failure(failed).run()

    # -- events and closing ----------------------------------------------------------------------
    def _on_chapter_saved(self, event: Any) -> None:
        if event.chapter_id != self.chapter_id or ops.is_own(event, self):
            return
        # Saved elsewhere: refresh the lists (numbers and labels), keep the chosen pair.
        QueryOp(self, lambda: self.services.chapters.list_revisions(self.chapter_id)).named(
            f"diff.relist.{id(self)}"
        ).success(self._relisted).run()

    def _relisted(self, revisions: list[RevisionInfo]) -> None:
        a, b = self.number("a"), self.number("b")
        self.revisions = revisions
        self.current_number = revisions[0].revision_number if revisions else None
        for combo, keep in ((self.combo_a, a), (self.combo_b, b)):
            combo.blockSignals(True)
            combo.clear()
            for r in revisions:
                combo.addItem(revision_label(r), r.revision_number)
            combo.addItem(self.tr("Empty (before the first revision)"), 0)
            self._select(combo, keep)
            combo.blockSignals(False)
        self._update_change_bar()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.bridge.detach()
        super().closeEvent(event)


def open_revision_diff(
    parent: QWidget | None,
    services: Services,
    chapter_id: uuid.UUID,
    a: int | None = None,
    b: int | None = None,
    *,
    user_id: uuid.UUID | None = None,
) -> RevisionDiffDialog:
    """Show the diff of revisions ``a`` → ``b`` of a chapter (defaults: the one before the
    current text → the current text). A dialog already open for the chapter is reused."""
    if parent is not None:
        for dlg in parent.findChildren(RevisionDiffDialog):
            if dlg.chapter_id == chapter_id and dlg.isVisible():
                dlg.select_revisions(a, b)
                dlg.raise_()
                dlg.activateWindow()
                return dlg
    dlg = RevisionDiffDialog(services, chapter_id, a, b, user_id=user_id, parent=parent)
    dlg.show()
    return dlg
