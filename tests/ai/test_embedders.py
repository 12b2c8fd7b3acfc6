import asyncio
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ghostline_desktop.ai.embedders import (
    LOCAL_DIMENSIONS,
    LOCAL_MODEL_NAME,
    Embedder,
    EmbedderUnavailable,
    LocalEmbedder,
    ProviderEmbedder,
    local_embedder,
)
from ghostline_desktop.ai.provider import Provider, ProviderConfig
from ghostline_desktop.errors import ProviderError
from tests.support.openai_server import OpenAITestServer, embed_text

REPO = Path(__file__).resolve().parents[2]

CAPTAIN = "The captain ordered the crew to lower the boats at dawn."
PARAPHRASE = "At first light the skipper told his sailors to put the boats into the water."
UNRELATED = "She baked a lemon cake for her sister's birthday party."


@pytest.fixture(scope="module")
def local() -> LocalEmbedder:
    return local_embedder()


def cos(a: list[float], b: list[float]) -> float:
    return float(np.dot(a, b))


# ---- local ---------------------------------------------------------------------------------------------------------
async def test_local_paraphrase_is_closer_than_an_unrelated_sentence(local: LocalEmbedder) -> None:
    a, b, c = await local.embed([CAPTAIN, PARAPHRASE, UNRELATED])
    assert cos(a, b) > 0.4
    assert cos(a, b) > cos(a, c) + 0.3


async def test_local_vectors_are_unit_length_stable_and_deterministic(local: LocalEmbedder) -> None:
    assert isinstance(local, Embedder)
    assert (local.name, local.dimensions) == (LOCAL_MODEL_NAME, LOCAL_DIMENSIONS)
    assert (LOCAL_MODEL_NAME, LOCAL_DIMENSIONS) == ("local/all-minilm-l6-v2-int8", 384)  # stored per chunk: stable
    texts = [CAPTAIN, "", "   ", "x", "Ünïcödé — 我爱你 🙂", "word " * 600]
    first = await local.embed(texts)
    assert [len(v) for v in first] == [384] * len(texts)
    assert all(math.isclose(float(np.linalg.norm(v)), 1.0, abs_tol=1e-5) for v in first)
    # Same text, alone or in another batch (other padding), gives the same vector.
    again = await local.embed([texts[0]])
    shuffled = await local.embed(list(reversed(texts)))
    assert np.allclose(first[0], again[0], atol=1e-5)
    assert np.allclose(first, list(reversed(shuffled)), atol=1e-4)
    assert await local.embed([]) == []


async def test_local_reads_past_the_models_256_word_pieces(local: LocalEmbedder) -> None:
    """A chunk is ~1,000 tokens; a passage near its end must still count (windowed pooling)."""
    filler = " ".join(
        f"The committee reviewed budget line {i} and approved the quarterly accounting figures." for i in range(30)
    )  # ~390 word pieces: the key passage below starts past the first window
    key = (
        "A great white whale rammed the ship and sank it in the middle of the ocean. "
        "The sailors clung to the wreckage as the monster swam away."
    )
    query, with_key, without_key = await local.embed(
        ["a sea monster sinks a vessel", f"{filler} {key} {filler}", f"{filler} {filler}"]
    )
    assert cos(query, with_key) > cos(query, without_key) + 0.08


async def test_local_embedding_leaves_the_event_loop_free(local: LocalEmbedder) -> None:
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.005)

    task = asyncio.create_task(ticker())
    await local.embed(["A paragraph of prose to embed, several sentences long. " * 20] * 6)
    stop.set()
    await task
    assert ticks > 3  # the loop kept running while the model worked in a thread


def test_local_works_offline_with_the_network_blocked(tmp_path: Path) -> None:
    """A fresh process with HF_HUB_OFFLINE=1 and every socket connect refused still embeds."""
    script = tmp_path / "offline.py"
    script.write_text(
        "import socket, asyncio\n"
        "def refuse(*a, **k):\n"
        "    raise OSError('network use is not allowed in this test')\n"
        "socket.socket.connect = refuse\n"
        "socket.socket.connect_ex = refuse\n"
        "socket.create_connection = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "from ghostline_desktop.ai.embedders import LocalEmbedder\n"
        "v = asyncio.run(LocalEmbedder().embed(['offline text']))\n"
        "print(len(v[0]))\n",
        encoding="utf-8",
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, str(script)], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "384"
    assert not (tmp_path / "cache" / "huggingface").exists()  # no hub cache: nothing was looked up


async def test_local_refuses_a_damaged_model_with_a_clear_message(tmp_path: Path) -> None:
    bad_model = tmp_path / "model.onnx"
    bad_model.write_bytes(b"not a model")
    with pytest.raises(EmbedderUnavailable, match=r"not the expected one\. Reinstall GhostLine"):
        await LocalEmbedder(model_path=bad_model).embed(["x"])
    bad_tokenizer = tmp_path / "tokenizer.json"
    bad_tokenizer.write_text("{", encoding="utf-8")
    with pytest.raises(EmbedderUnavailable, match="could not be read"):
        await LocalEmbedder(tokenizer_path=bad_tokenizer).embed(["x"])


def test_local_embedder_is_one_shared_instance() -> None:
    assert local_embedder() is local_embedder()


# ---- provider ------------------------------------------------------------------------------------------------------
def make_provider(server: OpenAITestServer, model: str = "text-embedding-3-small") -> Provider:
    return Provider(
        ProviderConfig(
            base_url=server.base_url, api_key="sk-test", chat_model="gpt-4o-mini", embedding_model=model, max_retries=1
        )
    )


async def test_provider_embedder_names_normalises_and_reports_usage(openai_server: OpenAITestServer) -> None:
    reported: list[int] = []
    async with make_provider(openai_server) as provider:
        embedder = ProviderEmbedder(provider, on_usage=reported.append)
        assert isinstance(embedder, Embedder)
        assert embedder.name == "provider/text-embedding-3-small"
        texts = [f"text number {i} about whales" for i in range(300)]
        vectors = await embedder.embed(texts)
    assert len(vectors) == 300 and embedder.dimensions == openai_server.embedding_dim
    for text, vec in zip(texts, vectors, strict=True):
        raw = np.array(embed_text(text, openai_server.embedding_dim))
        assert np.allclose(vec, raw / np.linalg.norm(raw), atol=1e-6)
    assert sum(reported) == embedder.tokens_used > 0
    assert await embedder.embed([]) == []


async def test_provider_embedder_asks_wide_models_for_the_stored_width(openai_server: OpenAITestServer) -> None:
    async with make_provider(openai_server, "text-embedding-3-large") as provider:
        embedder = ProviderEmbedder(provider)
        assert embedder.dimensions == 1536
        (vec,) = await embedder.embed(["a long voyage"])
    assert len(vec) == 1536
    assert openai_server.requests_to("embeddings")[0].json["dimensions"] == 1536

    openai_server.embedding_dim = 2048  # an unknown model with wide vectors: asked again for 1,536
    async with make_provider(openai_server, "wide-local-model") as provider:
        (vec,) = await ProviderEmbedder(provider).embed(["a long voyage"])
    assert len(vec) == 1536


async def test_provider_embedder_refuses_vectors_that_change_width(openai_server: OpenAITestServer) -> None:
    async with make_provider(openai_server, "nomic-embed-text") as provider:
        embedder = ProviderEmbedder(provider)
        assert embedder.dimensions == 0  # unknown until the first reply
        await embedder.embed(["first"])
        assert embedder.dimensions == 64
        openai_server.embedding_dim = 32
        with pytest.raises(ProviderError, match="inconsistent length"):
            await embedder.embed(["second"])
