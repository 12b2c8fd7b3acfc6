"""Helper run by bench_embed_quality with any python (the project's or a peer venv's).

Imports nothing of ours, so a peer venv without GhostLine can run it.

    python embed_quality_worker.py size DIST...            -> JSON {"mb": installed MB of DISTs and their deps}
    python embed_quality_worker.py wordllama IN.json OUT.npy -> JSON {"load_s": ..., "embed_s": ...}

``wordllama`` embeds the texts of IN.json (a list of strings) with the 256-dimension model
bundled in the wordllama wheel, offline: ``cache_dir`` points at the package folder because
its own lookup of the bundled tokenizer lands on ``tokenizer/`` while the wheel ships
``tokenizers/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import time
from importlib import metadata
from pathlib import Path


def install_mb(roots: list[str]) -> float:
    seen: set[str] = set()
    todo = [re.sub(r"[-_.]+", "-", r).lower() for r in roots]
    total = 0
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for f in dist.files or ():
            with contextlib.suppress(OSError):
                total += Path(str(f.locate())).stat().st_size
        for req in dist.requires or ():
            if "extra ==" in req:
                continue
            match = re.match(r"[A-Za-z0-9_.\-]+", req)
            if match:
                todo.append(re.sub(r"[-_.]+", "-", match.group(0)).lower())
    return total / 1_048_576


def embed_wordllama(src: str, dst: str) -> dict[str, float]:
    os.environ["HF_HUB_OFFLINE"] = "1"
    import numpy as np
    import wordllama
    from wordllama import WordLlama

    texts = json.loads(Path(src).read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    model.embed(["warm up"], norm=True)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    vectors = model.embed(texts, norm=True, batch_size=32)
    embed_s = time.perf_counter() - t0
    np.save(dst, np.asarray(vectors, dtype=np.float32))
    return {"load_s": load_s, "embed_s": embed_s}


def main(argv: list[str]) -> int:
    if argv[:1] == ["size"]:
        print(json.dumps({"mb": install_mb(argv[1:])}))
        return 0
    if argv[:1] == ["wordllama"] and len(argv) == 3:
        print(json.dumps(embed_wordllama(argv[1], argv[2])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
