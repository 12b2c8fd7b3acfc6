"""ExportService: EXPORT jobs, versioned exported_books rows, the QA gate, notifications, history."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from ghostline_desktop.core.enums import ExportStatus, TaskStatus
from ghostline_desktop.errors import ExportBlockedError, ValidationError
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.events import ExportsChanged
from ghostline_desktop.services.exports import ExportRequest, parse_chapter_range

ONE = "Anna took the *ferry* at dawn.\n\n* * *\n\nThe gulls followed her."
TWO = "Ben waited on the quay. <script>alert(1)</script>"
THREE = "The storm came at last."


@pytest.fixture
def book(services: Services, user: Any, run: Any) -> tuple[Any, list[Any]]:
    project = run(services.projects.create(user.id, f"Export {uuid.uuid4().hex[:6]}"))
    chapters = [
        run(services.chapters.create(project.id, title, content=text))
        for title, text in (("The Ferry", ONE), ("The Quay", TWO), ("The Storm", THREE))
    ]
    return project, chapters


def test_chapter_ranges() -> None:
    assert parse_chapter_range("1-3", 5) == [1, 2, 3]
    assert parse_chapter_range("2, 4-5,2", 5) == [2, 4, 5]
    for bad in ("0-2", "3-1", "1-9", "x", ""):
        with pytest.raises(ValidationError):
            parse_chapter_range(bad, 5)
    with pytest.raises(ValidationError, match=r"^3-1 runs backwards: write 1-3\.$"):
        parse_chapter_range("3-1", 5)  # not "Chapters 3-1 do not exist; the book has 5 chapters"


def test_export_versions_history_notification_and_event(
    services: Services, run: Any, user: Any, book: Any, tmp_path: Path
) -> None:
    project, _chapters = book
    events: list[Any] = []
    unsubscribe = services.bus.subscribe(events.append, ExportsChanged)
    try:
        before = {n.id for n in run(services.notifications.list(user.id))}
        dest = tmp_path / "out" / "book.html"
        req = ExportRequest(project.id, "HTML", user_id=user.id, author="Ada Lovelace", destination=str(dest))
        first = run(services.exports.export_and_wait(req))
        second = run(services.exports.export_and_wait(req))
        md = run(services.exports.export_and_wait(ExportRequest(project.id, "md", user_id=user.id)))
    finally:
        unsubscribe()
    assert (first.export.version, second.export.version, md.export.version) == (1, 2, 1)
    assert first.export.status == "READY" and first.export.format == "HTML" and first.chapters == 3
    html = dest.read_text(encoding="utf-8")
    assert "The Ferry" in html and "Ada Lovelace" in html and "<script" not in html
    stored = first.export.path
    assert stored is not None and stored.exists() and stored.read_bytes() == dest.read_bytes()
    assert first.export.link_url == dest.resolve().as_uri()
    assert first.export.file_size == len(dest.read_bytes()) and (first.export.word_count or 0) > 10
    history = run(services.exports.history(project.id))
    assert [(h.format, h.version) for h in history][:3] == [("MARKDOWN", 1), ("HTML", 2), ("HTML", 1)]
    assert [h.version for h in run(services.exports.history(project.id, "HTML"))] == [2, 1]
    new = [n for n in run(services.notifications.list(user.id)) if n.id not in before]
    assert [n.notification_type for n in new] == ["EXPORT_READY"] * 3
    assert any(n.link_url == dest.resolve().as_uri() for n in new)
    assert all(e.project_id == project.id for e in events) and len(events) >= 6
    job = run(services.runner.wait(first.export.job_id))
    assert job.status is TaskStatus.COMPLETED


def test_chapter_selection_and_pdf(services: Services, run: Any, user: Any, book: Any, tmp_path: Path) -> None:
    from pypdf import PdfReader

    project, chapters = book
    req = ExportRequest(
        project.id, "PDF", chapter_ids=(chapters[2].id, chapters[0].id), destination=str(tmp_path / "b.pdf")
    )
    out = run(services.exports.export_and_wait(req))
    reader = PdfReader(str(tmp_path / "b.pdf"))
    assert [o.title for o in reader.outline if not isinstance(o, list)] == ["The Ferry", "The Storm"]  # book order
    assert out.chapters == 2


def test_latest_approved_uses_the_sealed_revision_of_approved_chapters(
    services: Services, run: Any, user: Any, book: Any, tmp_path: Path
) -> None:
    project, chapters = book
    one = chapters[0]
    current = run(services.chapters.get(one.id))
    run(services.chapters.autosave(one.id, "Unsealed working text, not approved.", base=current.base))
    run(services.chapters.set_status(one.id, "APPROVED"))
    dest = tmp_path / "approved.md"
    out = run(
        services.exports.export_and_wait(
            ExportRequest(project.id, "MARKDOWN", revision="approved", destination=str(dest))
        )
    )
    text = dest.read_text(encoding="utf-8")
    assert "Anna took the *ferry*" in text and "Unsealed working text" not in text
    assert out.left_out == ("The Quay", "The Storm") and out.chapters == 1
    latest = tmp_path / "latest.md"
    run(services.exports.export_and_wait(ExportRequest(project.id, "MARKDOWN", destination=str(latest))))
    assert "Unsealed working text" in latest.read_text(encoding="utf-8")


def test_open_blocking_findings_refuse_the_export(services: Services, run: Any, user: Any, book: Any) -> None:
    project, chapters = book
    finding = run(
        services.qa.add_finding(
            project.id,
            finding_type="MISSING_CONTENT",
            severity="HIGH",
            title="Placeholder left in the text",
            chapter_id=chapters[0].id,
            is_blocking=True,
        )
    )
    before = len(run(services.exports.history(project.id)))
    with pytest.raises(ExportBlockedError) as info:
        run(services.exports.start(ExportRequest(project.id, "EPUB")))
    assert [f.id for f in info.value.findings] == [finding.id]
    assert len(run(services.exports.history(project.id))) == before  # nothing numbered, nothing queued
    run(services.qa.set_status(finding.id, "WAIVED", note="on purpose", user_id=user.id))
    out = run(services.exports.export_and_wait(ExportRequest(project.id, "EPUB")))
    assert out.export.status == "READY" and out.export.version == 1


def test_a_placeholder_fixed_since_the_last_qa_run_does_not_refuse_the_export(
    services: Services, run: Any, user: Any, book: Any
) -> None:
    """Tried as an author: TK fixed (a new revision) before the next QA run still refused the
    export with the stale finding; the gate now checks those chapters again first."""
    project, chapters = book
    run(services.chapters.save_text(chapters[1].id, "Ben waited on the quay TK.", note="placeholder"))
    run(services.qa_runs.run_and_wait(project.id, factual=False))
    (tk,) = run(services.qa.open_blocking(project.id))
    run(services.chapters.save_text(chapters[1].id, "Ben waited on the quay.", note="fixed"))  # no QA run since
    out = run(services.exports.export_and_wait(ExportRequest(project.id, "HTML")))
    assert out.export.status == "READY" and run(services.qa.open_blocking(project.id)) == []
    assert [f.status for f in run(services.qa.list_findings(project.id)) if f.id == tk.id] == ["RESOLVED"]


def test_a_failed_export_is_recorded_and_notified(services: Services, run: Any, user: Any, book: Any) -> None:
    project, _chapters = book
    req = ExportRequest(project.id, "EPUB", user_id=user.id, cover_path="/nonexistent/cover.png")
    with pytest.raises(ValidationError):
        run(services.exports.export_and_wait(req))
    (row,) = run(services.exports.history(project.id, "EPUB"))
    assert row.status == "FAILED" and "cover" in (row.error or "")
    kinds = [n.notification_type for n in run(services.notifications.list(user.id, limit=3))]
    assert "EXPORT_FAILED" in kinds


def test_an_unwritable_destination_says_so(services: Services, run: Any, user: Any, book: Any, tmp_path: Path) -> None:
    """Saving under a path that cannot be a folder said "Unexpected error (FileNotFoundError)"."""
    project, _chapters = book
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    req = ExportRequest(project.id, "HTML", user_id=user.id, destination=str(blocker / "book.html"))
    with pytest.raises(ValidationError, match=r"Could not save the book to .*book\.html: .*Choose another folder"):
        run(services.exports.export_and_wait(req))
    row = run(services.exports.history(project.id, "HTML"))[0]
    assert row.status == "FAILED" and "Could not save the book" in (row.error or "")


def test_unknown_format_and_defaults(services: Services, run: Any, user: Any, book: Any) -> None:
    project, _chapters = book
    with pytest.raises(ValidationError):
        run(services.exports.start(ExportRequest(project.id, "RTF")))
    run(services.exports.export_and_wait(ExportRequest(project.id, "HTML", author="Ada", dedication="For Ben")))
    d = run(services.exports.defaults(project.id, user.id))
    assert (d["title"], d["author"], d["dedication"]) == (project.title, "Ada", "For Ben")


def test_an_export_whose_job_died_shows_as_failed(services: Services, run: Any, user: Any, book: Any) -> None:
    from sqlalchemy import update

    from ghostline_desktop.db.models import ExportedBook, GenerationTask

    project, _chapters = book
    out = run(services.exports.export_and_wait(ExportRequest(project.id, "MARKDOWN")))

    async def crash() -> None:  # as a killed app leaves it, after the job runner's recovery
        async with services.db.session() as s:
            await s.execute(
                update(ExportedBook).where(ExportedBook.id == out.export.id).values(status=ExportStatus.RENDERING)
            )
            await s.execute(
                update(GenerationTask).where(GenerationTask.id == out.export.job_id).values(status=TaskStatus.FAILED)
            )

    run(crash())
    (row,) = run(services.exports.history(project.id, "MARKDOWN"))
    assert row.status == "FAILED" and "Interrupted" in (row.error or "")
    assert run(services.exports.get(out.export.id)).status == "FAILED"  # written back
