"""The set of services one app (or CLI run) uses, built over one Database and one bus."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ghostline_desktop.ai.provider import provider_from_settings
from ghostline_desktop.config import Settings
from ghostline_desktop.db.database import Database
from ghostline_desktop.runtime.jobs import JobRunner
from ghostline_desktop.services.accounts import AccountService
from ghostline_desktop.services.chapters import DEFAULT_CHECKPOINT_MINUTES, ChapterService
from ghostline_desktop.services.demo import DemoService
from ghostline_desktop.services.events import EventBus
from ghostline_desktop.services.exports import ExportService
from ghostline_desktop.services.generation import GenerationService
from ghostline_desktop.services.ingestion import DEFAULT_MAX_BYTES, IngestionService
from ghostline_desktop.services.jobs import DbJobStore, JobService, publisher
from ghostline_desktop.services.library import SourceService
from ghostline_desktop.services.manuscript_import import ManuscriptImportService
from ghostline_desktop.services.notifications import NotificationService
from ghostline_desktop.services.outline import OutlineService
from ghostline_desktop.services.projects import ProjectService
from ghostline_desktop.services.qa import QAService
from ghostline_desktop.services.qa_runs import QARunService
from ghostline_desktop.services.search import SearchService
from ghostline_desktop.services.tokens import TokenService
from ghostline_desktop.services.voice import VoiceService
from ghostline_desktop.storage.local import LocalStore

if TYPE_CHECKING:
    from ghostline_desktop.ai.embedders import Embedder
    from ghostline_desktop.ai.provider import Provider


def ai_for_settings(settings: Settings) -> tuple[Provider | None, Embedder | None]:
    """The configured provider and its embedder, or (None, None) to work offline (the
    ingestion service then uses the local embedder)."""
    provider = provider_from_settings(settings.ai)
    if provider is None:
        return None, None
    from ghostline_desktop.ai.embedders import ProviderEmbedder

    return provider, ProviderEmbedder(provider, model=settings.ai.embedding_model)


@dataclass
class Services:
    db: Database
    bus: EventBus
    store: LocalStore
    accounts: AccountService
    projects: ProjectService
    sources: SourceService
    outline: OutlineService
    chapters: ChapterService
    qa: QAService
    notifications: NotificationService
    demo: DemoService
    runner: JobRunner
    jobs: JobService
    ingestion: IngestionService
    search: SearchService
    manuscripts: ManuscriptImportService
    tokens: TokenService
    voice: VoiceService
    generation: GenerationService
    qa_runs: QARunService
    exports: ExportService

    @classmethod
    def build(
        cls,
        db: Database,
        store: LocalStore,
        bus: EventBus | None = None,
        *,
        embedder: Embedder | None = None,
        provider: Provider | None = None,
        max_import_bytes: int = DEFAULT_MAX_BYTES,
        concurrency: int | None = None,
        checkpoint_after_minutes: float = DEFAULT_CHECKPOINT_MINUTES,
    ) -> Services:
        bus = bus or EventBus()
        runner = JobRunner(DbJobStore(db), publisher(bus), concurrency=concurrency)
        ingestion = IngestionService(
            db, bus, store, runner, embedder=embedder, provider=provider, max_file_bytes=max_import_bytes
        )
        projects = ProjectService(db, bus, store)
        sources = SourceService(db, bus, store)
        sources.ingestion = ingestion
        outline = OutlineService(db, bus)
        chapters = ChapterService(db, bus, checkpoint_after_minutes=checkpoint_after_minutes)
        qa = QAService(db, bus)
        notifications = NotificationService(db, bus)
        search = SearchService(db, ingestion)
        tokens = TokenService(db, bus)
        voice = VoiceService(db, bus, runner)
        voice.configure(embedder)  # the provider's embedder (None offline): a semantic embedding of the sample
        generation = GenerationService(
            db,
            bus,
            runner,
            search=search,
            chapters=chapters,
            outline=outline,
            tokens=tokens,
            voice=voice,
            provider=provider,
        )
        qa_runs = QARunService(
            db, bus, runner, qa, notifications=notifications, tokens=tokens, provider=provider, search=search
        )
        exports = ExportService(db, bus, store, runner, qa=qa, notifications=notifications, qa_runs=qa_runs)
        return cls(
            db=db,
            bus=bus,
            store=store,
            accounts=AccountService(db, bus),
            projects=projects,
            sources=sources,
            outline=outline,
            chapters=chapters,
            qa=qa,
            notifications=notifications,
            demo=DemoService(projects, outline, chapters, sources, qa, notifications),
            runner=runner,
            jobs=JobService(db, bus, runner),
            ingestion=ingestion,
            search=search,
            manuscripts=ManuscriptImportService(db, bus, projects, chapters, outline, cpu=runner.cpu),
            tokens=tokens,
            voice=voice,
            generation=generation,
            qa_runs=qa_runs,
            exports=exports,
        )

    @classmethod
    def for_settings(cls, settings: Settings, db: Database, store: LocalStore, bus: EventBus | None = None) -> Services:
        """Services as the app and the CLI run them: the provider (if one is configured) embeds
        and transcribes, otherwise the local embedder does."""
        provider, embedder = ai_for_settings(settings)
        return cls.build(
            db,
            store,
            bus,
            embedder=embedder,
            provider=provider,
            max_import_bytes=settings.max_import_bytes,
            checkpoint_after_minutes=settings.checkpoint_after_minutes,
        )

    async def apply_settings(self, settings: Settings) -> None:
        """Preferences changed the AI provider: new imports, transcriptions and searches use it.
        Reading the key from the keyring may block (a locked keyring prompts), so off the loop."""
        provider, embedder = await asyncio.to_thread(ai_for_settings, settings)
        self.ingestion.configure(embedder=embedder, provider=provider)
        self.ingestion.max_file_bytes = settings.max_import_bytes
        self.generation.configure(provider)
        self.qa_runs.configure(provider)
        self.voice.configure(embedder)

    async def start_background(self) -> None:
        """After the database is ready: fail what a dead app left running, resume safe imports."""
        await self.jobs.recover()
        await self.ingestion.resume_interrupted()

    async def close(self) -> None:
        await self.runner.shutdown()
        await self.db.dispose()
