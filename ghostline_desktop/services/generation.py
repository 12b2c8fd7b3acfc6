"""AI generation agents as jobs on the shared runtime (issue 8).

SKELETON laid by the lead; issue 8 fills it in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ghostline_desktop.db.database import Database
from ghostline_desktop.runtime.jobs import JobRunner
from ghostline_desktop.services.chapters import ChapterService
from ghostline_desktop.services.events import EventBus
from ghostline_desktop.services.outline import OutlineService
from ghostline_desktop.services.search import SearchService
from ghostline_desktop.services.tokens import TokenService
from ghostline_desktop.services.voice import VoiceService

if TYPE_CHECKING:
    from ghostline_desktop.ai.provider import Provider


class GenerationService:
    def __init__(
        self,
        db: Database,
        bus: EventBus,
        runner: JobRunner,
        *,
        search: SearchService,
        chapters: ChapterService,
        outline: OutlineService,
        tokens: TokenService,
        voice: VoiceService,
        provider: Provider | None = None,
    ) -> None:
        self.db = db
        self.bus = bus
        self.runner = runner
        self.search = search
        self.chapters = chapters
        self.outline = outline
        self.tokens = tokens
        self.voice = voice
        self.provider = provider

    def configure(self, provider: Provider | None) -> None:
        """Preferences changed the provider (None: offline)."""
        self.provider = provider
