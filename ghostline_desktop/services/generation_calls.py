"""One accounted AI call of a generation job: estimate, affordability, the call (plain or
streamed), one trimmed retry when the context is too long, the debit of what the provider
reported, and the job row's token columns (issue 8).

Rules (the issue's and the token ledger's):
- before each call the prompt is estimated offline (``ai/estimate.py``) and
  ``TokenService.check_affordable`` may refuse it (:class:`InsufficientTokensError`);
- after it, exactly the usage the provider *reported* is debited; a call that failed before
  reporting usage (a broken stream, a timeout) debits nothing — the estimate is never charged;
- while a stream runs, the estimated tokens so far are published a few times a second for the
  live meter, and 0 once it settled.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from ghostline_desktop.ai.estimate import estimate_tokens
from ghostline_desktop.ai.prompting import BuiltPrompt, trimmed
from ghostline_desktop.db.models import GenerationTask
from ghostline_desktop.errors import ProviderContextTooLong, ProviderNotConfigured

if TYPE_CHECKING:
    from ghostline_desktop.ai.provider import ChatResult, Provider
    from ghostline_desktop.runtime.jobs import JobContext
    from ghostline_desktop.services.generation import GenerationService

log = logging.getLogger(__name__)
ESTIMATE_INTERVAL_S = 0.25  # the live meter: a few updates a second


@dataclass
class Usage:
    """What the provider reported for one job so far (summed over its calls)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str | None = None
    calls: int = 0

    @property
    def total(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass
class StreamOutcome:
    text: str
    complete: bool  # False: cancelled or broken off; ``text`` is what arrived
    prompt: BuiltPrompt  # the prompt actually sent (trimmed after a "context too long")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    usage_reported: bool = False
    error: BaseException | None = None  # why it is incomplete (None when cancelled)
    cancel: asyncio.CancelledError | None = None  # re-raise after keeping the text (a timeout needs it)


class AccountedCalls:
    """Calls made on behalf of one job (``ctx``), debited to ``user_id``."""

    def __init__(self, gen: GenerationService, ctx: JobContext, user_id: uuid.UUID | None, what: str) -> None:
        self.gen = gen
        self.ctx = ctx
        self.user_id = user_id
        self.project_id = ctx.spec.project_id
        self.what = what
        self.usage = Usage()

    @property
    def provider(self) -> Provider:
        provider = self.gen.provider
        if provider is None:
            raise ProviderNotConfigured()
        return provider

    async def check(self, prompt: BuiltPrompt, what: str | None = None) -> None:
        if self.user_id is not None:
            await self.gen.tokens.check_affordable(self.user_id, prompt.estimate, what or self.what)

    async def record(self, prompt_tokens: int, completion_tokens: int, model: str | None, description: str) -> None:
        """Debit one call's reported usage and add it to the job row (the row is written whole:
        one writer per job, so no increments race)."""
        self.usage.prompt_tokens += prompt_tokens
        self.usage.completion_tokens += completion_tokens
        self.usage.model = model or self.usage.model
        self.usage.calls += 1
        if self.user_id is not None and (prompt_tokens or completion_tokens):
            await self.gen.tokens.debit_usage(
                self.user_id,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                model=model,
                description=description,
                project_id=self.project_id,
                generation_task_id=self.ctx.job_id,
            )
        await self.write_row()

    async def write_row(self, **extra: Any) -> None:
        values: dict[str, Any] = {
            "prompt_tokens": self.usage.prompt_tokens,
            "completion_tokens": self.usage.completion_tokens,
            "total_tokens": self.usage.total,
            **extra,
        }
        if self.usage.model:
            values["model"] = self.usage.model
        async with self.gen.db.session() as s:
            await s.execute(update(GenerationTask).where(GenerationTask.id == self.ctx.job_id).values(**values))

    # -- plain calls --------------------------------------------------------------------
    async def chat(
        self,
        prompt: BuiltPrompt,
        description: str,
        *,
        messages: list[dict[str, str]] | None = None,
    ) -> tuple[ChatResult, BuiltPrompt]:
        """One reply; after "context too long" the passages are halved and it is tried once more."""
        await self.check(prompt)
        try:
            return await self._chat_once(prompt, description, messages), prompt
        except ProviderContextTooLong:
            smaller = trimmed(prompt)
            if smaller is None or messages is not None:
                raise
            log.info("%s: context too long; retrying with %d passages", self.what, len(smaller.passages))
            await self.ctx.progress(self.ctx.progress_value, "Too long for the model: retrying with fewer sources…")
            await self.check(smaller)
            return await self._chat_once(smaller, description, None), smaller

    async def _chat_once(
        self, prompt: BuiltPrompt, description: str, messages: list[dict[str, str]] | None
    ) -> ChatResult:
        result = await self.provider.chat(
            messages or prompt.messages,
            response_format={"type": "json_object"} if prompt.json_reply else None,
            max_tokens=prompt.max_completion_tokens,
        )
        if result.usage_reported:
            await self.record(result.prompt_tokens, result.completion_tokens, result.model, description)
        else:
            log.warning("%s: the provider reported no usage; nothing debited", self.what)
            self.usage.model = result.model or self.usage.model
        return result

    # -- streamed calls -----------------------------------------------------------------
    async def stream(self, prompt: BuiltPrompt, description: str, on_text: Callable[[str], None]) -> StreamOutcome:
        """Stream a reply, handing each piece to ``on_text``; never raises for a broken stream or
        a cancel (the outcome says so, with what arrived), so the caller can keep the text."""
        await self.check(prompt)
        try:
            return await self._stream_once(prompt, description, on_text)
        except ProviderContextTooLong:
            smaller = trimmed(prompt)
            if smaller is None:
                raise
            log.info("%s: context too long; retrying with %d passages", self.what, len(smaller.passages))
            await self.check(smaller)
            return await self._stream_once(smaller, description, on_text)

    async def _stream_once(
        self, prompt: BuiltPrompt, description: str, on_text: Callable[[str], None]
    ) -> StreamOutcome:
        from ghostline_desktop.ai.provider import StreamDone, TextDelta
        from ghostline_desktop.errors import ProviderStreamInterrupted

        parts: list[str] = []
        so_far = 0
        last_publish = 0.0
        job_id = self.ctx.job_id
        try:
            async for event in self.provider.stream_chat(prompt.messages, max_tokens=prompt.max_completion_tokens):
                if isinstance(event, TextDelta):
                    parts.append(event.text)
                    on_text(event.text)
                    so_far += estimate_tokens(event.text)
                    now = time.monotonic()
                    if self.user_id is not None and now - last_publish >= ESTIMATE_INTERVAL_S:
                        last_publish = now
                        self.gen.tokens.publish_estimate(self.user_id, job_id, so_far)
                elif isinstance(event, StreamDone):
                    self._settle_estimate()
                    if event.usage_reported:
                        await self.record(event.prompt_tokens, event.completion_tokens, event.model, description)
                    else:
                        self.usage.model = event.model or self.usage.model
                    return StreamOutcome(
                        event.text, True, prompt, event.prompt_tokens, event.completion_tokens, event.usage_reported
                    )
        except ProviderStreamInterrupted as exc:
            self._settle_estimate()
            text = exc.partial_text or "".join(parts)
            return StreamOutcome(text, False, prompt, error=exc)
        except asyncio.CancelledError as exc:
            self._settle_estimate()
            return StreamOutcome("".join(parts), False, prompt, cancel=exc)
        except BaseException:
            self._settle_estimate()
            raise
        self._settle_estimate()  # a stream without StreamDone cannot happen (the provider raises)
        return StreamOutcome("".join(parts), False, prompt)

    def _settle_estimate(self) -> None:
        if self.user_id is not None:
            self.gen.tokens.publish_estimate(self.user_id, self.ctx.job_id, 0)
