"""How the AI provider's failures become typed errors an author understands.

Servers that speak the OpenAI API disagree on how they say "too long" or "no such model"
(status, ``code``, ``type``, words), so the class is decided from all of them; the patterns
below name the servers they were taken from. Messages are scrubbed of the API key.
"""

from __future__ import annotations

import email.utils
import math
import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ghostline_desktop.errors import (
    ProviderAuthError,
    ProviderContextTooLong,
    ProviderError,
    ProviderModelNotFound,
    ProviderRateLimited,
    ProviderTimeout,
    ProviderUnavailable,
)

if TYPE_CHECKING:
    import openai

    from ghostline_desktop.ai.provider import ProviderConfig
else:

    class _Lazy:
        """``openai`` imported on first use (see provider.py)."""

        def __getattr__(self, name: str) -> Any:
            import importlib

            return getattr(importlib.import_module("openai"), name)

    openai = _Lazy()

_RETRYABLE_STATUS = {408, 409, 429}
_KEY_SHAPE = re.compile(r"\b(sk-[A-Za-z0-9_\-]{4})[A-Za-z0-9_\-]{6,}")


def scrub(text: str, api_key: str | None) -> str:
    """``text`` without the API key, nor anything shaped like an OpenAI key."""
    if api_key:
        text = text.replace(api_key, "***")
    return _KEY_SHAPE.sub(r"\1***", text)


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds from ``retry-after-ms`` / ``retry-after`` (seconds or an HTTP date), as the openai client reads them."""
    if not headers:
        return None
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is None:
                continue
            seconds = float(email.utils.mktime_tz(parsed)) - time.time()
        if math.isfinite(seconds):
            return max(0.0, seconds)
    return None


def translate_error(
    exc: openai.OpenAIError, config: ProviderConfig, model: str | None
) -> tuple[ProviderError, float | None]:
    """Our typed error for a client exception (messages scrubbed of the key), and any Retry-After."""
    key = config.api_key
    where = config.label
    model_name = model or config.chat_model
    if isinstance(exc, openai.APITimeoutError):
        return ProviderTimeout(detail=f"timeout after {config.timeout:g} s at {where}"), None
    if isinstance(exc, openai.APIConnectionError):
        message = f"The AI provider at {where} could not be reached. Check the address and that it is running."
        return ProviderUnavailable(message, detail=scrub(f"{exc}: {exc.__cause__!r}", key)), None
    if not isinstance(exc, openai.APIStatusError):
        # An error event inside a stream (OpenRouter, vLLM send one mid-reply): classified by its words.
        code, server_message = _body_fields(getattr(exc, "body", None), str(getattr(exc, "message", "") or exc))
        detail = scrub(f"stream error {code}: {server_message}".strip(), key)
        if _is_context_too_long(code, server_message):
            return ProviderContextTooLong(model_name, detail=detail), None
        if _is_unknown_model(code, server_message):
            return ProviderModelNotFound(model_name, detail=detail), None
        return ProviderError(detail=detail), None
    status = exc.status_code
    code, server_message = _error_fields(exc)
    detail = scrub(f"HTTP {status} {code}: {server_message}".strip(), key)
    retry_after = parse_retry_after(exc.response.headers if exc.response is not None else None)
    lowered = server_message.lower()
    if status in (401, 403) or (status == 400 and _INVALID_KEY.search(lowered)):
        return ProviderAuthError(status_code=status, detail=detail), None
    if status == 429:
        if code == "insufficient_quota":
            message = "The AI provider account has no quota left. Check its plan and billing."
            return ProviderRateLimited(message, status_code=status, detail=detail), None
        return ProviderRateLimited(retry_after=retry_after, status_code=status, detail=detail), retry_after
    # Before the 404 rule below: a 413, or a server that answers a too-long prompt with 404/500.
    if status == 413 or _is_context_too_long(code, server_message):
        return ProviderContextTooLong(model_name, status_code=status, detail=detail), None
    if (status == 404 and (code == "model_not_found" or "model" in lowered)) or (
        status >= 400 and _is_unknown_model(code, server_message)
    ):
        return ProviderModelNotFound(model_name, status_code=status, detail=detail), None
    if status >= 500:
        message = f"The AI provider at {where} had a server error (HTTP {status}). Try again later."
        return ProviderUnavailable(message, status_code=status, detail=detail), retry_after
    if status in _RETRYABLE_STATUS:
        return ProviderUnavailable(status_code=status, detail=detail), retry_after
    if status == 404:
        message = f"The AI provider at {where} does not offer this service (HTTP 404). Check its address."
        return ProviderError(message, status_code=status, detail=detail), None
    message = f"The AI provider rejected the request (HTTP {status}): {scrub(server_message, key)}"
    return ProviderError(message, status_code=status, detail=detail), None


# How servers say "too long": OpenAI/Groq (code), vLLM/OpenRouter/Mistral ("maximum context length"),
# llama.cpp ("exceeds the available context size", type exceed_context_size_error), LM Studio
# ("context length of only"), Gemini ("exceeds the maximum number of tokens"), Anthropic-compatible
# gateways ("prompt is too long"), TGI/Together ("must be <= … tokens").
_CONTEXT_CODES = frozenset({"context_length_exceeded", "exceed_context_size_error", "string_above_max_length"})
_CONTEXT_WORDS = re.compile(
    r"context[ _](?:length|window|size)|maximum context|prompt is too long|input is too long"
    r"|too many (?:input )?tokens|exceeds? the maximum number of tokens|input token count"
    r"|reduce the length of the (?:messages|prompt|input)|max_new_tokens. must be <="
)
# How servers say "no such model": OpenAI/vLLM ("does not exist"), Ollama ("not found, try pulling"),
# OpenRouter ("is not a valid model ID"), LM Studio ("not loaded"), LocalAI ("could not load model").
_MODEL_WORDS = re.compile(
    r"model\b.{0,120}\b(?:does not exist|not found|not exist|is not available|not loaded|unknown)"
    r"|not a valid model|unknown model|no such model|invalid model|could not load model|model_not_found"
)
_INVALID_KEY = re.compile(r"(?:invalid|incorrect|missing|no) (?:api[ _]?)?key|api key (?:is )?(?:invalid|not valid)")


def _is_context_too_long(code: str, message: str) -> bool:
    return code in _CONTEXT_CODES or bool(_CONTEXT_WORDS.search(message.lower()))


def _is_unknown_model(code: str, message: str) -> bool:
    return code == "model_not_found" or bool(_MODEL_WORDS.search(message.lower()))


def never_retried(error: ProviderError) -> bool:
    """Errors no retry can fix, whatever the status said (a 500 "context too long" from a local server)."""
    return isinstance(error, (ProviderContextTooLong, ProviderModelNotFound, ProviderAuthError))


def retryable(exc: openai.OpenAIError) -> bool:
    if isinstance(exc, openai.APIConnectionError):  # includes timeouts and broken streams
        return True
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code == 429:
            return _error_fields(exc)[0] != "insufficient_quota"
        return exc.status_code in _RETRYABLE_STATUS or exc.status_code >= 500
    return False


def _error_fields(exc: openai.APIStatusError) -> tuple[str, str]:
    """(code, message) of an OpenAI-shaped error body; servers differ on nesting it under "error"."""
    return _body_fields(exc.body, str(exc.message or ""))


def _body_fields(body: Any, fallback: str) -> tuple[str, str]:
    # Gemini wraps the error in a list; LM Studio sends {"error": "text"}; vLLM leaves it unwrapped.
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        body = body["error"]
    if isinstance(body, str) and body.strip():  # the client unwraps {"error": "text"} to the text
        return "", body
    inner: Any = body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), dict) else body
    if not isinstance(inner, dict):
        return "", fallback
    # llama.cpp puts an int status in "code" and the kind in "type"; OpenAI a string code.
    code = inner.get("code")
    if not isinstance(code, str) or not code:
        code = inner.get("type") if isinstance(inner.get("type"), str) else ""
    return str(code or ""), str(inner.get("message") or fallback or "")


__all__ = ["never_retried", "parse_retry_after", "retryable", "scrub", "translate_error"]
