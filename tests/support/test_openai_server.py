"""The test server itself, spoken to over raw HTTP: wire formats the openai client relies on, fault queues."""

from __future__ import annotations

import base64
import http.client
import json
import struct
import threading
from typing import Any

import pytest

from tests.support.openai_server import OpenAITestServer, embed_text, make_text


def call(
    server: OpenAITestServer, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        data = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        conn.request(method, path, body=data, headers=hdrs)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_unknown_route_and_bad_json(openai_server: OpenAITestServer) -> None:
    status, _, body = call(openai_server, "GET", "/v1/nothing")
    assert status == 404 and "Unknown URL" in json.loads(body)["error"]["message"]
    status, _, body = call(openai_server, "POST", "/v1/chat/completions", b"{not json")
    assert status == 400


def test_sse_wire_format_with_usage(openai_server: OpenAITestServer) -> None:
    openai_server.queue_reply("a b c", prompt_tokens=9)
    request = {"model": "m", "messages": [], "stream": True, "stream_options": {"include_usage": True}}
    status, headers, body = call(openai_server, "POST", "/v1/chat/completions", request)
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    events = [line.removeprefix("data: ") for line in body.decode().split("\n\n") if line]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"]) == "a b c"
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == {
        "prompt_tokens": 9,
        "completion_tokens": 3,
        "total_tokens": 12,
    }


def test_stream_without_include_usage_sends_none(openai_server: OpenAITestServer) -> None:
    request = {"model": "m", "messages": [], "stream": True}
    _, _, body = call(openai_server, "POST", "/v1/chat/completions", request)
    assert b'"usage"' not in body and body.rstrip().endswith(b"data: [DONE]")


def test_faults_apply_in_order_and_count_down(openai_server: OpenAITestServer) -> None:
    openai_server.fail("chat", "rate_limit", times=2, retry_after=7)
    openai_server.fail("chat", "unknown_model")
    request = {"model": "ghost", "messages": [{"role": "user", "content": "hi"}]}
    results = [call(openai_server, "POST", "/v1/chat/completions", request) for _ in range(4)]
    assert [r[0] for r in results] == [429, 429, 404, 200]
    assert results[0][1]["retry-after"] == "7"
    assert json.loads(results[2][2])["error"]["code"] == "model_not_found"
    assert [r.fault for r in openai_server.requests] == ["rate_limit", "rate_limit", "unknown_model", None]
    openai_server.fail("embeddings", "server_error")  # faults are per route
    assert call(openai_server, "POST", "/v1/chat/completions", request)[0] == 200


def test_embeddings_float_and_base64(openai_server: OpenAITestServer) -> None:
    request = {"model": "e", "input": "lamp light", "encoding_format": "base64", "dimensions": 8}
    _, _, body = call(openai_server, "POST", "/v1/embeddings", request)
    reply = json.loads(body)
    raw = base64.b64decode(reply["data"][0]["embedding"])
    assert list(struct.unpack("<8f", raw)) == pytest.approx(embed_text("lamp light", 8))
    assert reply["usage"] == {"prompt_tokens": 2, "total_tokens": 2}


def test_api_key_check_and_reset(openai_server: OpenAITestServer) -> None:
    openai_server.require_api_key = "sk-good"
    assert call(openai_server, "GET", "/v1/models", headers={"Authorization": "Bearer sk-bad"})[0] == 401
    assert call(openai_server, "GET", "/v1/models", headers={"Authorization": "Bearer sk-good"})[0] == 200
    openai_server.fail("models", "server_error")
    openai_server.reset()
    assert openai_server.requests == []
    assert call(openai_server, "GET", "/v1/models")[0] == 200


def test_multipart_upload_text_format(openai_server: OpenAITestServer) -> None:
    boundary = "xyzBOUNDARY"
    payload = b"\x00\r\n--not-a-boundary\r\n\xff" * 10
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="response_format"\r\n\r\ntext\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="n.ogg"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + payload
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, headers, reply = call(
        openai_server,
        "POST",
        "/v1/audio/transcriptions",
        body,
        {"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert reply.decode() == f"Transcript of n.ogg ({len(payload)} bytes)."
    (request,) = openai_server.requests_to("transcriptions")
    assert request.upload == payload and request.form == {"model": "whisper-1", "response_format": "text"}


def test_stop_wakes_a_hanging_handler() -> None:
    server = OpenAITestServer().start()
    server.fail("models", "hang", hang_seconds=60)
    outcome: list[object] = []

    def client() -> None:
        try:
            outcome.append(call(server, "GET", "/v1/models")[0])
        except (OSError, http.client.HTTPException) as exc:
            outcome.append(type(exc))

    thread = threading.Thread(target=client)
    thread.start()
    while not server.requests:
        threading.Event().wait(0.01)
    server.stop()
    thread.join(10)
    assert not thread.is_alive() and outcome  # the client got an answer or a closed connection, not a 60 s wait


def test_make_text_has_exact_piece_count() -> None:
    assert len(make_text(2000).split()) == 2000
