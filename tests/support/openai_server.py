"""A real HTTP server on 127.0.0.1 that speaks the OpenAI API the way the official client uses it.

Why a server and not a mock: production code must talk to it through the unchanged
``openai.AsyncOpenAI`` client (its HTTP stack, SSE parser, multipart encoder and error
mapping), so what passes here is what a real OpenAI-compatible server would see.

Routes: ``GET /v1/models``, ``POST /v1/chat/completions`` (JSON or SSE streaming, usage in a
final chunk when ``stream_options.include_usage`` is set), ``POST /v1/embeddings`` (deterministic
hashed bag-of-words vectors, so texts sharing words are close), ``POST /v1/audio/transcriptions``
(multipart upload). Programmable: a queue of scripted chat replies, per-route faults for the next
N calls (see :class:`Fault`), streaming pacing, and a record of every request.

Stdlib only (``http.server``), one thread for the accept loop and one per connection.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections import deque
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any

from tests.support.openai_handler import Handler
from tests.support.openai_wire import (
    ChatReply,
    Fault,
    FaultKind,
    RecordedRequest,
    Route,
    count_tokens,
    embed_text,
    error_body,
    make_text,
)

__all__ = [
    "ChatReply",
    "Fault",
    "FaultKind",
    "OpenAITestServer",
    "RecordedRequest",
    "Route",
    "count_tokens",
    "embed_text",
    "error_body",
    "make_text",
]


class OpenAITestServer:
    """Start with ``with OpenAITestServer() as server:`` or ``start()``/``stop()``; point the client at ``base_url``."""

    def __init__(self, *, embedding_dim: int = 64, models: tuple[str, ...] | None = None) -> None:
        self.embedding_dim = embedding_dim
        self.models: list[str] = list(models or ("gpt-4o-mini", "text-embedding-3-small", "whisper-1"))
        self.require_api_key: str | None = None  # when set, any other key gets a 401
        self.default_reply = "This is a reply from the GhostLine test server."
        # Transcription text: a fixed string, or a function of (filename, data); None → derived from the upload.
        self.transcription: str | Callable[[str, bytes], str] | None = None
        self.time_to_first_token = 0.0  # seconds before the first content chunk of a stream
        self.tokens_per_second: float | None = None  # None: as fast as possible
        self.requests: list[RecordedRequest] = []
        self._replies: deque[ChatReply] = deque()
        self._faults: dict[Route, deque[Fault]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------------------------------
    def start(self) -> OpenAITestServer:
        owner = self

        class BoundHandler(Handler):
            server_obj = owner

        self._stopping.clear()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), BoundHandler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="openai-test-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, wake every hanging handler and close open connections."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> OpenAITestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # ---- programming -----------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to a fresh state (for a module-scoped server shared by several tests)."""
        with self._lock:
            self.requests.clear()
            self._replies.clear()
            self._faults.clear()
        self.require_api_key = None
        self.transcription = None
        self.time_to_first_token = 0.0
        self.tokens_per_second = None
        self.default_reply = "This is a reply from the GhostLine test server."

    def queue_reply(self, content: str | dict[str, Any] | list[Any] | ChatReply, **kwargs: Any) -> ChatReply:
        """Script the next chat reply (replies are used in order; then ``default_reply``)."""
        reply = content if isinstance(content, ChatReply) else ChatReply(content, **kwargs)
        with self._lock:
            self._replies.append(reply)
        return reply

    def fail(self, route: Route, kind: FaultKind, times: int = 1, **kwargs: Any) -> Fault:
        """Make the next ``times`` calls to ``route`` fail with ``kind`` (faults queue up in order)."""
        fault = Fault(kind, times=times, **kwargs)
        with self._lock:
            self._faults.setdefault(route, deque()).append(fault)
        return fault

    def requests_to(self, route: Route) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.route == route]

    # ---- used by the handler ---------------------------------------------------------------------------------
    def _take_fault(self, route: Route) -> Fault | None:
        with self._lock:
            queue = self._faults.get(route)
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.popleft()
            return fault

    def _next_reply(self) -> ChatReply:
        with self._lock:
            return self._replies.popleft() if self._replies else ChatReply(self.default_reply)

    def _record(self, rec: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(rec)

    def _sleep(self, seconds: float) -> None:
        """Sleep, but wake at once when the server stops (no test ever waits on a hang)."""
        if seconds > 0:
            self._stopping.wait(seconds)
