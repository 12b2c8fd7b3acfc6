"""Revision diff: two 20,000-word revisions differing by scattered edits (1 % of words).

The texts are 20,000 words of a corpus book (Moby-Dick from chapter 1, its paragraphs and
line breaks kept; a generated stand-in when the corpus is absent). The second revision
changes 1 % of the words at random positions, a third each replaced, extended and
deleted (seeded, so every run diffs the same pair).

Ours: ``core.diff.diff_texts`` (paragraph alignment, moves, word-level detail, summary).
Peers, on the same texts in the same run, each as an app would call it:

* ``difflib``: ``SequenceMatcher(None, words_a, words_b).get_opcodes()`` over
  whitespace-split words, default settings (autojunk on; with it off difflib takes
  seconds here), i.e. a plain word diff with no paragraph structure;
* ``diff-match-patch``: ``diff_match_patch().diff_main(a, b)``, defaults (line-mode
  pre-pass, 1 s timeout), character-level result, no summary.
"""

from __future__ import annotations

import difflib
import random
import re

from bench.common import CORPUS_DIR, Metric, corpus_words, median_ms
from ghostline_desktop.core.diff import apply, diff_texts

WORDS = 20_000
EDIT_SHARE = 0.01
RUNS = 7
PEER_RUNS = 5
TARGET_MS = 100.0


def revisions() -> tuple[str, str]:
    """(A, B): 20,000 words of real prose and a copy with 1 % of its words edited."""
    book = CORPUS_DIR / "melville-moby-dick.txt"
    if book.exists():
        text = book.read_text(encoding="utf-8")
        text = text[text.index("Call me Ishmael.") :]
        ends = [m.end() for m in re.finditer(r"\S+", text)]
        a = text[: ends[WORDS - 1]]
    else:  # a stand-in with the same shape: paragraphs of wrapped lines
        words = corpus_words()[:WORDS]
        paras = [" ".join(words[k : k + 120]) for k in range(0, len(words), 120)]
        a = "\n\n".join(re.sub(r"(\S+ ){12}", lambda m: m.group(0)[:-1] + "\n", p) for p in paras)
    rng = random.Random(2026)
    spans = [m.span() for m in re.finditer(r"\S+", a)]
    picks = sorted(rng.sample(range(len(spans)), int(len(spans) * EDIT_SHARE)))
    out: list[str] = []
    pos = 0
    for n, k in enumerate(picks):
        start, end = spans[k]
        out.append(a[pos:start])
        if n % 3 == 0:
            out.append("zebra")
        elif n % 3 == 1:
            out.append(a[start:end] + " quietly")
        pos = end  # n % 3 == 2: the word is deleted
    out.append(a[pos:])
    return a, "".join(out)


def run() -> list[Metric]:
    import diff_match_patch  # type: ignore[import-untyped]

    a, b = revisions()
    if apply(a, diff_texts(a, b)) != b:
        raise AssertionError("diff_texts did not rebuild B from A")
    words_a, words_b = a.split(), b.split()
    dmp = diff_match_patch.diff_match_patch()

    def ours() -> None:
        diff_texts(a, b)

    def with_difflib() -> None:
        difflib.SequenceMatcher(None, words_a, words_b).get_opcodes()

    def with_dmp() -> None:
        dmp.diff_main(a, b)

    with_difflib()  # warm-up: first calls pay for imports and regex compilation
    with_dmp()
    ours()
    ours_ms = median_ms(ours, RUNS)
    peer_difflib = median_ms(with_difflib, PEER_RUNS)
    peer_dmp = median_ms(with_dmp, PEER_RUNS)
    return [
        Metric(
            "diff_20k_words_ms",
            ours_ms,
            target=TARGET_MS,
            peer_name="difflib SequenceMatcher over words",
            peer_value=peer_difflib,
        ),
        Metric(
            "diff_20k_words_vs_dmp_ms",
            ours_ms,
            target=TARGET_MS,
            peer_name="diff-match-patch diff_main",
            peer_value=peer_dmp,
        ),
    ]
