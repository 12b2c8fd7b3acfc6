"""The Generate menu (issue 8): Outline from Sources, Draft Chapter (Ctrl+G), Revise with
Feedback, AI Feedback on Revision, Preview Prompt; and the revision history's right-click menu
(sources of an AI revision, its AI feedback).

Drafts and revisions stream into the editor through :class:`EditorStream`: the op that starts
the job also iterates ``runner.stream(job_id)`` on the service loop (subscribing before the job
can emit, so no early delta is lost) and hands each delta to the stream's thread-safe buffer.

Offline (no provider configured) every action says what to configure and offers Preferences;
nothing pretends to generate. A failed job shows its typed error (title and message) as any
error does.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QMenu, QMessageBox, QWidget

from ghostline_desktop.core.enums import TaskStatus
from ghostline_desktop.errors import ProviderNotConfigured
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.panels.editor_stream import EditorStream

if TYPE_CHECKING:
    from ghostline_desktop.runtime.types import JobInfo
    from ghostline_desktop.services.dto import RevisionInfo
    from ghostline_desktop.services.generation import PromptPreview, RevisionAI, SourcePassage
    from ghostline_desktop.ui.main_window import MainWindow

AI_SOURCES = ("AI_DRAFT", "AI_REVISION")


def exec_dialog(dialog: QDialog) -> bool:
    """Run a modal dialog; True when accepted. Module-level so tests can answer for the author."""
    return dialog.exec() == QDialog.DialogCode.Accepted


def ask_open_preferences(parent: QWidget) -> bool:
    """Offline: say what to configure; True when the author wants Preferences opened."""
    box = QMessageBox(QMessageBox.Icon.Information, parent.tr("No AI provider"), ProviderNotConfigured.default_message)
    box.setParent(parent, box.windowFlags())
    box.setObjectName("offlineBox")
    open_button = box.addButton(parent.tr("Open Preferences…"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    return box.clickedButton() is open_button


def ask_revise_now(parent: QWidget, revision_number: int) -> bool:
    """After "Request Changes…" saved a request: True when the author wants the AI to revise now.
    Module-level so tests can answer for the author."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        parent.tr("Revise with AI?"),
        parent.tr(
            "Your change request for revision {0} is saved. Ask the AI to revise it with this feedback now?"
        ).format(revision_number),
    )
    box.setParent(parent, box.windowFlags())
    box.setObjectName("reviseNowBox")
    now = box.addButton(parent.tr("Revise Now"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(parent.tr("Later"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(now)
    box.exec()
    return box.clickedButton() is now


class GenerationController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.win = window
        self.services: Any = None
        self.user: Any = None
        self.stream = EditorStream(window.editor)
        self.stream.banner.cancelRequested.connect(self.cancel_stream)
        self._pending_draft: tuple[uuid.UUID, int] | None = None  # waiting for the chapter to open
        self._cancel_asked = False
        self._dialogs: list[QDialog] = []  # non-modal ones, kept referenced while open
        window.editor.chapterOpened.connect(self._chapter_opened)
        window.editor.history.contextMenuRequested.connect(self._revision_menu)
        window.editor.history.feedbackSaved.connect(self.offer_revision)

    def attach(self, services: Any, user: Any) -> None:
        self.services = services
        self.user = user

    # -- guards -------------------------------------------------------------------------------
    def _online(self) -> bool:
        if self.services is None or self.user is None:
            self.win.status.showMessage(self.tr("GhostLine is still starting."), 5000)
            return False
        if self.services.generation.provider is None:
            if ask_open_preferences(self.win):
                self.win.show_preferences()
            return False
        return True

    def _project_id(self) -> uuid.UUID | None:
        project = self.win.project
        if project is None:
            self.win.status.showMessage(self.tr("Open a project first."), 5000)
            return None
        return project.id

    def _revision(self) -> RevisionInfo | None:
        """The revision chosen in the history, else the chapter's newest."""
        history = self.win.editor.history
        chosen = history.selected()
        if len(chosen) == 1:
            return chosen[0]
        if history.rows:
            return history.rows[0]
        self.win.status.showMessage(self.tr("Open a chapter with a revision first."), 5000)
        return None

    # -- Outline from Sources ---------------------------------------------------------------
    def outline_from_sources(self) -> None:
        if not self._online() or (project_id := self._project_id()) is None:
            return
        gen = self.services.generation

        def show(preview: PromptPreview) -> None:
            from ghostline_desktop.ui.dialogs.prompt_preview import PromptPreviewDialog

            if exec_dialog(PromptPreviewDialog(preview, self.win, run_label=self.tr("Generate Outline"))):
                self._run_job(lambda: gen.start_outline(project_id, user_id=self.user.id), self.tr("Outline"))

        ops.QueryOp(self.win, lambda: gen.preview_outline(project_id)).with_progress(
            self.tr("Gathering passages…")
        ).success(show).run()

    # -- Draft Chapter ------------------------------------------------------------------------
    def draft_chapter(self) -> None:
        if not self._online() or self._project_id() is None:
            return
        from ghostline_desktop.ui.dialogs.generation import ChapterPickDialog

        chapters = self.win.editor.chapters
        if not chapters:
            self.win.status.showMessage(self.tr("Approve an outline or add a chapter first."), 5000)
            return
        dlg = ChapterPickDialog(chapters, self.win.editor.shown, self.win)
        dlg.preview_button.clicked.connect(lambda: self.preview_chapter(dlg.position(), run=False))
        if exec_dialog(dlg):
            self.start_draft(dlg.position())

    def start_draft(self, position: int) -> None:
        """Draft the chapter at ``position`` (1-based) into the editor, opening it first."""
        if not self._online() or (project_id := self._project_id()) is None:
            return
        if self.stream.active:
            self.win.status.showMessage(self.tr("The AI is still writing; cancel it or wait."), 5000)
            return
        chapters = self.win.editor.chapters
        if not 1 <= position <= len(chapters):
            return
        chapter = chapters[position - 1]
        if self.win.editor.shown != chapter.id:
            self._pending_draft = (chapter.id, position)
            self.win.editor.open_chapter(chapter.id)
            return
        gen, user_id = self.services.generation, self.user.id
        label = self.tr("The AI is drafting chapter %d, “%s”…") % (position, chapter.title)
        self._stream_job(chapter.id, label, lambda: gen.start_chapter(project_id, position, user_id=user_id))

    def _chapter_opened(self, chapter_id: uuid.UUID) -> None:
        pending, self._pending_draft = self._pending_draft, None
        if pending is not None and pending[0] == chapter_id:
            self.start_draft(pending[1])

    # -- Revise with Feedback -----------------------------------------------------------------
    def revise_with_feedback(self) -> None:
        if not self._online() or (info := self._revision()) is None:
            return
        self.revise(info)

    def revise(self, info: RevisionInfo) -> None:
        from ghostline_desktop.ui.dialogs.generation import ReviseDialog

        chapter_id = self.win.editor.shown
        if chapter_id is None or self.stream.active:
            return
        name = self.tr("revision %d") % info.revision_number if info.sealed else self.tr("the working text")
        dlg = ReviseDialog(
            self.tr("Revise %s of “%s”:") % (name, self.win.editor.title_label.text()), info.user_feedback
        )
        dlg.setParent(self.win, dlg.windowFlags())
        gen = self.services.generation
        dlg.preview_button.clicked.connect(
            lambda: self._preview(lambda: gen.preview_revision(info.id, dlg.feedback() or None))
        )
        if not exec_dialog(dlg):
            return
        self._start_revision(info, dlg.feedback())

    def _start_revision(self, info: RevisionInfo, feedback: str) -> None:
        chapter_id = self.win.editor.shown
        if chapter_id is None or self.stream.active:
            return
        gen, user_id = self.services.generation, self.user.id
        label = self.tr("The AI is revising with your feedback…")
        self._stream_job(chapter_id, label, lambda: gen.start_revision(info.id, feedback, user_id=user_id))

    def offer_revision(self, info: RevisionInfo) -> None:
        """The history's "Request Changes…" saved ``info.user_feedback``: offer to revise with it
        now. Offline the request stays saved and the status bar says what AI revision needs."""
        if self.services is None or self.user is None or not info.user_feedback:
            return
        if self.services.generation.provider is None:
            self.win.status.showMessage(
                self.tr(
                    "Change request saved. Revising it with AI needs an AI provider: "
                    "set one up in Preferences ▸ AI provider."
                ),
                10000,
            )
            return
        if self.stream.active:
            self.win.status.showMessage(
                self.tr("Change request saved. The AI is still writing; use Generate ▸ Revise with Feedback later."),
                8000,
            )
            return
        if ask_revise_now(self.win, info.revision_number):
            self._start_revision(info, info.user_feedback)
        else:
            self.win.status.showMessage(
                self.tr("Change request saved. Generate ▸ Revise with Feedback runs it when you are ready."), 8000
            )

    # -- AI Feedback ------------------------------------------------------------------------------
    def ai_feedback(self) -> None:
        if not self._online() or (info := self._revision()) is None:
            return
        self.request_feedback(info.id)

    def request_feedback(self, revision_id: uuid.UUID) -> None:
        gen, user_id = self.services.generation, self.user.id
        self._run_job(
            lambda: gen.start_feedback(revision_id, user_id=user_id),
            self.tr("AI feedback"),
            on_done=lambda _job: self.show_feedback(revision_id),
        )

    def show_feedback(self, revision_id: uuid.UUID) -> None:
        from ghostline_desktop.ui.dialogs.generation import TextDialog

        def show(ai: RevisionAI) -> None:
            heading = self.tr("The AI's notes on revision %d:") % ai.revision_number
            dlg = TextDialog(self.tr("AI Feedback"), heading, ai.ai_feedback or self.tr("(none yet)"), self.win)
            self._keep_open(dlg)

        ops.QueryOp(self.win, lambda: self.services.generation.revision_ai(revision_id)).success(show).run()

    # -- Preview Prompt ---------------------------------------------------------------------------
    def preview_prompt(self) -> None:
        """Preview drafting the chapter shown (or, with none open, the outline)."""
        if self.services is None or (project_id := self._project_id()) is None:
            return
        shown = self.win.editor.shown
        positions = [i for i, c in enumerate(self.win.editor.chapters, 1) if c.id == shown]
        if positions:
            self.preview_chapter(positions[0], run=True)
        else:
            gen = self.services.generation
            self._preview(lambda: gen.preview_outline(project_id))

    def preview_chapter(self, position: int, *, run: bool) -> None:
        project_id = self._project_id()
        if project_id is None or self.services is None:
            return
        gen = self.services.generation
        on_run = (lambda: self.start_draft(position)) if run else None
        self._preview(lambda: gen.preview_chapter(project_id, position), on_run, self.tr("Draft Chapter"))

    def _preview(
        self,
        work: Callable[[], Awaitable[PromptPreview]],
        on_run: Callable[[], None] | None = None,
        run_label: str | None = None,
    ) -> None:
        from ghostline_desktop.ui.dialogs.prompt_preview import PromptPreviewDialog

        def show(preview: PromptPreview) -> None:
            dlg = PromptPreviewDialog(preview, self.win, run_label=run_label if on_run else None)
            if exec_dialog(dlg) and on_run is not None:
                on_run()

        ops.QueryOp(self.win, work).with_progress(self.tr("Building the prompt…")).success(show).run()

    # -- running jobs -------------------------------------------------------------------------
    def _run_job(
        self,
        start: Callable[[], Awaitable[JobInfo]],
        what: str,
        on_done: Callable[[JobInfo], None] | None = None,
    ) -> None:
        """Start a job, wait for it (the status bar shows its progress), report how it ended."""
        services = self.services

        async def go() -> tuple[JobInfo, Any]:
            job = await start()
            done = await services.jobs.wait(job.id)
            return done, services.generation.take_error(job.id)

        def finished(result: tuple[JobInfo, Any]) -> None:
            job, error = result
            if self._report(job, error, what) and on_done is not None:
                on_done(job)

        ops.CollectionOp(self.win, go).with_timeout(None).success(finished).run()

    def _stream_job(self, chapter_id: uuid.UUID, label: str, start: Callable[[], Awaitable[JobInfo]]) -> None:
        services, stream = self.services, self.stream
        self._cancel_asked = False
        stream.begin(chapter_id, label)

        async def go() -> tuple[JobInfo, Any]:
            job = await start()
            stream.job_id = job.id
            if self._cancel_asked:  # Cancel pressed before the job existed
                services.runner.cancel(job.id)
            # Subscribed before the job's task first runs: no delta can be missed.
            async for item in services.runner.stream(job.id):
                if isinstance(item, str):
                    stream.feed(item)
            done = await services.jobs.wait(job.id)
            return done, services.generation.take_error(job.id)

        def finished(result: tuple[JobInfo, Any]) -> None:
            stream.end()
            job, error = result
            self._report(job, error, self.tr("The draft"))

        def failed(exc: BaseException) -> None:
            stream.end()
            ops.report_error(exc, self.win)

        ops.CollectionOp(self.win, go).with_timeout(None).success(finished).failure(failed).run()

    def cancel_stream(self) -> None:
        self._cancel_asked = True
        self.stream.cancelling()
        job_id = self.stream.job_id
        if job_id is not None and self.services is not None:
            services = self.services
            ops.CollectionOp(self.win, lambda: services.jobs.cancel(job_id)).run()

    def _report(self, job: JobInfo, error: Any, what: str) -> bool:
        """Tell the author how a job ended; True when it completed."""
        if job.status is TaskStatus.COMPLETED:
            self.win.status.showMessage(job.message or self.tr("%s done.") % what, 8000)
            return True
        if job.status is TaskStatus.CANCELLED:
            kept = self.tr(" What arrived is kept as an incomplete revision.") if self.stream.chars else ""
            self.win.status.showMessage(self.tr("%s was cancelled.") % what + kept, 8000)
            return False
        title = getattr(error, "title", None) or self.tr("%s failed") % what
        ops.show_error(self.win, title, str(error) if error is not None else (job.error or ""))
        return False

    # -- the revision history's menu ------------------------------------------------------------
    def _revision_menu(self, info: RevisionInfo, where: Any) -> None:
        menu = self.revision_menu(info)
        menu.exec(where)

    def revision_menu(self, info: RevisionInfo) -> QMenu:
        menu = QMenu(self.win)
        menu.setObjectName("revisionMenu")
        sources = menu.addAction(self.tr("Sources of This Revision…"))
        sources.setEnabled(info.source in AI_SOURCES)
        sources.triggered.connect(lambda: self.show_sources(info.id))
        feedback = menu.addAction(self.tr("AI Feedback…"))
        feedback.triggered.connect(lambda: self._feedback_for(info))
        revise = menu.addAction(self.tr("Revise with Feedback…"))
        revise.triggered.connect(lambda: self._revise_from_menu(info))
        return menu

    def _revise_from_menu(self, info: RevisionInfo) -> None:
        if self._online():
            self.revise(info)

    def _feedback_for(self, info: RevisionInfo) -> None:
        """Show the AI's notes if there are some; otherwise ask for them."""
        if self.services is None:
            return

        def got(ai: RevisionAI) -> None:
            if ai.ai_feedback:
                self.show_feedback(info.id)
            elif self._online():
                self.request_feedback(info.id)

        ops.QueryOp(self.win, lambda: self.services.generation.revision_ai(info.id)).success(got).run()

    def show_sources(self, revision_id: uuid.UUID) -> None:
        from ghostline_desktop.ui.dialogs.generation import RevisionSourcesDialog

        def show(ai: RevisionAI) -> None:
            self._keep_open(RevisionSourcesDialog(ai, self.open_passage, self.win))

        ops.QueryOp(self.win, lambda: self.services.generation.revision_ai(revision_id)).success(show).run()

    def open_passage(self, p: SourcePassage) -> None:
        from ghostline_desktop.services.dto import SearchHit

        hit = SearchHit(
            chunk_id=p.chunk_id,
            source_id=p.source_id,
            source_title=p.source_title,
            material_type="TEXT",
            chunk_index=p.chunk_index,
            page=p.page,
            section=None,
            text=p.text,
            snippet_html="",
            score=p.score,
            char_start=p.char_start,
            char_end=p.char_end,
        )
        self.win.library.open_passage(hit)

    def _keep_open(self, dlg: QDialog) -> None:
        self._dialogs.append(dlg)
        dlg.finished.connect(lambda *_: self._dialogs.remove(dlg) if dlg in self._dialogs else None)
        dlg.show()
