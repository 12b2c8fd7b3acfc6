"""The test server speaks the OpenAI API as the official client uses it, faults included.

Every check goes through the unchanged ``openai`` client (its HTTP stack, SSE parser,
multipart encoder and error mapping), with its own retries off, so what is asserted here is
what production code will meet.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import time
import wave
from collections.abc import Iterator
from typing import Any, cast

import openai
import pytest

from tests.support.openai_fixture import TEST_API_KEY
from tests.support.openai_server import FaultKind, OpenAITestServer, embed_text, error_body


@pytest.fixture
def client(openai_server: OpenAITestServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=openai_server.base_url, api_key=TEST_API_KEY, max_retries=0, timeout=5.0) as c:
        yield c


def chat(client: openai.OpenAI, **kwargs: Any) -> Any:
    """``client.chat.completions.create`` without its typed overloads (the tests send plain dicts)."""
    return cast(Any, client.chat.completions).create(**kwargs)


MESSAGES: Any = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello to the reader"}]


def test_models_list(client: openai.OpenAI, openai_server: OpenAITestServer) -> None:
    openai_server.models = ["llama3.1", "nomic-embed-text"]
    assert [m.id for m in client.models.list()] == ["llama3.1", "nomic-embed-text"]
    assert openai_server.requests_to("models")[0].api_key == TEST_API_KEY


def test_plain_chat_with_usage(client: openai.OpenAI, openai_server: OpenAITestServer) -> None:
    openai_server.queue_reply("Hello, reader.", prompt_tokens=21, completion_tokens=4)
    reply = chat(client, model="gpt-4o-mini", messages=MESSAGES, max_completion_tokens=50)
    assert reply.choices[0].message.content == "Hello, reader."
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage is not None
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens, reply.usage.total_tokens) == (21, 4, 25)
    assert reply.model == "gpt-4o-mini"
    sent = openai_server.requests_to("chat")[0].json
    assert sent["messages"] == MESSAGES and sent["max_completion_tokens"] == 50


def test_streaming_with_usage_in_the_final_chunk(client: openai.OpenAI, openai_server: OpenAITestServer) -> None:
    openai_server.queue_reply("one two three four", prompt_tokens=30)
    stream = chat(
        client,
        model="gpt-4o-mini",
        messages=MESSAGES,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "one two three four"
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["stop"]
    # Usage only in the last chunk, which has no choices (as OpenAI sends it); null before.
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == (30, 4)
    assert all(c.usage is None for c in chunks[:-1])


def test_streaming_without_include_usage_reports_none(client: openai.OpenAI, openai_server: OpenAITestServer) -> None:
    stream = chat(client, model="m", messages=MESSAGES, stream=True)
    chunks = list(stream)
    assert all(c.usage is None for c in chunks) and all(c.choices for c in chunks)


def test_embeddings_in_the_clients_default_base64_and_float(
    client: openai.OpenAI, openai_server: OpenAITestServer
) -> None:
    # The client asks for base64 unless told otherwise, and decodes it itself.
    result = client.embeddings.create(model="text-embedding-3-small", input=["the old house", "a lamp"])
    assert [d.index for d in result.data] == [0, 1]
    assert result.data[0].embedding == pytest.approx(embed_text("the old house", openai_server.embedding_dim))
    assert result.usage.prompt_tokens == 5
    assert openai_server.requests_to("embeddings")[0].json["encoding_format"] == "base64"
    floats = client.embeddings.create(model="m", input="one text", encoding_format="float", dimensions=8)
    assert len(floats.data[0].embedding) == 8


def test_transcription_multipart_upload(client: openai.OpenAI, openai_server: OpenAITestServer) -> None:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(struct.pack("<h", 0) * 8000 * 2)
    openai_server.transcription = "It was a dark and stormy night."
    result = client.audio.transcriptions.create(model="whisper-1", file=("memo.wav", buffer.getvalue()))
    assert result.text == "It was a dark and stormy night."
    rec = openai_server.requests_to("transcriptions")[0]
    assert (rec.upload_filename, rec.form["model"], rec.upload_bytes) == (
        "memo.wav",
        "whisper-1",
        len(buffer.getvalue()),
    )
    text = client.audio.transcriptions.create(model="whisper-1", file=("m.wav", b"RIFF"), response_format="text")
    assert str(text).strip() == "It was a dark and stormy night."


def test_rate_limit_carries_retry_after(client: openai.OpenAI, openai_server: OpenAITestServer) -> None:
    openai_server.fail("chat", "rate_limit", retry_after=3, retry_after_ms=2500)
    with pytest.raises(openai.RateLimitError) as info:
        chat(client, model="m", messages=MESSAGES)
    assert info.value.status_code == 429
    assert info.value.response.headers["retry-after"] == "3"
    assert info.value.response.headers["retry-after-ms"] == "2500"
    assert info.value.code == "rate_limit_exceeded"
    # The fault is used up: the next call succeeds.
    assert chat(client, model="m", messages=MESSAGES).choices


def test_server_error_and_custom_status_with_headers(client: openai.OpenAI, openai_server: OpenAITestServer) -> None:
    openai_server.fail("embeddings", "server_error")
    with pytest.raises(openai.InternalServerError):
        client.embeddings.create(model="m", input="x")
    openai_server.fail(
        "chat", "status", status=503, headers={"Retry-After": "1"}, body=error_body("Overloaded", "server_error")
    )
    with pytest.raises(openai.APIStatusError) as info:
        chat(client, model="m", messages=MESSAGES)
    assert info.value.status_code == 503 and info.value.response.headers["retry-after"] == "1"


@pytest.mark.parametrize(
    ("kind", "error", "code"),
    [
        ("bad_key", openai.AuthenticationError, "invalid_api_key"),
        ("unknown_model", openai.NotFoundError, "model_not_found"),
        ("context_too_long", openai.BadRequestError, "context_length_exceeded"),
    ],
)
def test_openai_shaped_errors(
    client: openai.OpenAI, openai_server: OpenAITestServer, kind: FaultKind, error: type[Exception], code: str
) -> None:
    openai_server.fail("chat", kind)
    with pytest.raises(error) as info:
        chat(client, model="m", messages=MESSAGES)
    assert getattr(info.value, "code", None) == code


def test_stream_cut_midway(client: openai.OpenAI, openai_server: OpenAITestServer) -> None:
    openai_server.queue_reply("a b c d e f")
    openai_server.fail("chat", "cut_stream", after_chunks=3)
    received: list[str] = []
    with pytest.raises(openai.APIConnectionError):
        for chunk in chat(client, model="m", messages=MESSAGES, stream=True):
            received.extend(c.delta.content or "" for c in chunk.choices)
    assert "".join(received) == "a b c "  # what arrived before the cut


def test_stream_error_event_midway(client: openai.OpenAI, openai_server: OpenAITestServer) -> None:
    openai_server.queue_reply("a b c d")
    body = error_body("This endpoint's maximum context length is 8192 tokens.", "invalid_request_error")
    openai_server.fail("chat", "stream_error", after_chunks=2, body=body)
    received: list[str] = []
    with pytest.raises(openai.APIError) as info:
        for chunk in chat(client, model="m", messages=MESSAGES, stream=True):
            received.extend(c.delta.content or "" for c in chunk.choices)
    assert "".join(received) == "a b "
    assert "maximum context length" in info.value.message


def test_hang_past_the_timeout_plain_and_streamed(openai_server: OpenAITestServer) -> None:
    with openai.OpenAI(base_url=openai_server.base_url, api_key="k", max_retries=0, timeout=0.3) as slow:
        openai_server.fail("chat", "hang", hang_seconds=5)
        started = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            chat(slow, model="m", messages=MESSAGES)
        # Streamed, before any byte: the client times out waiting for the headers.
        openai_server.fail("chat", "hang", hang_seconds=5, after_chunks=-1)
        with pytest.raises(openai.APITimeoutError):
            chat(slow, model="m", messages=MESSAGES, stream=True)
        # Streamed, midway: headers and two pieces arrive, then silence past the read timeout.
        openai_server.queue_reply("a b c d")
        openai_server.fail("chat", "hang", hang_seconds=5, after_chunks=2)
        received: list[str] = []
        with pytest.raises(openai.APIConnectionError):
            for chunk in chat(slow, model="m", messages=MESSAGES, stream=True):
                received.extend(c.delta.content or "" for c in chunk.choices)
        assert "".join(received) == "a b "
        assert time.monotonic() - started < 4.0  # three timeouts of 0.3 s, never the 5 s hangs


def test_invalid_json_in_a_structured_reply(client: openai.OpenAI, openai_server: OpenAITestServer) -> None:
    outline = {"title": "The Harbour", "chapters": [{"title": "Arrival"}, {"title": "Departure"}]}
    openai_server.queue_reply(outline)
    openai_server.fail("chat", "invalid_json")
    reply = chat(
        client,
        model="m",
        messages=MESSAGES,
        response_format={"type": "json_object"},
    )
    content = reply.choices[0].message.content or ""
    with pytest.raises(ValueError):
        json.loads(content)
    # Without the fault, the same structured reply is valid JSON.
    openai_server.queue_reply(outline)
    again = chat(client, model="m", messages=MESSAGES, response_format={"type": "json_object"})
    assert json.loads(again.choices[0].message.content or "") == outline
    assert openai_server.requests_to("chat")[0].json["response_format"] == {"type": "json_object"}


def test_pacing_time_to_first_token_and_rate(client: openai.OpenAI, openai_server: OpenAITestServer) -> None:
    openai_server.time_to_first_token = 0.1
    openai_server.tokens_per_second = 50.0
    openai_server.queue_reply(" ".join(["word"] * 10))
    started = time.monotonic()
    arrivals: list[float] = []
    for chunk in chat(client, model="m", messages=MESSAGES, stream=True):
        if any(c.delta.content for c in chunk.choices):
            arrivals.append(time.monotonic() - started)
    assert len(arrivals) == 10
    assert arrivals[0] >= 0.09
    assert arrivals[-1] - arrivals[0] == pytest.approx(9 / 50.0, abs=0.1)


def test_base64_helper_matches_the_wire() -> None:
    """The float vector the client decodes is the one the server packed (little-endian float32)."""
    vec = embed_text("lamps lit", 8)
    packed = base64.b64encode(struct.pack("<8f", *vec)).decode()
    assert list(struct.unpack("<8f", base64.b64decode(packed))) == pytest.approx(vec)
