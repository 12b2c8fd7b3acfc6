"""Vector helpers shared by the embedders and the database layer (pure, no I/O).

The ``content_chunks.embedding`` column is ``vector(1536)`` (the seed schema's width, that
of OpenAI's ``text-embedding-3-small``). Smaller models are stored zero-padded: padding
with zeros changes neither dot products nor norms, so cosine distances between vectors of
the same model are exactly what the model gives; rows of different models are never
compared (each row records its ``embedding_model``).
"""

from __future__ import annotations

from collections.abc import Sequence

STORED_DIMENSIONS = 1536


def pad(vec: Sequence[float], dim: int = STORED_DIMENSIONS) -> list[float]:
    """``vec`` as a list of floats, extended with zeros to ``dim`` entries.

    A vector longer than ``dim`` is refused rather than truncated: truncating would silently
    change every distance (only models trained for it, like Matryoshka ones, survive that).
    """
    if len(vec) > dim:
        raise ValueError(f"a {len(vec)}-dimension vector does not fit in {dim} dimensions")
    out = [float(x) for x in vec]
    out.extend([0.0] * (dim - len(out)))
    return out


__all__ = ["STORED_DIMENSIONS", "pad"]
