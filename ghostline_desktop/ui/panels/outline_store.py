"""How the outline panel's edits reach the service: a debounced save of the DRAFT (one in
flight at a time, the next queued), a last save when the window closes, Approve (saving a
pending edit first), and viewing or restoring another version.

A mixin of ``OutlinePanel`` (kept apart so the panel module stays readable); the names it
uses from the panel are declared below for the type checker.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from ghostline_desktop.services.dto import OutlineApproval, OutlineInfo
from ghostline_desktop.services.labels import OUTLINE_STATUS_LABELS, label
from ghostline_desktop.ui import ops
from ghostline_desktop.ui.ops import CollectionOp
from ghostline_desktop.ui.panels import outline_model as om

if TYPE_CHECKING:
    from ghostline_desktop.services.container import Services
    from ghostline_desktop.ui.panels.outline_edit import OutlineEditing
    from ghostline_desktop.ui.panels.outline_tree import OutlineTree
    from ghostline_desktop.ui.panels.outline_versions import OutlineVersions


class OutlineStore:
    if TYPE_CHECKING:
        services: Services | None
        project_id: uuid.UUID | None
        outline: OutlineInfo | None
        viewing: OutlineInfo | None
        approval: OutlineApproval | None
        editing: OutlineEditing
        tree: OutlineTree
        versions: OutlineVersions
        state_label: QLabel
        banner: QWidget
        banner_text: QLabel
        restore_button: QPushButton
        back_button: QPushButton
        _dirty: bool
        _saving: bool
        _save_timer: QTimer

        def tr(self, sourceText: str, /, disambiguation: str | None = None, n: int = -1) -> str: ...
        def refresh(self) -> None: ...
        def refresh_chapters(self) -> None: ...
        def _redraw(self, select: int | None) -> None: ...
        def _update_actions(self) -> None: ...

    # -- saving -------------------------------------------------------------------------------
    def _me(self) -> QWidget:
        assert isinstance(self, QWidget)
        return self

    def save_now(self) -> None:
        self._save_timer.stop()
        if not self._dirty or self._saving or self.services is None or self.project_id is None:
            return
        services, project_id = self.services, self.project_id
        outline_id = self.outline.id if self.outline is not None else None
        structure = om.to_structure(self.editing.tree, self.outline.structure if self.outline else None)
        self._dirty, self._saving = False, True
        self.state_label.setText(self.tr("Saving…"))

        def saved(info: OutlineInfo) -> None:
            self._saving = False
            if project_id != self.project_id:
                return
            new_version = self.outline is None or info.id != self.outline.id
            self.outline = info
            self.state_label.setText(self.tr("Saved") if not self._dirty else self.tr("Edited"))
            if new_version:
                self.refresh()  # the list gains the new version
            if self._dirty:
                self._save_timer.start()
            self._update_actions()

        def failed(exc: BaseException) -> None:
            self._saving = False
            self._dirty = True
            self.state_label.setText(self.tr("Not saved"))
            ops.report_error(exc, self._me())

        CollectionOp(self._me(), lambda: services.outline.save(project_id, structure, outline_id=outline_id)).success(
            saved
        ).failure(failed).run()

    def flush_blocking(self) -> None:
        """Quitting: write a pending edit now (the service loop stops right after)."""
        if not self._dirty or self.services is None or self.project_id is None or not ops.installed():
            return
        structure = om.to_structure(self.editing.tree, self.outline.structure if self.outline else None)
        outline_id = self.outline.id if self.outline is not None else None
        try:
            ops.run_blocking(self.services.outline.save(self.project_id, structure, outline_id=outline_id))
            self._dirty = False
        except Exception as exc:  # quitting: say it, never block the quit
            ops.report_error(exc, self._me())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self.flush_blocking()
        return False

    # -- approving ----------------------------------------------------------------------------
    def approve(self) -> None:
        if self.services is None or self.project_id is None:
            return
        self._save_timer.stop()
        services, project_id = self.services, self.project_id
        outline_id = self.outline.id if self.outline is not None else None
        pending = self._dirty or outline_id is None
        structure = om.to_structure(self.editing.tree, self.outline.structure if self.outline else None)
        self._dirty = False

        async def approve() -> OutlineApproval:
            target = outline_id
            if pending:
                target = (await services.outline.save(project_id, structure, outline_id=outline_id)).id
            assert target is not None
            return await services.outline.approve(target)

        CollectionOp(self._me(), approve).with_progress(self.tr("Approving the outline…")).success(
            lambda result: self._approved(project_id, result)
        ).run()

    def _approved(self, project_id: uuid.UUID, result: OutlineApproval) -> None:
        if project_id != self.project_id:
            return
        self.approval = result
        self.outline = result.outline
        self.viewing = None
        # The approved structure now carries each entry's chapter id: edit that from here on.
        self.editing.load(om.from_structure(result.outline.structure))
        self.state_label.setText(self.tr("Approved"))
        self.show_info(self._approval_text(result))
        self.refresh()

    def _approval_text(self, r: OutlineApproval) -> str:
        parts = [self.tr("Version {0} approved.").format(r.outline.version)]
        if r.created:
            parts.append(self.tr("{0} chapter(s) created.").format(len(r.created)))
        if r.updated:
            parts.append(self.tr("{0} chapter(s) follow the outline.").format(len(r.updated)))
        if r.removed:
            parts.append(self.tr("{0} empty planned chapter(s) removed.").format(len(r.removed)))
        if r.orphaned:
            self.refresh_chapters()
            parts.append(
                self.tr(
                    "{0} chapter(s) with text are not in the outline any more; they are listed under “Not in outline”."
                ).format(len(r.orphaned))
            )
        return " ".join(parts)

    def show_info(self, text: str) -> None:
        self.banner_text.setText(text)
        self.restore_button.hide()
        self.back_button.hide()
        self.banner.show()

    # -- versions -----------------------------------------------------------------------------
    def view_version(self, outline_id: uuid.UUID) -> None:
        if self.outline is not None and outline_id == self.outline.id:
            self.back_to_current()
            return
        chosen = next((v for v in self.versions.versions if v.id == outline_id), None)
        if chosen is None:
            return
        self.save_now()
        self.viewing = chosen
        status = label(OUTLINE_STATUS_LABELS, chosen.status).lower()
        self.banner_text.setText(
            self.tr("Viewing version {0} ({1}), read-only. Restore it to edit it as a new version.").format(
                chosen.version, status
            )
        )
        self.restore_button.show()
        self.back_button.show()
        self.banner.show()
        self._redraw(None)

    def back_to_current(self) -> None:
        self.viewing = None
        self.banner.hide()
        self._redraw(self.tree.current_uid())

    def restore_viewed(self) -> None:
        if self.services is None or self.viewing is None:
            return
        services, outline_id, project_id = self.services, self.viewing.id, self.project_id

        def restored(info: OutlineInfo) -> None:
            if project_id != self.project_id:
                return
            self.viewing = None
            self.outline = info
            self.editing.load(om.from_structure(info.structure))
            self.show_info(self.tr("Restored as version {0} (a draft).").format(info.version))
            self.refresh()

        CollectionOp(self._me(), lambda: services.outline.restore_version(outline_id)).success(restored).run()
