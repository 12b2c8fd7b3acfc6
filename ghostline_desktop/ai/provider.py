"""The one client of the AI provider: OpenAI or any OpenAI-compatible server, over ``openai.AsyncOpenAI``.

Why our own retry loop (the client's is switched off with ``max_retries=0``): we need to
decide per error class (429 honouring Retry-After, 5xx, connection errors and timeouts are
retried with exponential backoff and full jitter; any other 4xx fails at once), to turn every
failure into a typed :mod:`ghostline_desktop.errors` error with a message an author
understands, and to retry a stream only while nothing of it has reached the caller.

The API key never appears in a message, a log line or a ``repr``: server text is scrubbed
before it is kept, and errors are raised ``from None`` so tracebacks do not carry the raw
client exception (whose text a careless server may have filled with the key).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

from ghostline_desktop import secrets
from ghostline_desktop.ai.presets import effective_base_url
from ghostline_desktop.ai.provider_errors import (
    never_retried,
    retryable,
    scrub,
    translate_error,
)
from ghostline_desktop.config import AISettings
from ghostline_desktop.errors import (
    NotFoundError,
    ProviderError,
    ProviderStreamInterrupted,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

if TYPE_CHECKING:
    import openai
else:

    class _Lazy:
        """``openai`` imported on first use: it costs ~0.4 s, and the app starts (and works
        offline) without ever calling a provider."""

        def __getattr__(self, name: str) -> Any:
            import importlib

            return getattr(importlib.import_module("openai"), name)

    openai = _Lazy()

OPENAI_BASE_URL = "https://api.openai.com/v1"
#: Local servers (Ollama, LM Studio, llama.cpp) ignore the key but the client insists on one.
PLACEHOLDER_API_KEY = "not-needed"
#: Inputs per /embeddings request: well under OpenAI's 2,048, and a 1,000-token chunk × 256 stays under
#: its 300k-tokens-per-request cap.
EMBED_BATCH_SIZE = 256
EMBED_BATCH_CHARS = 800_000  # ~200k tokens: a second bound for batches of unusually long texts
#: The /audio/transcriptions upload limit (callers split longer audio first).
TRANSCRIPTION_MAX_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class ProviderConfig:
    base_url: str | None
    api_key: str | None = field(repr=False)  # never in a repr, so never in a log line
    chat_model: str
    embedding_model: str
    transcription_model: str = "whisper-1"
    timeout: float = 60.0  # seconds of silence allowed per connect/read/write (not a cap on the whole call)
    max_retries: int = 4
    backoff_base: float = 0.5  # first retry waits up to this long; doubles each time (full jitter)
    backoff_cap: float = 20.0
    retry_after_cap: float = 60.0  # a server asking for longer than this is not waited for beyond it

    @property
    def is_openai(self) -> bool:
        return self.base_url is None or urlsplit(self.base_url).hostname == "api.openai.com"

    @property
    def label(self) -> str:
        """The name shown for this provider: "OpenAI", or the server's host:port (never the key)."""
        if self.base_url is None:
            return "OpenAI"
        parts = urlsplit(self.base_url)
        return parts.netloc or self.base_url


@dataclass(frozen=True)
class ChatResult:
    text: str
    prompt_tokens: int
    completion_tokens: int
    model: str
    finish_reason: str | None = None
    usage_reported: bool = True  # False when the server sent no usage (then the counts are 0)


@dataclass(frozen=True)
class TextDelta:
    """A piece of a streamed reply, in order."""

    text: str


