"""Ingestion end to end through the real job runner, process pool, object store, local embedder
and PostgreSQL: every material path, and every kind of bad input the issue lists."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from ghostline_desktop.core.enums import ProcessingStatus, TaskStatus, TaskType
from ghostline_desktop.core.words import count_words
from ghostline_desktop.db.models import ContentChunk, GenerationTask, SourceMaterial
from ghostline_desktop.services.container import Services
from ghostline_desktop.services.dto import ImportBatch, SourceSummary, UserInfo
from ghostline_desktop.storage.local import LocalStore
from tests.support.files import jpeg_bytes, write_docx, write_pdf, write_zip_bomb_docx

Run = Callable[[Coroutine[Any, Any, Any]], Any]
TEXT = (
    "The lighthouse keeper counted the ships every evening. "
    "Her brother kept a ledger of storms in a blue notebook.\n\n"
    "In the spring the harbour froze for the last time, and the town gave up its boats."
)


@pytest.fixture(scope="module")
def project_id(services: Services, user: UserInfo, run: Run) -> uuid.UUID:
    return run(services.projects.create(user.id, "Ingestion")).id


def import_and_wait(services: Services, run: Run, project_id: uuid.UUID, *paths: Path) -> ImportBatch:
    async def go() -> ImportBatch:
        batch = await services.ingestion.import_paths(project_id, list(paths))
        await settle(services, project_id)
        return batch

    return run(go())


async def settle(services: Services, project_id: uuid.UUID) -> None:
    """Wait for every job of the project, including the embedding jobs that imports queue."""
    while active := services.runner.jobs(project_id):
        for job in active:
            await services.jobs.wait(job.id, 300)


def one(services: Services, run: Run, project_id: uuid.UUID, path: Path) -> SourceSummary:
    batch = import_and_wait(services, run, project_id, path)
    assert not batch.refused, batch.refused
    return run(services.sources.get(batch.accepted[0].id))


def chunks_of(services: Services, run: Run, source_id: uuid.UUID) -> list[ContentChunk]:
    async def go() -> list[ContentChunk]:
        async with services.db.session() as s:
            q = (
                select(ContentChunk)
                .where(ContentChunk.source_material_id == source_id)
                .order_by(ContentChunk.chunk_index)
            )
            return list((await s.execute(q)).scalars())

    return run(go())


def test_a_text_file_becomes_ready_with_embedded_chunks_and_a_job_row(
    services: Services, run: Run, project_id: uuid.UUID, tmp_path: Path, store: LocalStore
) -> None:
    path = tmp_path / "harbour.txt"
    path.write_text(TEXT, encoding="utf-8")
    src = one(services, run, project_id, path)
    assert src.processing_status == "READY" and src.material_type == "TEXT"
    assert src.word_count == count_words(TEXT)
    chunks = chunks_of(services, run, src.id)
    assert (len(chunks) == 1 and chunks[0].content == TEXT.strip()) or chunks[0].content in TEXT
    assert chunks[0].embedding_model == services.ingestion.embedder.name
    assert chunks[0].embedding is not None and len(chunks[0].embedding) == 1536
    assert run(services.sources.get_text(src.id)).strip() == TEXT.strip()

    async def stored() -> SourceMaterial:
        async with services.db.session() as s:
            row = await s.get(SourceMaterial, src.id)
            assert row is not None
            return row

    row = run(stored())
    assert row.s3_key and store.exists(row.s3_key) and row.content_hash
    path.unlink()  # the original may go away: the library keeps its own copy
    assert store.path(row.s3_key).read_text(encoding="utf-8") == TEXT

    async def job() -> GenerationTask:
        async with services.db.session() as s:
            assert src.job_id is not None
            r = await s.get(GenerationTask, src.job_id)
            assert r is not None
            return r

    task = run(job())
    assert task.task_type is TaskType.SOURCE_PROCESSING and task.status is TaskStatus.COMPLETED


def test_the_same_file_twice_is_stored_once_and_reported_as_a_duplicate(
    services: Services, run: Run, project_id: uuid.UUID, tmp_path: Path
) -> None:
    a = tmp_path / "a.md"
    b = tmp_path / "copy-of-a.md"
    a.write_text("# Notes\n\nA duplicate paragraph about whales and weather.", encoding="utf-8")
    b.write_bytes(a.read_bytes())
    first = one(services, run, project_id, a)
    batch = import_and_wait(services, run, project_id, b)
    job_id = batch.accepted[0].job_id
    assert job_id is not None
    job = run(services.jobs.get(job_id))
    assert job.status is TaskStatus.COMPLETED and "already in the library" in (job.message or "")
    titles = [s.title for s in run(services.sources.list_sources(project_id))]
    assert titles.count("a") == 1 and "copy-of-a" not in titles
    assert first.material_type == "MARKDOWN"


def test_refused_before_copying_empty_and_over_the_limit(
    services: Services, run: Run, project_id: uuid.UUID, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.touch()
    huge = tmp_path / "huge.pdf"
    with open(huge, "wb") as f:  # a sparse 2 GB file: costs no disk, must never be read
        f.truncate(2 * 1024**3)
    gone = tmp_path / "gone.txt"
    before = len(run(services.sources.list_sources(project_id)))
    batch = run(services.ingestion.import_paths(project_id, [empty, huge, gone]))
    assert batch.accepted == []
    reasons = dict(batch.refused)
    assert "empty" in reasons["empty.txt"]
    assert "2,048.0 MB" in reasons["huge.pdf"] and "Nothing was copied" in reasons["huge.pdf"]
    assert "no longer exists" in reasons["gone.txt"]
    assert len(run(services.sources.list_sources(project_id))) == before


def failed(services: Services, run: Run, project_id: uuid.UUID, path: Path) -> SourceSummary:
    src = one(services, run, project_id, path)
    assert src.processing_status == "FAILED", src
    assert src.error_message
    assert chunks_of(services, run, src.id) == []
    return src


def test_bad_files_fail_clearly_and_leave_the_rest_intact(
    services: Services, run: Run, project_id: uuid.UUID, tmp_path: Path
) -> None:
    good = tmp_path / "good.txt"
    good.write_text(TEXT + " A different file.", encoding="utf-8")
    ok = one(services, run, project_id, good)

    truncated = tmp_path / "truncated.pdf"
    write_pdf(truncated, ["A page that will be cut in half. " * 40] * 3)
    truncated.write_bytes(truncated.read_bytes()[:700])
    src = failed(services, run, project_id, truncated)
    assert src.error_code in ("corrupt", "no_text")

    not_zip = tmp_path / "letter.docx"
    not_zip.write_text("this is not a word document at all", encoding="utf-8")
    src = failed(services, run, project_id, not_zip)
    assert "ZIP" in (src.error_message or "")  # names what is wrong with the "Word file"

    broken_zip = tmp_path / "broken.docx"
    broken_zip.write_bytes(b"PK\x03\x04" + os.urandom(400))
    failed(services, run, project_id, broken_zip)

    bomb = write_zip_bomb_docx(tmp_path / "bomb.docx", uncompressed_mb=600)
    src = failed(services, run, project_id, bomb)
    assert src.error_code == "zip_bomb"

    assert run(services.sources.get(ok.id)).processing_status == "READY"
    assert len(chunks_of(services, run, ok.id)) == 1


def test_encrypted_pdf_asks_for_its_password_then_imports(
    services: Services, run: Run, project_id: uuid.UUID, tmp_path: Path
) -> None:
    path = write_pdf(tmp_path / "secret.pdf", ["The secret page about the lighthouse."], password="harbour")
    src = failed(services, run, project_id, path)
    assert src.error_code == "password_required"

    async def retry(password: str) -> SourceSummary:
        await services.ingestion.retry(src.id, password=password)
        latest = await services.sources.get(src.id)
        assert latest.job_id is not None
        await services.jobs.wait(latest.job_id, 60)
        return await services.sources.get(src.id)

    wrong = run(retry("wrong"))
    assert wrong.processing_status == "FAILED" and wrong.error_code == "wrong_password"
    right = run(retry("harbour"))
    assert right.processing_status == "READY" and right.page_count == 1
    chunks = chunks_of(services, run, src.id)
    assert chunks and chunks[0].extra.get("page") == 1 and "lighthouse" in chunks[0].content


def test_pdf_pages_are_kept_on_every_chunk(services: Services, run: Run, project_id: uuid.UUID, tmp_path: Path) -> None:
    pages = [f"Page {i} speaks of the sea and of sailor number {i}. " * 60 for i in range(1, 7)]
    src = one(services, run, project_id, write_pdf(tmp_path / "sea.pdf", pages))
    assert src.processing_status == "READY" and src.material_type == "PDF" and src.page_count == 6
    chunks = chunks_of(services, run, src.id)
    assert [c.chunk_index for c in chunks] == list(range(len(chunks)))
    page_numbers = [c.extra["page"] for c in chunks]
    assert page_numbers == sorted(page_numbers) and page_numbers[0] == 1 and page_numbers[-1] >= 5


def test_docx_and_content_sniffing(services: Services, run: Run, project_id: uuid.UUID, tmp_path: Path) -> None:
    doc = write_docx(tmp_path / "chapter.docx", "The Storm", ["Rain lashed the windows of the inn.", "Nobody slept."])
    src = one(services, run, project_id, doc)
    assert src.processing_status == "READY" and src.material_type == "DOCX"
    assert "Rain lashed" in run(services.sources.get_text(src.id))

    fake_pdf = tmp_path / "scan.pdf"
    fake_pdf.write_bytes(jpeg_bytes())
    src = one(services, run, project_id, fake_pdf)
    assert src.material_type == "IMAGE"  # sniffed by content, not by the extension


def test_text_in_legacy_encodings(services: Services, run: Run, project_id: uuid.UUID, tmp_path: Path) -> None:
    words = "Café crème, naïve façade — “quoted” résumé, piñata and jalapeño. " * 12
    cp = tmp_path / "cp1252.txt"
    cp.write_bytes(words.encode("cp1252"))
    u16 = tmp_path / "utf16.txt"
    u16.write_bytes(words.encode("utf-16-le"))  # no BOM
    for path in (cp, u16):
        src = one(services, run, project_id, path)
        assert src.processing_status == "READY", src.error_message
        assert run(services.sources.get_text(src.id)).strip() == words.strip()


def test_a_folder_of_a_thousand_files(services: Services, user: UserInfo, service_loop: Any, tmp_path: Path) -> None:
    def run(coro: Coroutine[Any, Any, Any]) -> Any:  # a thousand jobs take longer than the usual cap
        return service_loop.run(coro, timeout=900)

    project = run(services.projects.create(user.id, "Thousand"))
    folder = tmp_path / "notes"
    (folder / "sub").mkdir(parents=True)
    for i in range(1000):
        where = folder / "sub" if i % 2 else folder
        (where / f"note-{i:04}.txt").write_text(f"Note {i}: the keeper wrote about storm {i}.", encoding="utf-8")
    (folder / ".hidden.txt").write_text("not imported", encoding="utf-8")
    (folder / "picture.xyz").write_text("unknown type skipped in folders", encoding="utf-8")
    batch = import_and_wait(services, run, project.id, folder)
    assert len(batch.accepted) == 1000 and batch.refused == []

    async def counts() -> tuple[int, int]:
        async with services.db.session() as s:
            ready = await s.scalar(
                select(func.count()).where(
                    SourceMaterial.project_id == project.id,
                    SourceMaterial.processing_status == ProcessingStatus.READY,
                )
            )
            chunks = await s.scalar(select(func.count()).where(ContentChunk.project_id == project.id))
            return int(ready or 0), int(chunks or 0)

    assert run(counts()) == (1000, 1000)


def test_a_file_deleted_between_drop_and_copy(services: Services, run: Run, project_id: uuid.UUID,
                                              tmp_path: Path) -> None:
    path = tmp_path / "vanishing.txt"
    path.write_text(TEXT, encoding="utf-8")

    async def go() -> SourceSummary:
        # Hold every worker slot so the job is queued, then delete the file before it runs.
        runner = services.runner
        blockers = []
        import asyncio

        gate = asyncio.Event()

        async def hold(ctx: Any, params: dict[str, Any]) -> None:
            await gate.wait()

        runner.register("test.hold", hold)
        from ghostline_desktop.runtime.jobs import JobSpec

        for _ in range(runner.concurrency):
            blockers.append(
                await runner.submit(JobSpec("test.hold", TaskType.OCR, project_id, "hold", retryable=False))
            )
        batch = await services.ingestion.import_paths(project_id, [path])
        path.unlink()
        gate.set()
        job_id = batch.accepted[0].job_id
        assert job_id is not None
        await services.jobs.wait(job_id, 60)
        return await services.sources.get(batch.accepted[0].id)

    src = run(go())
    assert src.processing_status == "FAILED" and "moved or deleted" in (src.error_message or "")


def test_audio_without_a_provider_says_what_it_needs(services: Services, run: Run, project_id: uuid.UUID,
                                                     tmp_path: Path) -> None:
    import math
    import struct
    import wave

    path = tmp_path / "memo.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 8))) for i in range(16000)))
    src = failed(services, run, project_id, path)
    assert src.error_code == "needs_provider" and "AI provider" in (src.error_message or "")


def test_delete_removes_chunks_and_the_stored_file(services: Services, run: Run, project_id: uuid.UUID,
                                                   tmp_path: Path, store: LocalStore) -> None:
    path = tmp_path / "to-delete.txt"
    path.write_text("A source that will be deleted soon, about gulls. " * 20, encoding="utf-8")
    src = one(services, run, project_id, path)

    async def key() -> str:
        async with services.db.session() as s:
            row = await s.get(SourceMaterial, src.id)
            assert row is not None and row.s3_key
            return row.s3_key

    k = run(key())
    assert store.exists(k)
    run(services.sources.delete_source(src.id))
    assert chunks_of(services, run, src.id) == []
    assert not store.exists(k)


def test_a_typed_note_is_chunked_and_rechunked_when_edited(services: Services, run: Run,
                                                           project_id: uuid.UUID) -> None:
    async def go() -> tuple[list[str], list[str]]:
        note = await services.sources.add_note(project_id, "Idea", "The ghost lives in the lighthouse attic.")
        await settle(services, project_id)
        async with services.db.session() as s:
            first = list((await s.execute(select(ContentChunk.content).where(
                ContentChunk.source_material_id == note.id))).scalars())
        await services.sources.update_note(note.id, "Idea", "The ghost moved to the cellar.")
        await settle(services, project_id)
        async with services.db.session() as s:
            second = list((await s.execute(select(ContentChunk.content).where(
                ContentChunk.source_material_id == note.id))).scalars())
        return first, second

    first, second = run(go())
    assert first == ["The ghost lives in the lighthouse attic."]
    assert second == ["The ghost moved to the cellar."]


def test_after_a_crash_copied_files_resume_and_half_copied_ones_fail_with_retry(
    services: Services, run: Run, project_id: uuid.UUID, store: LocalStore, tmp_path: Path
) -> None:
    """What a killed app leaves behind: a job row RUNNING under a dead pid, a source PROCESSING
    whose file was copied, and one still UPLOADING. The next start settles all of them."""
    import socket
    import subprocess
    import sys

    from ghostline_desktop.core.enums import MaterialType
    from ghostline_desktop.storage.local import import_file

    dead_pid = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                                  capture_output=True, text=True).stdout)
    original = tmp_path / "resumable.txt"
    original.write_text("A passage about the keeper's daughter and her telescope. " * 30, encoding="utf-8")
    stored = import_file(store, original)

    async def seed() -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
        async with services.db.session() as s:
            copied = SourceMaterial(project_id=project_id, material_type=MaterialType.TEXT, title="resumable",
                                    processing_status=ProcessingStatus.PROCESSING, s3_bucket="local",
                                    s3_key=stored.key, content_hash=stored.sha256, extra={})
            half = SourceMaterial(project_id=project_id, material_type=MaterialType.PDF, title="half",
                                  processing_status=ProcessingStatus.UPLOADING, extra={})
            s.add_all([copied, half])
            await s.flush()
            # A partial set of chunks must never survive: none is written before READY.
            task = GenerationTask(project_id=project_id, task_type=TaskType.SOURCE_PROCESSING,
                                  status=TaskStatus.RUNNING,
                                  input_params={"handler": "source.process", "source_id": str(copied.id),
                                                "owner": {"host": socket.gethostname(), "pid": dead_pid}})
            s.add(task)
            await s.flush()
            return copied.id, half.id, task.id

    copied_id, half_id, task_id = run(seed())

    async def restart() -> None:
        await services.start_background()
        await settle(services, project_id)

    run(restart())
    assert run(services.sources.get(copied_id)).processing_status == "READY"
    assert len(chunks_of(services, run, copied_id)) >= 1
    half = run(services.sources.get(half_id))
    assert half.processing_status == "FAILED" and half.error_code == "interrupted"

    async def task_status() -> TaskStatus:
        async with services.db.session() as s:
            row = await s.get(GenerationTask, task_id)
            assert row is not None
            return row.status

    assert run(task_status()) is TaskStatus.FAILED


def test_with_a_provider_audio_is_transcribed_and_chunks_use_provider_embeddings(
    db_url: str, store: LocalStore, run: Run, user: UserInfo, tmp_path: Path, openai_server: Any
) -> None:
    """The real openai client against the local OpenAI-compatible test server (tests/support)."""
    import math
    import struct
    import wave

    from ghostline_desktop.ai.embedders import ProviderEmbedder
    from ghostline_desktop.ai.provider import Provider, ProviderConfig
    from ghostline_desktop.db.database import Database

    openai_server.transcription = "The lighthouse keeper dictated this memo about the storm."
    provider = Provider(ProviderConfig(openai_server.base_url, "sk-test", "gpt-4o-mini", "text-embedding-3-small"))
    svc = Services.build(Database(db_url), store, provider=provider,
                         embedder=ProviderEmbedder(provider, model="text-embedding-3-small"))
    try:
        project = run(svc.projects.create(user.id, "Voice memos"))
        memo = tmp_path / "memo.m4a.wav"
        with wave.open(str(memo), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(b"".join(struct.pack("<h", int(6000 * math.sin(i / 5))) for i in range(32000)))
        note = tmp_path / "note.txt"
        note.write_text(TEXT, encoding="utf-8")
        batch = import_and_wait(svc, run, project.id, memo, note)
        audio, text = (run(svc.sources.get(s.id)) for s in batch.accepted)
        assert audio.processing_status == "READY", audio.error_message
        assert audio.material_type == "AUDIO"
        assert "lighthouse keeper dictated" in run(svc.sources.get_text(audio.id))
        assert openai_server.requests_to("transcriptions")
        assert text.processing_status == "READY"
        assert chunks_of(svc, run, text.id)[0].embedding_model == "provider/text-embedding-3-small"
        assert openai_server.requests_to("embeddings")
        hits = run(svc.search.search(project.id, "lighthouse keeper storm", limit=5))
        assert {h.source_id for h in hits} >= {audio.id}
    finally:
        run(svc.close())


def test_changing_the_provider_in_preferences_switches_the_embedder(
    services: Services, run: Run, tmp_path: Path, openai_server: Any
) -> None:
    from ghostline_desktop.config import AISettings, Settings

    online = Settings(data_dir=tmp_path, config_dir=tmp_path,
                      ai=AISettings(base_url=openai_server.base_url, api_key="sk-test"), max_import_mb=7)
    run(services.apply_settings(online))
    try:
        assert services.ingestion.embedder.name == "provider/text-embedding-3-small"
        assert services.ingestion.provider is not None and services.ingestion.max_file_bytes == 7 * 1024 * 1024
        assert "AI provider" in services.search.embedder_label()
    finally:
        run(services.apply_settings(Settings(data_dir=tmp_path, config_dir=tmp_path)))
    assert services.ingestion.embedder.name.startswith("local/") and services.ingestion.provider is None


def test_a_big_pdf_is_read_by_every_worker_and_keeps_its_page_order(
    services: Services, run: Run, project_id: uuid.UUID, tmp_path: Path
) -> None:
    from ghostline_desktop.ingest.pipeline import page_ranges
    from ghostline_desktop.services.ingestion import BIG_PDF_BYTES

    assert page_ranges(10, 3) == [(0, 3), (3, 7), (7, 10)] and page_ranges(2, 4) == [(0, 1), (1, 2)]
    pages = [f"Page {i} tells of harbour number {i} and its lighthouse keeper. " * 60 for i in range(1, 81)]
    pdf = write_pdf(tmp_path / "long.pdf", pages)
    assert pdf.stat().st_size > BIG_PDF_BYTES
    src = one(services, run, project_id, pdf)
    assert src.processing_status == "READY" and src.page_count == 80
    chunks = chunks_of(services, run, src.id)
    first_pages = [c.extra["page"] for c in chunks]
    assert first_pages == sorted(first_pages) and first_pages[0] == 1 and first_pages[-1] >= 78
    text = run(services.sources.get_text(src.id))
    assert text.index("harbour number 40 ") < text.index("harbour number 41 ") < text.index("harbour number 80 ")


def test_quitting_while_a_note_is_indexed_keeps_it_ready_and_indexes_it_next_start(
    services: Services, run: Run, project_id: uuid.UUID
) -> None:
    async def go() -> tuple[str, int, str, int]:
        gate_holders = []
        import asyncio

        from ghostline_desktop.runtime.jobs import JobSpec

        gate = asyncio.Event()

        async def hold(ctx: Any, params: dict[str, Any]) -> None:
            await gate.wait()

        services.runner.register("test.hold2", hold)
        for _ in range(services.runner.concurrency):  # the note's job waits in the queue
            gate_holders.append(
                await services.runner.submit(JobSpec("test.hold2", TaskType.OCR, project_id, "hold", retryable=False))
            )
        note = await services.sources.add_note(project_id, "Quit while indexing", "The gull circled the mast twice.")
        services.runner.cancel_all()  # what quitting does
        gate.set()
        await settle(services, project_id)
        after_quit = await services.sources.get(note.id)
        async with services.db.session() as s:
            before = await s.scalar(select(func.count()).where(ContentChunk.source_material_id == note.id))
        await services.start_background()  # the next start
        await settle(services, project_id)
        async with services.db.session() as s:
            after = await s.scalar(select(func.count()).where(ContentChunk.source_material_id == note.id))
        latest = await services.sources.get(note.id)
        return after_quit.processing_status, int(before or 0), latest.processing_status, int(after or 0)

    status_after_quit, chunks_before, status_next_start, chunks_after = run(go())
    assert status_after_quit == "READY" and chunks_before == 0
    assert status_next_start == "READY" and chunks_after == 1
