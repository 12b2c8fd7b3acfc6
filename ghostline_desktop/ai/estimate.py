"""Token counts of prompts before a call, offline (no tokenizer, nothing downloaded).

Why not ``core.tokens.estimate_tokens`` (characters ÷ 4): that one sizes chunks of whole
books and must be nearly free; here we price one call before it is made (the author is told
"this will cost about N tokens" and the balance is checked), so a closer figure is worth a
regex pass. Why not a real tokenizer: the provider's vocabulary is not on this machine and
must never be fetched at run time; the figure debited is always the usage the provider
reports, so an estimate only has to be close.

How: the text is split the way OpenAI's cl100k tokenizer pre-splits it (words with their
leading space, runs of 1–3 digits, punctuation runs, whitespace), and each piece is priced
from a table measured with the real cl100k vocabulary on the five corpus books (~2 MB of
English prose): a short common word is one token, longer and capitalised words split into
more, a word without a leading space (after a quote or a newline) splits more often.
Letters outside ASCII are priced per character by script (accented Latin, Greek/Cyrillic,
CJK). Measured error against cl100k (tests/ai/test_estimate.py states the tolerances): about
±3 % on passages of English prose of 200+ tokens and ±1–4 % on whole books, ±5 % on
French/German, ±10 % on Cyrillic and ±25 % on CJK (which varies a lot between vocabularies
anyway). Newer vocabularies (o200k, Llama 3) count English prose within a few per cent of
cl100k and other languages lower, so the estimate errs, if anything, high there.

Chat framing follows OpenAI's documented rule for its chat models: every message costs 3
tokens of framing plus its role and content (plus 1 when it has a ``name``), and the reply is
primed with 3 more.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# cl100k's pre-tokenizer in Python ``re`` (3.11+ has possessive quantifiers): ``[^\W\d_]`` is
# a letter, ``\d`` a digit; an underscore is punctuation there, hence the ``|_`` alternatives.
_PIECES = re.compile(
    r"""'(?i:[sdmt]|ll|ve|re)"""
    r"""|(?:[^\r\n\w]|_)?+[^\W\d_]++"""
    r"""|\d{1,3}+"""
    r"""| ?(?:[^\s\w]|_)++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
)

# Tokens of an ASCII word by its letter count, measured on the corpus (index = letters; the last
# entry is for 13 letters, each letter beyond adds _PER_EXTRA_LETTER).
_LOWER_SPACED = (1.0, 1.0, 1.0, 1.0, 1.0, 1.04, 1.09, 1.15, 1.25, 1.3, 1.46, 1.57, 1.7, 1.75)
_UPPER_SPACED = (1.0, 1.0, 1.0, 1.01, 1.12, 1.27, 1.47, 1.63, 2.0, 1.9, 2.25, 2.5, 2.5, 2.6)
_LOWER_BARE = (1.0, 1.0, 1.03, 1.04, 1.14, 1.29, 1.55, 1.77, 1.98, 2.11, 2.27, 2.4, 2.6, 2.77)
_UPPER_BARE = (1.0, 1.0, 1.1, 1.16, 1.36, 1.59, 1.9, 1.9, 2.4, 2.2, 2.4, 2.7, 3.0, 3.2)
_PER_EXTRA_LETTER = 0.2
_TABLES = {
    (True, False): _LOWER_SPACED,
    (True, True): _UPPER_SPACED,
    (False, False): _LOWER_BARE,
    (False, True): _UPPER_BARE,
}
# All-capital words ("CHAPTER", "NASA") split much more than capitalised ones.
_ALL_CAPS_CHARS_PER_TOKEN = 2.5

_LATIN_EXT = re.compile("[\u00c0-\u024f]")
_NON_ENGLISH_FACTOR = 1.15
_CJK = re.compile("[\u1100-\u11ff\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef]")
# Letters per token outside ASCII: accented Latin splits around the accent, Greek/Cyrillic and
# other alphabets are ~2–3 letters a token, ideographs/kana/Hangul ~1 token or more each.
_LATIN_EXT_PER_TOKEN = 2.2
_OTHER_ALPHABET_PER_TOKEN = 1.8
_CJK_TOKENS_PER_CHAR = 1.35


def _word_tokens(piece: str) -> float:
    """Tokens of one letter run, with the optional space or punctuation character before it."""
    letters = piece if piece[0].isalpha() else piece[1:]
    # Measured: a leading space merges into the word; a word after a quote, a bracket or a
    # newline splits more often (the _BARE tables include the quote's cost).
    spaced = piece[0] == " "
    if not letters.isascii():
        return _foreign_tokens(letters) + (0.0 if spaced or letters is piece else 0.5)
    n = len(letters)
    if n >= 2 and letters.isupper():
        return max(1.0, n / _ALL_CAPS_CHARS_PER_TOKEN)
    table = _TABLES[(spaced, letters[0].isupper())]
    if n < len(table):
        return table[n]
    return table[-1] + (n - len(table) + 1) * _PER_EXTRA_LETTER


def _foreign_tokens(letters: str) -> float:
    cjk = len(_CJK.findall(letters))
    ascii_letters = len(letters.encode("ascii", "ignore"))
    rest = len(letters) - cjk - ascii_letters
    latin_ext = sum(1 for ch in letters if "\u00c0" <= ch <= "\u024f")
    other = rest - latin_ext
    tokens = cjk * _CJK_TOKENS_PER_CHAR + other / _OTHER_ALPHABET_PER_TOKEN
    # A Latin word with accents: the ASCII part as an ordinary word, each accent costing a split.
    latin_len = ascii_letters + latin_ext
    if latin_len:
        tokens += max(1.0, latin_len / 4.0) + latin_ext / _LATIN_EXT_PER_TOKEN
    return max(1.0, tokens)


def _punct_tokens(piece: str) -> float:
    core = piece.strip()
    n = len(core)
    if n <= 1:
        return 1.0
    if n <= 4:
        return 1.1
    # Rules ("-----"), ellipses of dots and the like: cl100k has tokens for runs of a few.
    return n / 3.0


def estimate_tokens(text: str) -> int:
    """About how many tokens ``text`` is for OpenAI's cl100k tokenizer (0 for empty text)."""
    if not text:
        return 0
    total = 0.0
    covered = 0
    for match in _PIECES.finditer(text):
        piece = match.group()
        covered += len(piece)
        first = piece[0]
        if piece.isspace():
            # cl100k has single tokens for runs of up to ~80 spaces or newlines.
            total += 1.0 if len(piece) <= 80 else math.ceil(len(piece) / 80)
        elif first == "'" and len(piece) <= 3 and piece[1:].isalpha():
            total += 1.0  # 's 't 're 've 'll 'd 'm
        elif first.isdigit():
            total += 1.0
        elif piece[-1].isalpha():
            total += _word_tokens(piece)
        else:
            total += _punct_tokens(piece)
    if _LATIN_EXT.search(text) is not None:
        # Accents mean a language other than English, whose words the vocabulary (learnt mostly
        # on English) splits more often, accented or not: measured ~15 % more on French/German.
        accented = len(_LATIN_EXT.findall(text))
        if accented * 200 > len(text):
            total *= _NON_ENGLISH_FACTOR
    # Characters no piece matched (symbols \w knows that are neither letter nor digit): ~1 each.
    total += len(text) - covered
    return max(1, round(total))