@dataclass(frozen=True)
class StreamDone:
    """The last event of a complete stream: the whole text and the usage the server reported."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    model: str
    finish_reason: str | None
    usage_reported: bool


StreamEvent = TextDelta | StreamDone


class Provider:
    """Chat (plain and streamed), embeddings, transcription and model listing with retries and typed errors."""

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config
        self._client = openai.AsyncOpenAI(
            # Explicit base URL and key, so the client never falls back to os.environ behind our back.
            base_url=config.base_url or OPENAI_BASE_URL,
            api_key=config.api_key or PLACEHOLDER_API_KEY,
            timeout=config.timeout,
            max_retries=0,
        )

    def __repr__(self) -> str:
        return f"Provider({self.config.label}, chat={self.config.chat_model!r})"

    async def aclose(self) -> None:
        await self._client.close()

    async def __aenter__(self) -> Provider:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ---- public API --------------------------------------------------------------------------------------------
    async def list_models(self) -> list[str]:
        """The ids of the models the server offers, sorted (the "Test connection" button)."""

        async def call() -> list[str]:
            return sorted([m.id async for m in self._client.models.list()])

        return await self._with_retries("list models", call, model=None)

    async def embed(self, texts: Sequence[str], *, dimensions: int | None = None) -> tuple[list[list[float]], int]:
        """One vector per text, in order, and the tokens the server reported using (summed over batches)."""
        vectors: list[list[float]] = []
        tokens = 0
        model = self.config.embedding_model
        for batch in _batches(list(texts)):
            # An empty string is a 400 at OpenAI; a single space embeds as "nothing" everywhere.
            inputs = [t if t.strip() else " " for t in batch]

            async def call(inputs: list[str] = inputs) -> Any:
                kwargs: dict[str, Any] = {"model": model, "input": inputs, "encoding_format": "float"}
                if dimensions is not None:
                    kwargs["dimensions"] = dimensions
                return await self._client.embeddings.create(**kwargs)

            response = await self._with_retries("embeddings", call, model=model)
            data = sorted(response.data, key=lambda d: d.index)
            if len(data) != len(inputs):
                raise ProviderError(
                    f"The AI provider returned {len(data)} embeddings for {len(inputs)} texts.",
                    detail=f"model={model}",
                )
            vectors.extend([list(d.embedding) for d in data])
            usage = getattr(response, "usage", None)
            tokens += int(getattr(usage, "prompt_tokens", 0) or getattr(usage, "total_tokens", 0) or 0)
        return vectors, tokens

    async def transcribe(self, path: Path) -> str:
        """The text of an audio file (≤ 25 MB: callers split longer recordings first)."""
        model = self.config.transcription_model
        try:
            size = path.stat().st_size
        except OSError:
            raise NotFoundError(f"The audio file '{path.name}' can no longer be read.") from None
        if size > TRANSCRIPTION_MAX_BYTES:
            raise ProviderError(
                f"'{path.name}' is {size / 1_048_576:.0f} MB; the transcription service takes at most 25 MB at once."
            )
        data = await asyncio.to_thread(path.read_bytes)

        async def call() -> Any:
            return await self._client.audio.transcriptions.create(model=model, file=(path.name, data))

        result = await self._with_retries("transcription", call, model=model)
        text = result if isinstance(result, str) else getattr(result, "text", "")
        return str(text).strip()

    async def chat(
        self,
        messages: Sequence[Mapping[str, Any]],
        *,
        model: str | None = None,
        response_format: Mapping[str, Any] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        timeout: float | None = None,
    ) -> ChatResult:
        """One complete reply. ``response_format`` (e.g. ``{"type": "json_object"}``) is passed through as is."""
        name = model or self.config.chat_model
        kwargs = self._chat_kwargs(messages, name, response_format, max_tokens, temperature, timeout)

        async def call() -> Any:
            return await self._client.chat.completions.create(**kwargs)

        response = await self._with_retries("chat", call, model=name)
        choice = response.choices[0] if response.choices else None
        usage = response.usage
        return ChatResult(
            text=(choice.message.content or "") if choice else "",
            prompt_tokens=int(usage.prompt_tokens) if usage else 0,
            completion_tokens=int(usage.completion_tokens) if usage else 0,
            model=response.model or name,
            finish_reason=choice.finish_reason if choice else None,
            usage_reported=usage is not None,
        )

    async def stream_chat(
        self,
        messages: Sequence[Mapping[str, Any]],
        *,
        model: str | None = None,
        response_format: Mapping[str, Any] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        timeout: float | None = None,
    ) -> AsyncIterator[StreamEvent]:
        """``TextDelta``s as they arrive, then one ``StreamDone`` with the reported usage.

        A failure before the first delta is retried like any call. After it, nothing is
        retried (the caller already has part of the text): :class:`ProviderStreamInterrupted`
        is raised with ``partial_text``; so is a stream that ends without a finish reason.
        """
        name = model or self.config.chat_model
        kwargs = self._chat_kwargs(messages, name, response_format, max_tokens, temperature, timeout)
        kwargs.update(stream=True, stream_options={"include_usage": True})
        attempt = 0
        while True:
            parts: list[str] = []
            usage: Any = None
            finish: str | None = None
            reply_model = name
            try:
                # Opened here rather than through _with_retries: one attempt counter covers both the
                # opening and a failure before the first delta.
                stream = await self._client.chat.completions.create(**kwargs)
                try:
                    async for chunk in stream:
                        reply_model = chunk.model or reply_model
                        if chunk.usage is not None:
                            usage = chunk.usage
                        for choice in chunk.choices:
                            if choice.finish_reason:
                                finish = choice.finish_reason
                            piece = choice.delta.content if choice.delta else None
                            if piece:
                                parts.append(piece)
                                yield TextDelta(piece)
                finally:
                    await stream.close()
            except openai.OpenAIError as exc:
                error, retry_after = self._translate(exc, name)
                if not parts and retryable(exc) and not never_retried(error) and attempt < self.config.max_retries:
                    await self._backoff("chat stream", error, attempt, retry_after)
                    attempt += 1
                    continue
                if not parts:
                    raise error from None
                raise ProviderStreamInterrupted(
                    partial_text="".join(parts), status_code=error.status_code, detail=error.detail or str(error)
                ) from None
            except ValueError as exc:  # an event that is not JSON: a confused server or proxy, not worth a retry
                detail = scrub(f"unreadable stream event: {exc}", self.config.api_key)
                if not parts:
                    raise ProviderError("The AI provider sent a reply that could not be read.", detail=detail) from None
                raise ProviderStreamInterrupted(partial_text="".join(parts), detail=detail) from None
            if finish is None:
                detail = "stream ended without a finish reason"
                raise ProviderStreamInterrupted(partial_text="".join(parts), detail=detail)
            yield StreamDone(
                text="".join(parts),
                prompt_tokens=int(usage.prompt_tokens) if usage is not None else 0,
                completion_tokens=int(usage.completion_tokens) if usage is not None else 0,
                model=reply_model,
                finish_reason=finish,
                usage_reported=usage is not None,
            )
            return

    def _translate(self, exc: openai.OpenAIError, model: str | None) -> tuple[ProviderError, float | None]:
        return translate_error(exc, self.config, model)

    # ---- internals ---------------------------------------------------------------------------------------------
    def _chat_kwargs(
        self,
        messages: Sequence[Mapping[str, Any]],
        model: str,
        response_format: Mapping[str, Any] | None,
        max_tokens: int | None,
        temperature: float | None,
        timeout: float | None,
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"model": model, "messages": [dict(m) for m in messages]}
        if response_format is not None:
            kwargs["response_format"] = dict(response_format)
        if max_tokens is not None:
            # OpenAI's newer models refuse max_tokens; most compatible servers only know max_tokens.
            kwargs["max_completion_tokens" if self.config.is_openai else "max_tokens"] = max_tokens
        if temperature is not None:
            kwargs["temperature"] = temperature
        if timeout is not None:
            kwargs["timeout"] = timeout
        return kwargs

    async def _with_retries(self, what: str, call: Callable[[], Awaitable[T]], *, model: str | None) -> T:
        attempt = 0
        while True:
            try:
                return await call()
            except openai.OpenAIError as exc:
                error, retry_after = self._translate(exc, model)
                if not retryable(exc) or never_retried(error) or attempt >= self.config.max_retries:
                    if attempt:
                        log.warning("AI provider %s failed after %d attempts: %s", what, attempt + 1, error.detail)
                    raise error from None
                await self._backoff(what, error, attempt, retry_after)
                attempt += 1

    async def _backoff(self, what: str, error: ProviderError, attempt: int, retry_after: float | None) -> None:
        cfg = self.config
        if retry_after is not None:
            # The server said when; a little jitter keeps parallel callers from returning in lockstep.
            delay = min(retry_after, cfg.retry_after_cap) * random.uniform(1.0, 1.1)
        else:
            delay = random.uniform(0.0, min(cfg.backoff_cap, cfg.backoff_base * 2**attempt))
        log.info(
            "AI provider %s at %s: %s (%s); retry %d/%d in %.2f s",
            what,
            cfg.label,
            type(error).__name__,
            error.detail,
            attempt + 1,
            cfg.max_retries,
            delay,
        )
        await asyncio.sleep(delay)


def _batches(texts: list[str]) -> list[list[str]]:
    batches: list[list[str]] = []
    current: list[str] = []
    chars = 0
    for text in texts:
        if current and (len(current) >= EMBED_BATCH_SIZE or chars + len(text) > EMBED_BATCH_CHARS):
            batches.append(current)
            current, chars = [], 0
        current.append(text)
        chars += len(text)
    if current:
        batches.append(current)
    return batches


KeySource = Callable[[], str | None] | Literal["keyring"] | None


def config_from_settings(
    ai: AISettings,
    env: Mapping[str, str] = os.environ,
    *,
    stored_key: KeySource = "keyring",
) -> ProviderConfig | None:
    """The provider configuration, or None when nothing is configured (the app then runs offline).

    As the openai library does: an explicit setting wins over ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``;
    without either, a local preset's own address is used; the key then comes from the keyring
    entry of this provider (``secrets.key_account``: the OpenAI key is never sent elsewhere).
    ``stored_key="keyring"`` touches the keyring, which can block: call this off the GUI thread
    (the service loop), or pass a function or ``None``.
    """
    base_url = (
        (ai.base_url or "").strip()
        or env.get("OPENAI_BASE_URL", "").strip()
        or effective_base_url(ai.preset, None)
        or None
    )
    key = (ai.api_key or "").strip() or env.get("OPENAI_API_KEY", "").strip() or None
    if key is None and stored_key is not None:
        if stored_key == "keyring":
            key = (secrets.stored_api_key(secrets.key_account(ai.preset, base_url)) or "").strip() or None
        else:
            key = (stored_key() or "").strip() or None
    if key is None and base_url is None:
        return None
    secrets.remember_secret(key)
    return ProviderConfig(
        base_url=base_url,
        api_key=key,
        chat_model=ai.chat_model,
        embedding_model=ai.embedding_model,
        transcription_model=ai.transcription_model,
        timeout=ai.timeout_s,
    )


def provider_from_settings(
    ai: AISettings,
    env: Mapping[str, str] = os.environ,
    *,
    stored_key: KeySource = "keyring",
) -> Provider | None:
    """A :class:`Provider` for these settings, or None when no provider is configured."""
    config = config_from_settings(ai, env, stored_key=stored_key)
    return Provider(config) if config is not None else None


__all__ = [
    "EMBED_BATCH_SIZE",
    "ChatResult",
    "Provider",
    "ProviderConfig",
    "StreamDone",
    "StreamEvent",
    "TextDelta",
    "config_from_settings",
    "provider_from_settings",
    "scrub",
]
