"""The page shown in the centre while no project is open (and while the database starts)."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ghostline_desktop.services.labels import GENRE_LABELS, label


class WelcomePage(QWidget):
    newProjectRequested = Signal()
    openProjectRequested = Signal()
    recentProjectRequested = Signal(object)  # project id
    demoProjectRequested = Signal()
    importManuscriptRequested = Signal()
    retryRequested = Signal()
    preferencesRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 30, 40, 30)
        outer.addStretch(1)
        card = QFrame(self)
        card.setObjectName("welcomeCard")
        card.setMinimumWidth(560)
        card.setMaximumWidth(680)
        col = QVBoxLayout(card)
        col.setSpacing(12)
        heading = QLabel(self.tr("GhostLine"), card)
        heading.setObjectName("welcomeHeading")
        f = heading.font()
        f.setPointSizeF(f.pointSizeF() * 2.2)
        f.setBold(True)
        heading.setFont(f)
        tagline = QLabel(self.tr("Turn your notes, papers and voice memos into a book — in your own voice."), card)
        tagline.setWordWrap(True)
        tagline.setProperty("role", "hint")
        col.addWidget(heading)
        col.addWidget(tagline)

        self.stack = QStackedWidget(card)
        # page 0: starting / failure
        self.status_page = QWidget(self.stack)
        sp = QVBoxLayout(self.status_page)
        sp.setContentsMargins(0, 12, 0, 0)
        self.status_label = QLabel(self.status_page)
        self.status_label.setObjectName("startupStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        sp.addWidget(self.status_label)
        row = QHBoxLayout()
        self.retry_button = QPushButton(self.tr("Retry"), self.status_page)
        self.preferences_button = QPushButton(self.tr("Preferences…"), self.status_page)
        row.addWidget(self.retry_button)
        row.addWidget(self.preferences_button)
        row.addStretch(1)
        sp.addLayout(row)
        sp.addStretch(1)
        self.stack.addWidget(self.status_page)

        # page 1: actions
        self.actions_page = QWidget(self.stack)
        ap = QVBoxLayout(self.actions_page)
        ap.setContentsMargins(0, 12, 0, 0)
        buttons = QGridLayout()
        buttons.setHorizontalSpacing(10)
        buttons.setVerticalSpacing(8)
        self.new_button = QPushButton(self.tr("New project…"), self.actions_page)
        self.new_button.setDefault(True)
        self.open_button = QPushButton(self.tr("Open project…"), self.actions_page)
        self.demo_button = QPushButton(self.tr("Open the demo project"), self.actions_page)
        self.import_button = QPushButton(self.tr("Import a manuscript…"), self.actions_page)
        self.import_button.setToolTip(self.tr("Turn a DOCX, EPUB, Markdown or text book into a new project."))
        for i, b in enumerate((self.new_button, self.open_button, self.demo_button, self.import_button)):
            b.setMinimumHeight(34)
            buttons.addWidget(b, i // 2, i % 2)
        ap.addLayout(buttons)
        self.import_note = QLabel(
            self.tr("Import a finished book (DOCX, EPUB, Markdown or text) to start its second edition."), card
        )
        self.import_note.setProperty("role", "hint")
        ap.addWidget(self.import_note)
        recent_label = QLabel(self.tr("Recent projects"), self.actions_page)
        recent_label.setProperty("role", "heading")
        ap.addSpacing(8)
        ap.addWidget(recent_label)
        self.recent_list = QListWidget(self.actions_page)
        self.recent_list.setObjectName("recentProjects")
        self.recent_list.setMinimumHeight(160)
        ap.addWidget(self.recent_list, 1)
        self.stack.addWidget(self.actions_page)
        col.addWidget(self.stack)

        centre = QHBoxLayout()
        centre.addStretch(1)
        centre.addWidget(card, 3)
        centre.addStretch(1)
        outer.addLayout(centre, 4)
        outer.addStretch(1)

        self.new_button.clicked.connect(self.newProjectRequested)
        self.open_button.clicked.connect(self.openProjectRequested)
        self.demo_button.clicked.connect(self.demoProjectRequested)
        self.import_button.clicked.connect(self.importManuscriptRequested)
        self.retry_button.clicked.connect(self.retryRequested)
        self.preferences_button.clicked.connect(self.preferencesRequested)
        self.recent_list.itemActivated.connect(self._recent_clicked)
        self.recent_list.itemClicked.connect(self._recent_clicked)
        self.show_starting()

    def show_starting(self, text: str | None = None) -> None:
        self.status_label.setText(text or self.tr("Starting database…"))
        self.retry_button.hide()
        self.preferences_button.hide()
        self.stack.setCurrentWidget(self.status_page)

    def show_failure(self, title: str, message: str) -> None:
        self.status_label.setText(f"<b>{title}</b><br><br>{_escape(message)}")
        self.retry_button.show()
        self.preferences_button.show()
        self.stack.setCurrentWidget(self.status_page)

    def show_ready(self) -> None:
        self.stack.setCurrentWidget(self.actions_page)

    @property
    def ready(self) -> bool:
        return self.stack.currentWidget() is self.actions_page

    def set_recent(self, projects: list[Any]) -> None:
        self.recent_list.clear()
        for p in projects:
            meta = label(GENRE_LABELS, p.genre)
            words = self.tr("{0:,} words").format(p.word_count)
            item = QListWidgetItem(f"{p.title}\n{meta} · {p.chapter_count} chapters · {words}")
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            self.recent_list.addItem(item)
        if not projects:
            item = QListWidgetItem(self.tr("No projects yet — start one, or open the demo."))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent_list.addItem(item)

    def _recent_clicked(self, item: QListWidgetItem) -> None:
        pid = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(pid, uuid.UUID):
            self.recentProjectRequested.emit(pid)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
