"""The request handler of the OpenAI test server: parsing, fault injection and the four routes."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import math
import re
import struct
import time
import uuid
import wave
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from tests.support.openai_wire import (
    PIECES,
    ROUTES,
    Fault,
    RecordedRequest,
    count_tokens,
    embed_text,
    error_body,
    message_text,
)

if TYPE_CHECKING:
    from tests.support.openai_server import OpenAITestServer


class _StopServing(Exception):
    """The client went away (or we cut the stream on purpose): end this connection quietly."""


class Handler(BaseHTTPRequestHandler):
    server_obj: OpenAITestServer  # set on a subclass per server instance
    protocol_version = "HTTP/1.1"  # keep-alive like real servers; every reply has a length or is chunked

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def setup(self) -> None:
        super().setup()
        with self.server_obj._lock:
            self.server_obj._connections.add(self.connection)

    def finish(self) -> None:
        with self.server_obj._lock:
            self.server_obj._connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    # ---- plumbing --------------------------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _send_json(self, rec: RecordedRequest, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        rec.status = status
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:16]}")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _dispatch(self) -> None:
        srv = self.server_obj
        path = self.path.split("?", 1)[0].rstrip("/")
        route = ROUTES.get((self.command, path))
        raw = self._read_body()
        rec = RecordedRequest(self.command, path, route, {k.lower(): v for k, v in self.headers.items()})
        ctype = self.headers.get("content-type", "")
        if raw and ctype.startswith("application/json"):
            try:
                rec.json = json.loads(raw)
            except ValueError:
                srv._record(rec)
                self._send_json(rec, 400, error_body("We could not parse the JSON body.", "invalid_request_error"))
                return
        elif raw and ctype.startswith("multipart/form-data"):
            self._parse_multipart(rec, raw, ctype)
        srv._record(rec)
        try:
            if route is None:
                self._send_json(rec, 404, error_body(f"Unknown URL {self.command} {path}", "invalid_request_error"))
                return
            if srv.require_api_key is not None and rec.api_key != srv.require_api_key:
                self._send_error_fault(rec, Fault("bad_key"))
                return
            fault = srv._take_fault(route)
            rec.fault = fault.kind if fault else None
            streamed_hang = route == "chat" and self._streaming(rec) and (fault is not None and fault.after_chunks >= 0)
            if fault is not None and fault.kind == "hang" and not streamed_hang:
                srv._sleep(fault.hang_seconds)
                if srv._stopping.is_set():
                    raise _StopServing
                fault = None  # after the hang, answer normally (the client has usually given up)
            if fault is not None and fault.kind not in ("cut_stream", "hang", "invalid_json", "stream_error"):
                self._send_error_fault(rec, fault)
                return
            getattr(self, f"_route_{route}")(rec, fault)
        except (_StopServing, OSError):  # the client left, or we cut the connection on purpose
            self.close_connection = True

    def _streaming(self, rec: RecordedRequest) -> bool:
        return isinstance(rec.json, dict) and bool(rec.json.get("stream"))

    def _parse_multipart(self, rec: RecordedRequest, raw: bytes, ctype: str) -> None:
        match = re.search(r'boundary="?([^";]+)"?', ctype)
        if not match:
            return
        delimiter = b"--" + match.group(1).encode()
        for part in raw.split(delimiter)[1:]:
            if part.startswith(b"--"):
                break
            head, _, body = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
            body = body.removesuffix(b"\r\n")
            headers = head.decode("utf-8", "replace").split("\r\n")
            disposition = next((h for h in headers if h.lower().startswith("content-disposition")), "")
            name = re.search(r'\bname="([^"]*)"', disposition)
            filename = re.search(r'filename="([^"]*)"', disposition)
            if filename:
                rec.upload_filename = filename.group(1)
                rec.upload_bytes = len(body)
                rec.upload = body
            elif name:
                rec.form[name.group(1)] = body.decode("utf-8", "replace")

    def _send_error_fault(self, rec: RecordedRequest, fault: Fault) -> None:
        body_json = rec.json if isinstance(rec.json, dict) else {}
        model = str(body_json.get("model") or rec.form.get("model") or "unknown")
        headers: dict[str, str] = {}
        if fault.kind == "rate_limit":
            status = 429
            body = error_body(
                f"Rate limit reached for {model}. Please try again in {fault.retry_after or 1}s.",
                "requests",
                "rate_limit_exceeded",
            )
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            if fault.retry_after_ms is not None:
                headers["retry-after-ms"] = f"{fault.retry_after_ms:g}"
        elif fault.kind == "server_error":
            status, body = 500, error_body("The server had an error while processing your request.", "server_error")
        elif fault.kind == "bad_key":
            status = 401
            body = error_body(
                f"Incorrect API key provided: {rec.api_key}. You can find your API key in your account.",
                "invalid_request_error",
                "invalid_api_key",
            )
        elif fault.kind == "unknown_model":
            status = 404
            body = error_body(
                f"The model `{model}` does not exist or you do not have access to it.",
                "invalid_request_error",
                "model_not_found",
            )
        elif fault.kind == "context_too_long":
            status = 400
            body = error_body(
                "This model's maximum context length is 8192 tokens. However, your messages resulted in 9001 "
                "tokens. Please reduce the length of the messages.",
                "invalid_request_error",
                "context_length_exceeded",
                "messages",
            )
        else:
            status = fault.status
            body = fault.body or error_body(f"Injected error {fault.status}.", "server_error")
        headers.update(fault.headers or {})
        self._send_json(rec, status, body, headers)

    # ---- routes ----------------------------------------------------------------------------------------------
    def _route_models(self, rec: RecordedRequest, fault: Fault | None) -> None:
        data = [
            {"id": m, "object": "model", "created": 1700000000, "owned_by": "ghostline-test"}
            for m in self.server_obj.models
        ]
        self._send_json(rec, 200, {"object": "list", "data": data})

    def _route_embeddings(self, rec: RecordedRequest, fault: Fault | None) -> None:
        body = rec.json if isinstance(rec.json, dict) else {}
        raw_input = body.get("input")
        single = isinstance(raw_input, str) or (raw_input and isinstance(raw_input[0], int))
        items = [raw_input] if single else raw_input
        if not items:
            self._send_json(rec, 400, error_body("'input' must not be empty.", "invalid_request_error", param="input"))
            return
        dim = int(body.get("dimensions") or self.server_obj.embedding_dim)
        data = []
        tokens = 0
        for index, item in enumerate(items):
            text = item if isinstance(item, str) else " ".join(f"t{t}" for t in item)
            tokens += count_tokens(text)
            vec = embed_text(text, dim)
            embedding: Any = vec
            if body.get("encoding_format") == "base64":
                embedding = base64.b64encode(struct.pack(f"<{dim}f", *vec)).decode()
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        rec.usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        self._send_json(rec, 200, {"object": "list", "data": data, "model": body.get("model"), "usage": rec.usage})

    def _route_transcriptions(self, rec: RecordedRequest, fault: Fault | None) -> None:
        srv = self.server_obj
        if rec.upload_filename is None:
            self._send_json(rec, 400, error_body("No file was uploaded.", "invalid_request_error", param="file"))
            return
        data = rec.upload
        if callable(srv.transcription):
            text = srv.transcription(rec.upload_filename, data)
        else:
            text = srv.transcription or f"Transcript of {rec.upload_filename} ({len(data)} bytes)."
        body: dict[str, Any] = {"text": text}
        try:
            with wave.open(io.BytesIO(data)) as wav:
                seconds = wav.getnframes() / float(wav.getframerate())
            body["usage"] = {"type": "duration", "seconds": max(1, math.ceil(seconds))}
        except (wave.Error, EOFError, ZeroDivisionError):
            pass
        if rec.form.get("response_format") == "text":
            payload = text.encode()
            rec.status = 200
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        self._send_json(rec, 200, body)

    def _route_chat(self, rec: RecordedRequest, fault: Fault | None) -> None:
        body = rec.json if isinstance(rec.json, dict) else {}
        reply = self.server_obj._next_reply()
        text = reply.text
        if fault is not None and fault.kind == "invalid_json":
            text = text[: max(1, len(text) // 2)] if text.lstrip().startswith(("{", "[")) else '{"title": "Broken", "ch'
        pieces = PIECES.findall(text)
        messages = body.get("messages") or []
        prompt = reply.prompt_tokens
        if prompt is None:
            prompt = sum(count_tokens(message_text(m)) + 3 for m in messages if isinstance(m, dict))
        completion = reply.completion_tokens if reply.completion_tokens is not None else len(pieces)
        usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
        rec.usage = usage
        model = reply.model or str(body.get("model") or "unknown")
        ident = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            self._stream_chat(ident, model, pieces, reply.finish_reason, usage if include_usage else None, fault)
            return
        if fault is not None and fault.kind == "cut_stream":
            self._cut_plain_body(rec)
            return
        if fault is not None and fault.kind == "stream_error":  # no stream to carry an event: a plain error
            self._send_json(rec, fault.status, fault.body or error_body("Injected stream error.", "server_error"))
            return
        message = {"role": "assistant", "content": text, "refusal": None}
        choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": reply.finish_reason}
        self._send_json(
            rec,
            200,
            {
                "id": ident,
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [choice],
                "usage": usage,
                "system_fingerprint": None,
            },
        )

    def _cut_plain_body(self, rec: RecordedRequest) -> None:
        rec.status = 200
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b'{"id": "chatcmpl-cut", "object": "chat.comp')
        self.wfile.flush()
        raise _StopServing

    def _stream_chat(
        self,
        ident: str,
        model: str,
        pieces: list[str],
        finish_reason: str,
        usage: dict[str, int] | None,
        fault: Fault | None,
    ) -> None:
        srv = self.server_obj
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        created = int(time.time())

        def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
            choices = [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
            base = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model}
            return {**base, "system_fingerprint": None, "choices": choices, **extra}

        usage_field = {"usage": None} if usage is not None else {}
        self._send_event(chunk({"role": "assistant", "content": ""}, **usage_field))
        start = time.monotonic() + srv.time_to_first_token
        for i, piece in enumerate(pieces):
            if fault is not None and i == fault.after_chunks:
                self._break_stream(fault)
            due = start + (i / srv.tokens_per_second if srv.tokens_per_second else 0.0)
            srv._sleep(due - time.monotonic())
            self._send_event(chunk({"content": piece}, **usage_field))
        if fault is not None:  # fewer pieces than after_chunks: still break the stream at the end
            self._break_stream(fault)
        self._send_event(chunk({}, finish_reason, **usage_field))
        if usage is not None:
            final = chunk({}, None, usage=usage)
            final["choices"] = []
            self._send_event(final)
        self._send_raw(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _break_stream(self, fault: Fault) -> None:
        """End a stream the way ``fault`` says: hang then close, close at once, or an error event."""
        if fault.kind == "hang":
            self.server_obj._sleep(fault.hang_seconds)
        if fault.kind == "stream_error":
            body = fault.body or error_body("The server had an error while processing your request.", "server_error")
            self._send_event(body if "error" in body else {"error": body})
            self._send_raw(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            raise _StopServing
        raise _StopServing  # close without the final chunk: the client sees a broken stream

    def _send_event(self, payload: dict[str, Any]) -> None:
        self._send_raw(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def _send_raw(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()
