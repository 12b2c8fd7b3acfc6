"""The provider client against the real OpenAI-compatible test server: replies, usage, every fault.

Backoff is shrunk (``backoff_base``) and timeouts are fractions of a second so the whole
file runs in a few seconds; the retry policy under test is the production one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ghostline_desktop.ai.provider import (
    EMBED_BATCH_SIZE,
    PLACEHOLDER_API_KEY,
    Provider,
    ProviderConfig,
    StreamDone,
    TextDelta,
    config_from_settings,
    provider_from_settings,
    scrub,
)
from ghostline_desktop.config import AISettings
from ghostline_desktop.errors import (
    GhostlineError,
    NotFoundError,
    ProviderAuthError,
    ProviderContextTooLong,
    ProviderError,
    ProviderModelNotFound,
    ProviderRateLimited,
    ProviderStreamInterrupted,
    ProviderTimeout,
    ProviderUnavailable,
)
from tests.support.openai_fixture import TEST_API_KEY
from tests.support.openai_server import OpenAITestServer, embed_text

KEY = "sk-proj-SECRETsecret0123456789abcdef"
MESSAGES = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say something short."}]


def make_config(server: OpenAITestServer, **changes: object) -> ProviderConfig:
    values: dict[str, object] = {
        "base_url": server.base_url,
        "api_key": KEY,
        "chat_model": "gpt-4o-mini",
        "embedding_model": "text-embedding-3-small",
        "timeout": 3.0,
        "max_retries": 2,
        "backoff_base": 0.01,
        "backoff_cap": 0.05,
    }
    values.update(changes)
    return ProviderConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
async def provider(openai_server: OpenAITestServer) -> AsyncIterator[Provider]:
    async with Provider(make_config(openai_server)) as p:
        yield p


async def collect(provider: Provider, **kwargs: object) -> tuple[list[str], StreamDone | None, Exception | None]:
    deltas: list[str] = []
    done: StreamDone | None = None
    try:
        async for event in provider.stream_chat(MESSAGES, **kwargs):  # type: ignore[arg-type]
            if isinstance(event, TextDelta):
                deltas.append(event.text)
            else:
                done = event
    except ProviderError as exc:
        return deltas, done, exc
    return deltas, done, None


# ---- replies and usage ---------------------------------------------------------------------------------------------
async def test_chat_reports_usage_exactly_as_reported(openai_server: OpenAITestServer, provider: Provider) -> None:
    openai_server.queue_reply("Short.", prompt_tokens=123, completion_tokens=45)
    result = await provider.chat(MESSAGES)
    assert (result.text, result.prompt_tokens, result.completion_tokens) == ("Short.", 123, 45)
    assert result.model == "gpt-4o-mini" and result.finish_reason == "stop" and result.usage_reported
    (request,) = openai_server.requests_to("chat")
    assert request.json["messages"] == MESSAGES and request.json["model"] == "gpt-4o-mini"
    assert request.api_key == KEY
    assert request.headers["x-stainless-retry-count"] == "0"  # the client's own retries are off


async def test_chat_model_override_and_max_tokens(openai_server: OpenAITestServer, provider: Provider) -> None:
    result = await provider.chat(MESSAGES, model="llama3.1", max_tokens=50, temperature=0.2)
    request = openai_server.requests_to("chat")[0]
    assert request.json["model"] == "llama3.1" == result.model
    assert request.json["max_tokens"] == 50 and request.json["temperature"] == 0.2  # not OpenAI: max_tokens
    assert request.usage == {
        "prompt_tokens": result.prompt_tokens,
        "completion_tokens": result.completion_tokens,
        "total_tokens": result.prompt_tokens + result.completion_tokens,
    }


async def test_structured_reply_and_invalid_json_fault(openai_server: OpenAITestServer, provider: Provider) -> None:
    outline = {"title": "The Lamp", "chapters": [{"title": "Dusk", "scenes": ["a", "b"]}]}
    openai_server.queue_reply(outline)
    result = await provider.chat(MESSAGES, response_format={"type": "json_object"})
    assert json.loads(result.text) == outline
    assert openai_server.requests_to("chat")[0].json["response_format"] == {"type": "json_object"}

    openai_server.queue_reply(outline)
    openai_server.fail("chat", "invalid_json")
    broken = await provider.chat(MESSAGES, response_format={"type": "json_object"})
    with pytest.raises(json.JSONDecodeError):  # the provider passes it on: repairing is the caller's job
        json.loads(broken.text)


async def test_stream_yields_deltas_then_reported_usage(openai_server: OpenAITestServer, provider: Provider) -> None:
    openai_server.queue_reply("One two three four five.", prompt_tokens=77, completion_tokens=5)
    deltas, done, error = await collect(provider)
    assert error is None and done is not None
    assert deltas == ["One ", "two ", "three ", "four ", "five."]
    assert (done.text, done.prompt_tokens, done.completion_tokens) == ("One two three four five.", 77, 5)
    assert done.finish_reason == "stop" and done.usage_reported
    request = openai_server.requests_to("chat")[0]
    assert request.json["stream"] is True and request.json["stream_options"] == {"include_usage": True}


async def test_stream_honours_time_to_first_token(openai_server: OpenAITestServer, provider: Provider) -> None:
    openai_server.time_to_first_token = 0.3
    openai_server.tokens_per_second = 200
    openai_server.queue_reply("paced reply of several words")
    loop = asyncio.get_running_loop()
    started = loop.time()
    first_at = None
    async for event in provider.stream_chat(MESSAGES):
        if isinstance(event, TextDelta) and first_at is None:
            first_at = loop.time()
    assert first_at is not None and first_at - started >= 0.3  # the server held the first token back


# ---- retried faults ------------------------------------------------------------------------------------------------
async def test_429_waits_for_retry_after_then_succeeds(openai_server: OpenAITestServer, provider: Provider) -> None:
    openai_server.fail("chat", "rate_limit", retry_after=0.4)
    openai_server.queue_reply("After the wait.")
    result = await provider.chat(MESSAGES)
    assert result.text == "After the wait."
    first, second = openai_server.requests_to("chat")
    assert first.status == 429 and second.status == 200
    assert second.at - first.at >= 0.4 * 0.95  # Retry-After was honoured (loosely: clocks and scheduling)


async def test_429_without_retry_after_backs_off_and_gives_up(openai_server: OpenAITestServer) -> None:
    openai_server.fail("chat", "rate_limit", times=5, retry_after=None)
    async with Provider(make_config(openai_server, max_retries=3)) as provider:
        with pytest.raises(ProviderRateLimited) as info:
            await provider.chat(MESSAGES)
    assert len(openai_server.requests_to("chat")) == 4  # one try + three retries
    assert info.value.status_code == 429 and "try again" in str(info.value).lower()


async def test_insufficient_quota_is_not_retried(openai_server: OpenAITestServer, provider: Provider) -> None:
    body = {"error": {"message": "You exceeded your current quota.", "type": "insufficient_quota",
                      "param": None, "code": "insufficient_quota"}}  # fmt: skip
    openai_server.fail("chat", "status", status=429, body=body)
    with pytest.raises(ProviderRateLimited, match="quota"):
        await provider.chat(MESSAGES)
    assert len(openai_server.requests_to("chat")) == 1


async def test_500_is_retried_then_succeeds(openai_server: OpenAITestServer, provider: Provider) -> None:
    openai_server.fail("chat", "server_error", times=2)
    openai_server.queue_reply("Recovered.")
    assert (await provider.chat(MESSAGES)).text == "Recovered."
    assert [r.status for r in openai_server.requests_to("chat")] == [500, 500, 200]


async def test_5xx_exhausted_is_unavailable(openai_server: OpenAITestServer, provider: Provider) -> None:
    openai_server.fail("chat", "status", status=503, times=3)
    with pytest.raises(ProviderUnavailable) as info:
        await provider.chat(MESSAGES)
    assert type(info.value) is ProviderUnavailable and info.value.status_code == 503
    assert len(openai_server.requests_to("chat")) == 3


async def test_hang_past_the_timeout_is_retried_then_times_out(openai_server: OpenAITestServer) -> None:
    openai_server.fail("chat", "hang", times=2)
    async with Provider(make_config(openai_server, timeout=0.2, max_retries=1)) as provider:
        with pytest.raises(ProviderTimeout) as info:
            await provider.chat(MESSAGES)
    assert len(openai_server.requests_to("chat")) == 2
    assert isinstance(info.value, GhostlineError) and "in time" in str(info.value)

    openai_server.fail("chat", "hang")
    openai_server.queue_reply("Second wind.")
    async with Provider(make_config(openai_server, timeout=0.2, max_retries=1)) as provider:
        assert (await provider.chat(MESSAGES)).text == "Second wind."


async def test_connection_refused_is_unavailable() -> None:
    with OpenAITestServer() as server:
        config = make_config(server, max_retries=1)
    async with Provider(config) as provider:  # the server is gone: nothing listens on that port
        with pytest.raises(ProviderUnavailable, match="could not be reached") as info:
            await provider.list_models()
    assert type(info.value) is ProviderUnavailable


async def test_cancelling_a_hanging_call_is_prompt(openai_server: OpenAITestServer, provider: Provider) -> None:
    openai_server.fail("chat", "hang")
    task = asyncio.ensure_future(provider.chat(MESSAGES))
    while not openai_server.requests_to("chat"):
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 2)


# ---- faults that are not retried ---------------------------------------------------------------------------------
async def test_bad_key_fails_at_once_without_leaking_it(
    openai_server: OpenAITestServer, provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    openai_server.require_api_key = "sk-the-right-one"  # the server echoes the wrong key in its message
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ProviderAuthError, match="refused the API key") as info:
        await provider.chat(MESSAGES)
    assert len(openai_server.requests_to("chat")) == 1
    assert KEY not in str(info.value) and KEY not in (info.value.detail or "")
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert KEY not in caplog.text and KEY not in repr(provider) and KEY not in repr(provider.config)


async def test_unknown_model_names_it(openai_server: OpenAITestServer, provider: Provider) -> None:
    openai_server.fail("chat", "unknown_model")
    with pytest.raises(ProviderModelNotFound, match="no-such-model") as info:
        await provider.chat(MESSAGES, model="no-such-model")
    assert info.value.model == "no-such-model" and info.value.status_code == 404
    assert len(openai_server.requests_to("chat")) == 1


async def test_context_too_long(openai_server: OpenAITestServer, provider: Provider) -> None:
    openai_server.fail("chat", "context_too_long")
    with pytest.raises(ProviderContextTooLong, match="gpt-4o-mini"):
        await provider.chat(MESSAGES)
    assert len(openai_server.requests_to("chat")) == 1


async def test_other_4xx_is_a_plain_provider_error(openai_server: OpenAITestServer, provider: Provider) -> None:
    body = {"error": {"message": f"Bad value near {KEY}", "type": "invalid_request_error", "code": None}}
    openai_server.fail("chat", "status", status=422, body=body)
    with pytest.raises(ProviderError) as info:
        await provider.chat(MESSAGES)
    assert type(info.value) is ProviderError and "HTTP 422" in str(info.value) and KEY not in str(info.value)
    assert len(openai_server.requests_to("chat")) == 1


# ---- broken streams ------------------------------------------------------------------------------------------------
async def test_stream_cut_midway_keeps_partial_text(openai_server: OpenAITestServer, provider: Provider) -> None:
    openai_server.queue_reply("alpha beta gamma delta epsilon")
    openai_server.fail("chat", "cut_stream", after_chunks=3)
    deltas, done, error = await collect(provider)
    assert deltas == ["alpha ", "beta ", "gamma "] and done is None
    assert isinstance(error, ProviderStreamInterrupted) and error.partial_text == "alpha beta gamma "
    assert "kept" in str(error)
    assert len(openai_server.requests_to("chat")) == 1  # never retried once text reached the caller


async def test_stream_cut_before_any_text_is_retried(openai_server: OpenAITestServer, provider: Provider) -> None:
    openai_server.queue_reply("lost")
    openai_server.queue_reply("whole reply")
    openai_server.fail("chat", "cut_stream", after_chunks=0)
    deltas, done, error = await collect(provider)
    assert error is None and done is not None and "".join(deltas) == done.text == "whole reply"
    assert len(openai_server.requests_to("chat")) == 2


async def test_stream_stalling_midway_times_out_with_partial_text(openai_server: OpenAITestServer) -> None:
    openai_server.queue_reply("one two three four")
    openai_server.fail("chat", "hang", after_chunks=2)
    async with Provider(make_config(openai_server, timeout=0.3)) as provider:
        deltas, done, error = await collect(provider)
    assert deltas == ["one ", "two "] and done is None
    assert isinstance(error, ProviderStreamInterrupted) and error.partial_text == "one two "


async def test_stream_errors_before_text_use_the_usual_classes(
    openai_server: OpenAITestServer, provider: Provider
) -> None:
    openai_server.fail("chat", "rate_limit", retry_after=0.05)
    openai_server.queue_reply("fine")
    _, done, error = await collect(provider)
    assert error is None and done is not None and done.text == "fine"

    openai_server.fail("chat", "unknown_model")
    _, _, error = await collect(provider, model="ghost-9")
    assert isinstance(error, ProviderModelNotFound) and error.model == "ghost-9"


# ---- embeddings, transcription, models -----------------------------------------------------------------------------
async def test_embeddings_are_batched_in_order_with_reported_tokens(
    openai_server: OpenAITestServer, provider: Provider
) -> None:
    texts = [f"passage {i} about lamps and {'night ' * (i % 3)}" for i in range(600)]
    texts[5] = ""  # an empty chunk must not fail the whole batch
    openai_server.fail("embeddings", "server_error")  # the first batch is retried, order still holds
    vectors, tokens = await provider.embed(texts)
    assert len(vectors) == 600
    assert vectors[0] == pytest.approx(embed_text(texts[0], openai_server.embedding_dim))
    assert vectors[599] == pytest.approx(embed_text(texts[599], openai_server.embedding_dim))
    assert all(v == pytest.approx(embed_text(t or " ", 64)) for v, t in zip(vectors, texts, strict=True))
    ok = [r for r in openai_server.requests_to("embeddings") if r.status == 200]
    assert [len(r.json["input"]) for r in ok] == [EMBED_BATCH_SIZE, EMBED_BATCH_SIZE, 600 - 2 * EMBED_BATCH_SIZE]
    assert tokens == sum(r.usage["prompt_tokens"] for r in ok if r.usage)
    assert all(r.json["model"] == "text-embedding-3-small" for r in ok)
    assert await provider.embed([]) == ([], 0)


async def test_embeddings_similar_texts_are_close(provider: Provider) -> None:
    (a, b, c), _ = await provider.embed(
        ["the whale rose from the sea", "from the sea the whale rose again", "tax forms are due in April"]
    )

    def cos(x: list[float], y: list[float]) -> float:
        return sum(p * q for p, q in zip(x, y, strict=True))

    assert math.isclose(sum(v * v for v in a), 1.0, rel_tol=1e-6)
    assert cos(a, b) > 0.7 > cos(a, c)


async def test_embeddings_dimensions_and_model_errors(openai_server: OpenAITestServer, provider: Provider) -> None:
    vectors, _ = await provider.embed(["short"], dimensions=16)
    assert len(vectors[0]) == 16 and openai_server.requests_to("embeddings")[0].json["dimensions"] == 16
    openai_server.fail("embeddings", "unknown_model")
    with pytest.raises(ProviderModelNotFound, match="text-embedding-3-small"):
        await provider.embed(["x"])


def write_wav(path: Path, seconds: float = 1.5, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\x00\x01" * int(seconds * rate))
    return path


async def test_transcription_uploads_the_file(
    openai_server: OpenAITestServer, provider: Provider, tmp_path: Path
) -> None:
    audio = write_wav(tmp_path / "memo one.wav")
    text = await provider.transcribe(audio)
    (request,) = openai_server.requests_to("transcriptions")
    assert request.upload_bytes == audio.stat().st_size and request.upload_filename == "memo one.wav"
    assert request.form["model"] == "whisper-1"
    assert text == f"Transcript of memo one.wav ({audio.stat().st_size} bytes)."

    openai_server.transcription = lambda name, data: f"  {len(data)} bytes of {name}  "
    openai_server.fail("transcriptions", "rate_limit", retry_after=0.05)
    assert await provider.transcribe(audio) == f"{audio.stat().st_size} bytes of memo one.wav"


async def test_transcription_refuses_what_it_cannot_send(
    openai_server: OpenAITestServer, provider: Provider, tmp_path: Path
) -> None:
    with pytest.raises(NotFoundError, match=r"gone\.wav"):
        await provider.transcribe(tmp_path / "gone.wav")
    huge = tmp_path / "huge.wav"
    with huge.open("wb") as f:  # sparse: costs no disk
        f.truncate(26 * 1024 * 1024)
    with pytest.raises(ProviderError, match="25 MB"):
        await provider.transcribe(huge)
    assert openai_server.requests_to("transcriptions") == []


async def test_list_models(openai_server: OpenAITestServer, provider: Provider) -> None:
    openai_server.models = ["zeta", "alpha", "llama3.1"]
    assert await provider.list_models() == ["alpha", "llama3.1", "zeta"]


# ---- configuration -------------------------------------------------------------------------------------------------
def test_config_from_settings_follows_the_openai_library_rules() -> None:
    assert config_from_settings(AISettings(), env={}, stored_key=None) is None
    local = config_from_settings(AISettings(base_url="http://localhost:11434/v1"), env={}, stored_key=None)
    assert local is not None and local.api_key is None and local.label == "localhost:11434"
    env = {"OPENAI_API_KEY": "sk-env", "OPENAI_BASE_URL": "http://env-host/v1"}
    from_env = config_from_settings(AISettings(), env=env, stored_key=None)
    assert from_env is not None and (from_env.api_key, from_env.base_url) == ("sk-env", "http://env-host/v1")
    explicit = config_from_settings(AISettings(base_url="http://mine/v1", api_key="sk-mine"), env=env)
    assert explicit is not None and (explicit.api_key, explicit.base_url) == ("sk-mine", "http://mine/v1")
    keyring_only = config_from_settings(AISettings(chat_model="m"), env={}, stored_key=lambda: "sk-ring")
    assert keyring_only is not None and keyring_only.base_url is None and keyring_only.is_openai
    assert keyring_only.chat_model == "m" and keyring_only.transcription_model == "whisper-1"


async def test_provider_from_environment_talks_to_the_server(openai_env: OpenAITestServer) -> None:
    provider = provider_from_settings(AISettings(), stored_key=None)  # OPENAI_* set by the fixture
    assert provider is not None
    async with provider:
        assert "gpt-4o-mini" in await provider.list_models()
    assert openai_env.requests[-1].api_key == TEST_API_KEY


async def test_local_server_without_key_gets_a_placeholder(openai_server: OpenAITestServer) -> None:
    provider = provider_from_settings(AISettings(base_url=openai_server.base_url), env={}, stored_key=None)
    assert provider is not None
    async with provider:
        await provider.chat(MESSAGES)
    assert openai_server.requests[-1].api_key == PLACEHOLDER_API_KEY


def test_scrub_masks_keys() -> None:
    assert scrub("key sk-abc123XYZ789def was bad", None) == "key sk-abc1*** was bad"
    assert "hunter2-long-secret" not in scrub("token hunter2-long-secret", "hunter2-long-secret")
