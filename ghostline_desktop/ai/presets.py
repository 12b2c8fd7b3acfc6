"""Provider presets: the servers an author is likely to point GhostLine at, with their usual addresses.

A preset only fills in the form (address, model names, whether a key is needed); the author can
change every field afterwards, and "custom" takes any OpenAI-compatible URL. Everything talks
through the same OpenAI client, so a preset adds no code path of its own.

Model names are each server's common defaults at the time of writing; "Test connection" in
Preferences lists what the server really offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ghostline_desktop.config import DEFAULT_CHAT_MODEL, DEFAULT_EMBEDDING_MODEL, DEFAULT_TRANSCRIPTION_MODEL

OPENAI_BASE_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class Preset:
    id: str
    label: str
    base_url: str  # empty for "custom"
    needs_key: bool
    chat_model: str
    embedding_model: str
    transcription_model: str
    hint: str  # one sentence under the chooser: what to install or where the key comes from


PRESETS: tuple[Preset, ...] = (
    Preset(
        "openai",
        "OpenAI",
        OPENAI_BASE_URL,
        True,
        DEFAULT_CHAT_MODEL,
        DEFAULT_EMBEDDING_MODEL,
        DEFAULT_TRANSCRIPTION_MODEL,
        "An API key from platform.openai.com. Usage is billed by OpenAI.",
    ),
    Preset(
        "ollama",
        "Ollama (local)",
        "http://localhost:11434/v1",
        False,
        "llama3.1",
        "nomic-embed-text",
        DEFAULT_TRANSCRIPTION_MODEL,
        "Runs on this computer; no key. First: ollama pull llama3.1 && ollama pull nomic-embed-text. "
        "Ollama does not transcribe audio.",
    ),
    Preset(
        "lmstudio",
        "LM Studio (local)",
        "http://localhost:1234/v1",
        False,
        "llama-3.2-3b-instruct",
        "text-embedding-nomic-embed-text-v1.5",
        DEFAULT_TRANSCRIPTION_MODEL,
        "Runs on this computer; no key. Start the server in LM Studio's Developer tab and load a model; "
        "Test connection lists the loaded models.",
    ),
    Preset(
        "llamacpp",
        "llama.cpp server (local)",
        "http://localhost:8080/v1",
        False,
        "default",
        "default",
        DEFAULT_TRANSCRIPTION_MODEL,
        "llama-server serves the one model it was started with (any model name is accepted); "
        "start it with --embeddings to embed sources too.",
    ),
    Preset(
        "openrouter",
        "OpenRouter",
        "https://openrouter.ai/api/v1",
        True,
        "openai/gpt-4o-mini",
        "openai/text-embedding-3-small",
        DEFAULT_TRANSCRIPTION_MODEL,
        "One key (openrouter.ai/keys) for many hosted models; model names are vendor/model.",
    ),
    Preset(
        "custom",
        "Other OpenAI-compatible server",
        "",
        False,
        DEFAULT_CHAT_MODEL,
        DEFAULT_EMBEDDING_MODEL,
        DEFAULT_TRANSCRIPTION_MODEL,
        "Any server that speaks the OpenAI API (vLLM, LocalAI, a company gateway…): its address ends in /v1.",
    ),
)
_BY_ID = {p.id: p for p in PRESETS}


def get_preset(preset_id: str | None) -> Preset:
    """The preset with this id; unknown or None → OpenAI."""
    return _BY_ID.get(preset_id or "openai", _BY_ID["openai"])


def _norm(url: str) -> tuple[str, str]:
    parts = urlsplit(url.strip().rstrip("/"))
    host = (parts.hostname or "").lower()
    if host in ("127.0.0.1", "::1"):
        host = "localhost"
    return f"{host}:{parts.port or ''}", parts.path.rstrip("/")


def guess_preset(base_url: str | None) -> str:
    """The preset a URL belongs to (settings from before presets existed); no URL → OpenAI, unknown → custom."""
    if not base_url or not base_url.strip():
        return "openai"
    wanted = _norm(base_url)
    for preset in PRESETS:
        if preset.base_url and _norm(preset.base_url) == wanted:
            return preset.id
    return "custom"


def effective_base_url(preset_id: str | None, base_url: str | None) -> str | None:
    """The URL to call: the one given, else the preset's (None means OpenAI's own)."""
    if base_url and base_url.strip():
        return base_url.strip()
    preset = get_preset(preset_id)
    if preset.id in ("openai", "custom") or not preset.base_url:
        return None
    return preset.base_url


__all__ = ["OPENAI_BASE_URL", "PRESETS", "Preset", "effective_base_url", "get_preset", "guess_preset"]
