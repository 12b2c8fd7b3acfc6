"""Token estimates without a tokenizer (pure, offline, fast).

Why an estimate: the exact count depends on the model's tokenizer, which for a remote
provider is not on this machine (and must never be downloaded at run time). The numbers
are used to size chunks (about 1,000 tokens, well inside every embedding endpoint's
8k limit) and to show rough sizes, so a good estimate is enough as long as it is cheap:
the chunker calls it on every sentence of whole books.

The rule, calibrated on the five corpus books against BPE tokenizers of the
cl100k / Llama family (English prose averages about four characters per token,
spaces included):

- ASCII text: one token per four characters;
- other Latin, Greek, Cyrillic … letters (accented words split into more pieces):
  one token per two characters;
- CJK ideographs, kana, Hangul and emoji (one or more tokens each): one token per
  character.

Everything is done with C-level string operations (``str.encode``, ``str.translate``)
rather than a Python loop or a regex with a match object per word, so Moby-Dick
(1.2 MB) costs a few milliseconds.
"""

from __future__ import annotations

import re

# Characters that BPE vocabularies for Western languages rarely merge: each is one token or more.
_WIDE_RE = re.compile(
    "[\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef\U00010000-\U0010ffff]"
)

ASCII_CHARS_PER_TOKEN = 4
OTHER_CHARS_PER_TOKEN = 2


def estimate_tokens(text: str) -> int:
    """About how many tokens ``text`` is for a modern BPE tokenizer (0 for empty text)."""
    if not text:
        return 0
    total = len(text)
    ascii_chars = len(text.encode("ascii", "ignore"))
    if ascii_chars == total:
        return -(-total // ASCII_CHARS_PER_TOKEN)
    wide = len(_WIDE_RE.findall(text))
    other = total - ascii_chars - wide
    estimate = ascii_chars / ASCII_CHARS_PER_TOKEN + other / OTHER_CHARS_PER_TOKEN + wide
    return max(1, round(estimate + 0.4999))


__all__ = ["estimate_tokens"]
