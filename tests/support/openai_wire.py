"""Wire-level pieces of the OpenAI test server: routes, fault kinds, scripted replies, request records,
and the deterministic embedding and token rules (shared by the server, its handler and the tests)."""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any, Literal

Route = Literal["models", "chat", "embeddings", "transcriptions"]
FaultKind = Literal[
    "rate_limit",  # 429 with Retry-After
    "server_error",  # 500
    "bad_key",  # 401 invalid_api_key (echoes the key, as a careless server might: the client must scrub it)
    "unknown_model",  # 404 model_not_found
    "context_too_long",  # 400 context_length_exceeded
    "status",  # any status/body given in the Fault
    "cut_stream",  # stream: close the connection after `after_chunks` content chunks (non-stream: half a body)
    "hang",  # sleep `hang_seconds` (or until the server stops); stream: after `after_chunks` chunks
    "invalid_json",  # chat: the reply content is truncated JSON
    "stream_error",  # stream: an error event ({"error": {...}}, as OpenRouter/vLLM send) after `after_chunks` chunks
]

ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/v1/models"): "models",
    ("POST", "/v1/chat/completions"): "chat",
    ("POST", "/v1/embeddings"): "embeddings",
    ("POST", "/v1/audio/transcriptions"): "transcriptions",
}
_WORD = re.compile(r"\w+")
PIECES = re.compile(r"\S+\s*|\s+")  # "tokens" of a reply: joined back they give the text exactly


@dataclass
class Fault:
    kind: FaultKind
    times: int = 1
    retry_after: float | None = 1.0  # rate_limit: seconds in the Retry-After header (None: no header)
    after_chunks: int = 0  # cut_stream / hang / stream_error in a stream: content chunks sent first;
    # hang with -1: before any byte of the reply (the client waits for headers)
    hang_seconds: float = 30.0
    status: int = 500  # kind "status"
    body: dict[str, Any] | None = None  # kind "status" / "stream_error": the JSON error (default: OpenAI-shaped)
    retry_after_ms: float | None = None  # rate_limit: also a retry-after-ms header (OpenAI sends both)
    headers: dict[str, str] | None = None  # extra response headers for an error reply (e.g. Retry-After on a 503)


@dataclass
class ChatReply:
    """A scripted chat reply. ``content`` may be a dict/list, sent as its JSON (structured replies)."""

    content: str | dict[str, Any] | list[Any]
    prompt_tokens: int | None = None  # None: derived from the request
    completion_tokens: int | None = None  # None: the number of streamed pieces
    finish_reason: str = "stop"
    model: str | None = None  # None: echo the requested model

    @property
    def text(self) -> str:
        return self.content if isinstance(self.content, str) else json.dumps(self.content)


@dataclass
class RecordedRequest:
    method: str
    path: str
    route: Route | None
    headers: dict[str, str]  # lower-case names
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)  # multipart text fields
    upload_filename: str | None = None
    upload_bytes: int = 0
    upload: bytes = field(default=b"", repr=False)
    fault: FaultKind | None = None
    status: int = 200
    usage: dict[str, int] | None = None  # what the server reported back (chat/embeddings)
    at: float = field(default_factory=time.monotonic)

    @property
    def api_key(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[7:] if auth.lower().startswith("bearer ") else None


def embed_text(text: str, dim: int) -> list[float]:
    """Hash each word to a signed coordinate and normalise: shared words → high cosine, deterministic."""
    vec = [0.0] * dim
    for word in _WORD.findall(text.lower()):
        digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
        vec[int.from_bytes(digest[:4], "little") % dim] += 1.0 if digest[4] & 1 else -1.0
    norm = math.sqrt(sum(v * v for v in vec))
    if norm == 0.0:
        vec[0] = 1.0
        return vec
    return [v / norm for v in vec]


def count_tokens(text: str) -> int:
    """The server's token count: whitespace-separated pieces (stable and easy to predict in tests)."""
    return len(text.split())


def make_text(n_tokens: int, seed: str = "ghost") -> str:
    """A deterministic text of exactly ``n_tokens`` streamed pieces (for pacing benchmarks)."""
    words = ("the", "old", "house", "kept", "its", "lamps", "lit", "for", "a", seed, "writer", "at", "night")
    return " ".join(words[i % len(words)] for i in range(n_tokens))


def error_body(message: str, type_: str, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""