#: Framing per message and for priming the reply, per OpenAI's rule for its chat models.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING_TOKENS = 3
_ROLES = frozenset({"system", "user", "assistant", "tool", "developer", "function"})  # one token each


def _content_text(content: Any) -> Iterable[str]:
    """The text of a message's ``content``: a string, or a list of parts (``{"type": "text", ...}``)."""
    if content is None:
        return
    if isinstance(content, str):
        yield content
        return
    if isinstance(content, Sequence):
        for part in content:
            if isinstance(part, Mapping):
                text = part.get("text")
                if isinstance(text, str):
                    yield text
            elif isinstance(part, str):
                yield part


def estimate_prompt(messages: Sequence[Mapping[str, Any]]) -> int:
    """About how many prompt tokens ``messages`` cost, framing included."""
    total = REPLY_PRIMING_TOKENS
    for message in messages:
        total += TOKENS_PER_MESSAGE
        role = message.get("role")
        if isinstance(role, str):
            total += 1 if role in _ROLES else estimate_tokens(role)
        name = message.get("name")
        if isinstance(name, str):
            total += TOKENS_PER_NAME + estimate_tokens(name)
        for text in _content_text(message.get("content")):
            total += estimate_tokens(text)
    return total


def estimate_chat(messages: Sequence[Mapping[str, Any]], max_completion_tokens: int) -> int:
    """The most a chat call may cost: its prompt's estimate plus every completion token allowed."""
    return estimate_prompt(messages) + max(0, int(max_completion_tokens))


__all__ = ["estimate_chat", "estimate_prompt", "estimate_tokens"]
