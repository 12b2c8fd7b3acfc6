"""Tools ▸ Voice Profile: learn the author's voice from writing they mark as their own, and say
in plain words what was learned.

Left: what the profile is built from — the project's chapters and ready sources as checkable
lists, and a box for pasted text — with a running word count and, below the minimum, a message
saying how much more is needed (the Build button stays off). Right: the current profile in plain
words (sentence length, dialogue, punctuation, vocabulary, tense, point of view) and the range
the author's own passages score in. Building runs on the service loop (the features in the
process pool); the revisions are then rescored as a background job.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.core.style_profile import MIN_WORDS, RECOMMENDED_WORDS
from ghostline_desktop.services.text_stats import count_words_async
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.dialogs._common import humanize_time, role_label

if TYPE_CHECKING:
    from ghostline_desktop.services.voice import VoiceProfileInfo

ID_ROLE = Qt.ItemDataRole.UserRole
WORDS_ROLE = Qt.ItemDataRole.UserRole + 1
PASTE_COUNT_DELAY_MS = 300


def enough_words_message(words: int) -> tuple[str, bool]:
    """(message under the choices, whether Build may run)."""
    if words < MIN_WORDS:
        return (
            f"{words:,} words chosen. A voice profile needs at least {MIN_WORDS:,} words of your own "
            f"writing: choose more chapters or sources, or paste more text.",
            False,
        )
    if words < RECOMMENDED_WORDS:
        return (
            f"{words:,} words chosen. Enough to start; {RECOMMENDED_WORDS:,} or more give a steadier profile.",
            True,
        )
    return (f"{words:,} words chosen.", True)


def profile_html(info: VoiceProfileInfo | None) -> str:
    if info is None:
        return (
            "<p><b>No voice profile yet.</b></p><p>Choose writing that is yours — chapters you wrote, your own "
            "earlier books or articles among the sources, or pasted text — and build the profile. Every revision "
            "then gets a voice-match score in the history, with the reasons on hover.</p>"
        )
    r = info.score_range
    items = "".join(f"<li>{line}</li>" for line in info.summary)
    when = humanize_time(info.updated_at) if info.updated_at else ""
    rng = (
        f"<p>Your own passages score <b>{r.get('mean', 0):.0%}</b> on average and rarely below "
        f"<b>{r.get('low', 0):.0%}</b>; a revision well below that reads unlike you.</p>"
        if r
        else ""
    )
    return f"<p><b>{info.name}</b> · built {when}</p><ul>{items}</ul>{rng}"


class VoiceProfileDialog(QDialog):
    #: The profile was built or removed (the controller refreshes the history).
    profileChanged = Signal()

    def __init__(self, services: Any, project_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voiceProfileDialog")
        self.setWindowTitle(self.tr("Voice Profile"))
        self.resize(900, 560)
        self.services = services
        self.project_id = project_id
        self.pasted_words = 0
        self.info: VoiceProfileInfo | None = None

        # -- left: what to learn from ------------------------------------------------------------
        self.tabs = QTabWidget(self)
        self.chapters = QListWidget(self)
        self.chapters.setObjectName("voiceChapters")
        self.sources = QListWidget(self)
        self.sources.setObjectName("voiceSources")
        self.paste = QPlainTextEdit(self)
        self.paste.setObjectName("voicePaste")
        self.paste.setPlaceholderText(self.tr("Paste writing of your own: a story, articles, an earlier book…"))
        self.tabs.addTab(self.chapters, self.tr("Chapters"))
        self.tabs.addTab(self.sources, self.tr("Sources"))
        self.tabs.addTab(self.paste, self.tr("Pasted Text"))
        self.count_label = role_label("", "hint", self)
        self.count_label.setObjectName("voiceWordCount")
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText(self.tr("Author voice"))
        self.build_button = QPushButton(self.tr("Build Profile"), self)
        self.build_button.setObjectName("voiceBuild")
        self.build_button.setDefault(True)

        left = QVBoxLayout()
        left.addWidget(role_label(self.tr("Learn from writing that is yours"), "heading", self))
        left.addWidget(self.tabs, 1)
        left.addWidget(self.count_label)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Name:"), self))
        row.addWidget(self.name_edit, 1)
        row.addWidget(self.build_button)
        left.addLayout(row)

        # -- right: what was learned -------------------------------------------------------------
        self.summary = QLabel(self)
        self.summary.setObjectName("voiceSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary.setMinimumWidth(360)
        self.remove_button = QPushButton(self.tr("Remove Profile"), self)
        self.remove_button.setEnabled(False)
        right = QVBoxLayout()
        right.addWidget(role_label(self.tr("What GhostLine learned"), "heading", self))
        right.addWidget(self.summary, 1)
        right.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignLeft)

        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addSpacing(12)
        body.addLayout(right, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(buttons)

        self._paste_timer = QTimer(self, singleShot=True, interval=PASTE_COUNT_DELAY_MS)
        self._paste_timer.timeout.connect(self._count_paste)
        self.paste.textChanged.connect(self._paste_timer.start)
        self.chapters.itemChanged.connect(lambda _i: self._update_count())
        self.sources.itemChanged.connect(lambda _i: self._update_count())
        self.build_button.clicked.connect(self.build)
        self.remove_button.clicked.connect(self.remove)
        self.show_profile(None)
        self._update_count()

    # -- loading --------------------------------------------------------------------------------
    def load(self) -> None:
        services, pid = self.services, self.project_id

        async def fetch() -> tuple[Any, Any, Any]:
            return (
                await services.chapters.list_chapters(pid),
                await services.sources.list_sources(pid),
                await services.voice.profile(pid),
            )

        ops.QueryOp(self, fetch).success(lambda r: self.fill(*r)).run()

    def fill(self, chapters: list[Any], sources: list[Any], info: VoiceProfileInfo | None) -> None:
        self.chapters.blockSignals(True)
        self.sources.blockSignals(True)
        self.chapters.clear()
        self.sources.clear()
        for c in chapters:
            self._add(
                self.chapters,
                c.id,
                self.tr("{0}. {1} ({2:,} words)").format(c.order, c.title, c.word_count),
                c.word_count,
            )
        for s in sources:
            if s.processing_status == "READY" and s.word_count:
                self._add(self.sources, s.id, self.tr("{0} ({1:,} words)").format(s.title, s.word_count), s.word_count)
        if not sources:
            self.sources.addItem(self.tr("No sources with text in this project."))
        self.chapters.blockSignals(False)
        self.sources.blockSignals(False)
        self.show_profile(info)
        self._update_count()

    def _add(self, widget: QListWidget, item_id: uuid.UUID, text: str, words: int) -> None:
        item = QListWidgetItem(text, widget)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        item.setData(ID_ROLE, item_id)
        item.setData(WORDS_ROLE, words)

    def show_profile(self, info: VoiceProfileInfo | None) -> None:
        self.info = info
        self.summary.setText(profile_html(info))
        self.remove_button.setEnabled(info is not None)
        if info is not None and not self.name_edit.text():
            self.name_edit.setText(info.name)

    # -- choosing -------------------------------------------------------------------------------
    @staticmethod
    def _checked(widget: QListWidget) -> list[QListWidgetItem]:
        items = (widget.item(i) for i in range(widget.count()))
        return [it for it in items if it is not None and it.data(ID_ROLE) and it.checkState() == Qt.CheckState.Checked]

    def chosen_words(self) -> int:
        picked = self._checked(self.chapters) + self._checked(self.sources)
        return sum(int(it.data(WORDS_ROLE)) for it in picked) + self.pasted_words

    def _count_paste(self) -> None:
        text = self.paste.toPlainText()
        if not ops.installed():
            return
        ops.QueryOp(self, lambda: count_words_async(text)).named(f"voice.paste.{id(self)}").success(
            self._paste_counted
        ).run()

    def _paste_counted(self, n: int) -> None:
        self.pasted_words = n
        self._update_count()

    def _update_count(self) -> None:
        message, ok = enough_words_message(self.chosen_words())
        self.count_label.setText(self.tr(message))
        self.count_label.setProperty("role", "hint" if ok else "error")
        self.count_label.style().polish(self.count_label)
        self.build_button.setEnabled(ok)

    # -- actions --------------------------------------------------------------------------------
    def build(self) -> None:
        services, pid = self.services, self.project_id
        chapter_ids = [it.data(ID_ROLE) for it in self._checked(self.chapters)]
        source_ids = [it.data(ID_ROLE) for it in self._checked(self.sources)]
        text = self.paste.toPlainText().strip()
        name = self.name_edit.text().strip() or None
        self.build_button.setEnabled(False)
        self.count_label.setText(self.tr("Learning your voice…"))

        def done(info: VoiceProfileInfo) -> None:
            self.show_profile(info)
            self._update_count()
            self.profileChanged.emit()

        def failed(exc: BaseException) -> None:
            self._update_count()
            ops.report_error(exc, self)

        ops.CollectionOp(
            self,
            lambda: services.voice.build(
                pid, chapter_ids=chapter_ids, source_ids=source_ids, texts=[text] if text else [], name=name
            ),
        ).success(done).failure(failed).run()

    def remove(self) -> None:
        services, pid = self.services, self.project_id

        def done(_r: object) -> None:
            self.show_profile(None)
            self.profileChanged.emit()

        ops.CollectionOp(self, lambda: services.voice.delete(pid)).success(done).run()
