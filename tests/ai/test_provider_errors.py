"""The provider's errors across the servers GhostLine can be pointed at, its presets and its configuration.

Bodies below are the shapes each server really sends (taken from their sources and docs), so
"context too long" and "unknown model" are recognised whoever says them — the agents depend on
ProviderContextTooLong to trim and retry once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend

from ghostline_desktop import secrets
from ghostline_desktop.ai.presets import PRESETS, effective_base_url, get_preset, guess_preset
from ghostline_desktop.ai.provider import Provider, ProviderConfig, TextDelta, config_from_settings
from ghostline_desktop.config import AISettings
from ghostline_desktop.errors import (
    ProviderAuthError,
    ProviderContextTooLong,
    ProviderError,
    ProviderModelNotFound,
    ProviderRateLimited,
    ProviderStreamInterrupted,
    ProviderUnavailable,
)
from tests.support.openai_server import OpenAITestServer, error_body

KEY = "sk-proj-ERRORSsecret0123456789abcdef"
MESSAGES = [{"role": "user", "content": "Write the chapter."}]


def make_config(server: OpenAITestServer, **changes: Any) -> ProviderConfig:
    values: dict[str, Any] = {
        "base_url": server.base_url,
        "api_key": KEY,
        "chat_model": "writer-model",
        "embedding_model": "embedder",
        "timeout": 3.0,
        "max_retries": 2,
        "backoff_base": 0.01,
        "backoff_cap": 0.05,
    }
    values.update(changes)
    return ProviderConfig(**values)


@pytest.fixture
async def provider(openai_server: OpenAITestServer) -> AsyncIterator[Provider]:
    async with Provider(make_config(openai_server)) as p:
        yield p


CONTEXT_TOO_LONG = {
    "openai": (400, error_body("This model's maximum context length is 128000 tokens.", "invalid_request_error",
                               "context_length_exceeded", "messages")),
    "vllm": (400, {"object": "error", "message": "This model's maximum context length is 4096 tokens. However, you "
                   "requested 5000 tokens (4000 in the messages, 1000 in the completion). Please reduce the length "
                   "of the messages or completion.", "type": "BadRequestError", "param": None, "code": 400}),
    "llama.cpp": (400, {"error": {"code": 400, "message": "the request exceeds the available context size, try "
                                  "increasing it", "type": "exceed_context_size_error", "n_prompt_tokens": 9000,
                                  "n_ctx": 8192}}),
    "lm-studio": (400, {"error": "Trying to keep the first 9000 tokens when context the overflows. However, the "
                        "model is loaded with context length of only 4096 tokens, which is not enough."}),
    "openrouter": (400, {"error": {"message": "This endpoint's maximum context length is 131072 tokens. However, "
                                   "you requested about 200000 tokens.", "code": 400}}),
    "gemini": (400, [{"error": {"code": 400, "message": "The input token count (1200000) exceeds the maximum "
                                "number of tokens allowed (1048576).", "status": "INVALID_ARGUMENT"}}]),
    "gateway-413": (413, {"error": {"message": "Request Entity Too Large", "type": "invalid_request_error"}}),
    "local-500": (500, {"error": {"message": "prompt is too long: 9000 tokens > 8192 maximum",
                                  "type": "server_error"}}),
}  # fmt: skip


@pytest.mark.parametrize("server_name", sorted(CONTEXT_TOO_LONG))
async def test_context_too_long_is_recognised_and_not_retried(
    openai_server: OpenAITestServer, provider: Provider, server_name: str
) -> None:
    status, body = CONTEXT_TOO_LONG[server_name]
    openai_server.fail("chat", "status", status=status, body=body)
    with pytest.raises(ProviderContextTooLong) as info:
        await provider.chat(MESSAGES)
    assert info.value.model == "writer-model" and "writer-model" in str(info.value)
    assert len(openai_server.requests_to("chat")) == 1  # no retry can make the prompt shorter


async def test_context_too_long_before_a_stream_starts(openai_server: OpenAITestServer, provider: Provider) -> None:
    openai_server.fail("chat", "context_too_long")
    with pytest.raises(ProviderContextTooLong):
        async for _ in provider.stream_chat(MESSAGES):
            pass
    assert len(openai_server.requests_to("chat")) == 1


UNKNOWN_MODEL = {
    "openai": (404, error_body("The model `writer-model` does not exist or you do not have access to it.",
                               "invalid_request_error", "model_not_found")),
    "ollama": (404, {"error": {"message": 'model "writer-model" not found, try pulling it first',
                               "type": "api_error", "param": None, "code": None}}),
    "openrouter": (400, {"error": {"message": "writer-model is not a valid model ID", "code": 400}}),
    "lm-studio": (400, {"error": {"message": "Model writer-model is not loaded. Load it first.",
                                  "type": "invalid_request_error"}}),
    "localai": (500, {"error": {"code": 500, "message": "could not load model: rpc error", "type": ""}}),
}  # fmt: skip


@pytest.mark.parametrize("server_name", sorted(UNKNOWN_MODEL))
async def test_unknown_model_is_recognised(
    openai_server: OpenAITestServer, provider: Provider, server_name: str
) -> None:
    status, body = UNKNOWN_MODEL[server_name]
    openai_server.fail("chat", "status", status=status, body=body)
    with pytest.raises(ProviderModelNotFound) as info:
        await provider.chat(MESSAGES)
    assert "writer-model" in str(info.value) and "Test connection" in str(info.value)
    assert len(openai_server.requests_to("chat")) == 1


async def test_bad_key_variants(openai_server: OpenAITestServer, provider: Provider) -> None:
    openai_server.fail("chat", "status", status=403, body=error_body("Forbidden", "permission_error"))
    with pytest.raises(ProviderAuthError):
        await provider.chat(MESSAGES)
    openai_server.fail(
        "chat", "status", status=400, body=error_body(f"Invalid API key: {KEY}", "invalid_request_error")
    )
    with pytest.raises(ProviderAuthError) as info:
        await provider.chat(MESSAGES)
    assert KEY not in str(info.value) and KEY not in (info.value.detail or "")
    assert "Preferences" in str(info.value) and "OPENAI_API_KEY" in str(info.value)
    assert len(openai_server.requests_to("chat")) == 2  # neither retried


async def test_other_400_is_plain_and_not_retried(openai_server: OpenAITestServer, provider: Provider) -> None:
    body = error_body("max_tokens is too large: 100000. This model supports at most 16384 completion tokens.",
                      "invalid_request_error", None, "max_tokens")  # fmt: skip
    openai_server.fail("chat", "status", status=400, body=body)
    with pytest.raises(ProviderError) as info:
        await provider.chat(MESSAGES)
    assert type(info.value) is ProviderError and "max_tokens is too large" in str(info.value)
    assert len(openai_server.requests_to("chat")) == 1


async def test_retry_after_ms_and_a_503_with_retry_after(openai_server: OpenAITestServer, provider: Provider) -> None:
    openai_server.fail("chat", "rate_limit", retry_after=None, retry_after_ms=300)
    openai_server.fail("chat", "status", status=503, headers={"Retry-After": "0.3"})
    result = await provider.chat(MESSAGES)
    assert result.text
    first, second, third = openai_server.requests_to("chat")
    assert (first.status, second.status, third.status) == (429, 503, 200)
    assert second.at - first.at >= 0.28 and third.at - second.at >= 0.28


async def test_rate_limit_exhausted_says_so(openai_server: OpenAITestServer, provider: Provider) -> None:
    openai_server.fail("embeddings", "rate_limit", times=3, retry_after=0.01)
    with pytest.raises(ProviderRateLimited) as info:
        await provider.embed(["a text"])
    assert info.value.retry_after == pytest.approx(0.01)
    assert len(openai_server.requests_to("embeddings")) == 3


async def test_stream_error_event_midway_keeps_the_text(openai_server: OpenAITestServer, provider: Provider) -> None:
    openai_server.queue_reply("It was late when she came home")
    openai_server.fail("chat", "stream_error", after_chunks=3)
    received: list[str] = []
    with pytest.raises(ProviderStreamInterrupted) as info:
        async for event in provider.stream_chat(MESSAGES):
            if isinstance(event, TextDelta):
                received.append(event.text)
    assert info.value.partial_text == "".join(received) == "It was late "
    assert isinstance(info.value, ProviderUnavailable)
    assert len(openai_server.requests_to("chat")) == 1  # text had arrived: never retried behind the caller's back


async def test_stream_error_event_before_text_is_classified(
    openai_server: OpenAITestServer, provider: Provider
) -> None:
    body = error_body("This endpoint's maximum context length is 8192 tokens.", "invalid_request_error")
    openai_server.fail("chat", "stream_error", after_chunks=0, body=body)
    with pytest.raises(ProviderContextTooLong):
        async for _ in provider.stream_chat(MESSAGES):
            pass


# ---- presets and configuration ------------------------------------------------------------------------------------
def test_presets_and_their_addresses() -> None:
    assert [p.id for p in PRESETS] == ["openai", "ollama", "lmstudio", "llamacpp", "openrouter", "custom"]
    assert get_preset("ollama").base_url == "http://localhost:11434/v1"
    assert get_preset("lmstudio").base_url == "http://localhost:1234/v1"
    assert get_preset("llamacpp").base_url == "http://localhost:8080/v1"
    assert get_preset("openrouter").base_url == "https://openrouter.ai/api/v1"
    assert get_preset("openai").base_url == "https://api.openai.com/v1"
    assert get_preset("nonsense").id == get_preset(None).id == "openai"
    assert [p.id for p in PRESETS if p.needs_key] == ["openai", "openrouter"]
    assert guess_preset(None) == "openai"
    assert guess_preset("http://127.0.0.1:11434/v1/") == "ollama"
    assert guess_preset("http://localhost:1234/v1") == "lmstudio"
    assert guess_preset("https://openrouter.ai/api/v1") == "openrouter"
    assert guess_preset("http://gpu-box:8000/v1") == "custom"
    assert effective_base_url("ollama", None) == "http://localhost:11434/v1"
    assert effective_base_url("ollama", "http://other:11434/v1") == "http://other:11434/v1"
    assert effective_base_url("openai", None) is None and effective_base_url("custom", "") is None


class DictKeyring(KeyringBackend):
    priority = 10

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def ring(monkeypatch: pytest.MonkeyPatch) -> Iterator[DictKeyring]:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    previous = keyring.get_keyring()
    backend = DictKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_each_provider_gets_its_own_key(ring: DictKeyring) -> None:
    secrets.set_api_key("sk-openai-key-0123456789")
    secrets.set_api_key("sk-or-key-0123456789", secrets.key_account("openrouter"))
    openai_cfg = config_from_settings(AISettings(preset="openai"), env={})
    assert openai_cfg is not None and openai_cfg.api_key == "sk-openai-key-0123456789"
    router = config_from_settings(AISettings(preset="openrouter", base_url="https://openrouter.ai/api/v1"), env={})
    assert router is not None and router.api_key == "sk-or-key-0123456789"
    # A local preset needs no key and is configured by its address alone; the OpenAI key is not sent there.
    local = config_from_settings(AISettings(preset="ollama", timeout_s=240.0), env={})
    assert local is not None and local.api_key is None
    assert (local.base_url, local.timeout) == ("http://localhost:11434/v1", 240.0)
    custom = config_from_settings(AISettings(preset="custom", base_url="http://gpu-box:8000/v1"), env={})
    assert custom is not None and custom.api_key is None
    # Settings from before presets keep using the one key they had.
    legacy = config_from_settings(AISettings(base_url="http://gpu-box:8000/v1"), env={})
    assert legacy is not None and legacy.api_key == "sk-openai-key-0123456789"
    # The standard variables win, as with the openai library.
    env = {"OPENAI_API_KEY": "sk-env-key-0123456789", "OPENAI_BASE_URL": "http://env-host:9999/v1"}
    from_env = config_from_settings(AISettings(preset="ollama"), env=env)
    assert from_env is not None
    assert (from_env.api_key, from_env.base_url) == ("sk-env-key-0123456789", "http://env-host:9999/v1")
    assert config_from_settings(AISettings(preset="openai"), env={}, stored_key=None) is None  # nothing: offline


async def test_a_local_preset_talks_to_its_server_without_a_key(
    openai_server: OpenAITestServer, ring: DictKeyring
) -> None:
    ai = AISettings(preset="custom", base_url=openai_server.base_url, chat_model="local-model")
    config = config_from_settings(ai, env={})
    assert config is not None
    async with Provider(config) as provider:
        assert (await provider.chat(MESSAGES)).text
        assert await provider.list_models()
    assert all(r.api_key == "not-needed" for r in openai_server.requests)
