"""Voice profile and similarity score (issue 10).

* ``voice_score_10k_words_ms``: scoring a 10,000-word revision against a profile (features of the
  text + the calibrated distance + the reasons), median of several runs. Target 200 ms.
  Peer: counting the same text's words with ``core/words.count_words`` (the cheapest pass over a
  text the app makes), so the ratio says how many "word counts" a score costs.
* ``voice_build_50k_words_ms``: building a profile from 50,000 words (windows, spreads, the
  cross-validated calibration). Target 2 s.
* The evaluation over the corpus (five authors; profiles from the first part of each book,
  held-out passages of 2,000 and 500 words): ROC AUC (target 0.95 at 2,000 words) and the score
  distributions, printed as a table; and the in-book check (each book's later chapters against a
  profile from its first ~15,000 words; target ≥ 90 % of them scoring ≥ 0.5).
"""

from __future__ import annotations

import statistics

from bench.common import CORPUS_DIR, Metric, median_ms
from ghostline_desktop.core.style_eval import book_body, build_profiles, evaluate, in_book_scores
from ghostline_desktop.core.style_features import first_words, split_paragraphs
from ghostline_desktop.core.style_profile import build_profile, score_text
from ghostline_desktop.core.words import count_words

BOOKS = {
    "austen": "austen-pride-and-prejudice.txt",
    "carroll": "carroll-alice-in-wonderland.txt",
    "doyle": "doyle-adventures-of-sherlock-holmes.txt",
    "melville": "melville-moby-dick.txt",
    "shelley": "shelley-frankenstein.txt",
}


def _print_eval(books: dict[str, str]) -> list[Metric]:
    profiles, held = build_profiles(books)
    metrics = []
    print("\nvoice evaluation (profiles from the first part of each book; held-out passages):")
    print(
        f"  {'words':>5}  {'AUC':>6}  {'same mean':>9}  {'same p10':>8}  {'same>0.6':>8}"
        f"  {'other mean':>10}  {'other p90':>9}"
    )
    for n in (2000, 500):
        r = evaluate(profiles, held, n)
        s = r.summary()
        print(
            f"  {n:>5}  {s['auc']:>6.3f}  {s['same_mean']:>9.2f}  {s['same_p10']:>8.2f}  "
            f"{s['same_above_0.6']:>8.0%}  {s['other_mean']:>10.2f}  {s['other_p90']:>9.2f}"
        )
        # Percentages: the table prints one decimal.
        target = 95.0 if n == 2000 else None
        metrics.append(Metric(f"voice_auc_{n}_words", 100 * r.auc, "% AUC", target, better="higher"))
        metrics.append(Metric(f"voice_same_above_0.6_{n}_words", 100 * s["same_above_0.6"], "%", None, better="higher"))
        if n == 2000:
            for author, (same, other) in r.per_profile.items():
                print(f"         profile {author:9} same-author mean {same:.2f}, other authors mean {other:.2f}")
    print("  by profile size (first words of each book), 2,000-word passages:")
    for size in (5_000, 10_000):
        small, held_small = build_profiles(books, size)
        s = evaluate(small, held_small, 2000).summary()
        print(f"    {size:>6,}-word profiles: AUC {s['auc']:.3f}, same-author above 0.6 {s['same_above_0.6']:.0%}")
        metrics.append(
            Metric(f"voice_auc_2000_words_{size // 1000}k_profile", 100 * s["auc"], "% AUC", better="higher")
        )
    return metrics + _print_in_book(books)


def _print_in_book(books: dict[str, str]) -> list[Metric]:
    """The author's own later chapters against a profile from the first ~15,000 words of chapters."""
    print("  in-book (profile from the first ~15,000 words of chapters; every later chapter ≥ 1,000 words):")
    metrics = []
    for author, text in books.items():
        profile, scored = in_book_scores(text)
        s = [x for _, x in scored]
        share = sum(x >= 0.5 for x in s) / len(s)
        print(
            f"    {author:9} {len(s):3} chapters  ≥0.5 {share:.0%}  median {statistics.median(s):.2f}  "
            f"min {min(s):.2f}  score_range mean {profile.score_range()['mean']:.2f}"
        )
        metrics.append(Metric(f"voice_in_book_above_0.5_{author}", 100 * share, "%", 90.0, better="higher"))
    return metrics


def run() -> list[Metric]:
    books = {a: (CORPUS_DIR / f).read_text(encoding="utf-8") for a, f in BOOKS.items()}
    melville = split_paragraphs(book_body(books["melville"]))
    sample = first_words(melville, 50_000)
    revision = first_words(melville[len(melville) // 2 :], 10_000)
    profile = build_profile(sample)
    score_ms = median_ms(lambda: score_text(profile, revision) and None, 7)
    count_ms = median_ms(lambda: count_words(revision) and None, 7)
    build_ms = median_ms(lambda: build_profile(sample) and None, 3)
    metrics = [
        Metric("voice_score_10k_words_ms", score_ms, "ms", 200.0, peer_name="count_words", peer_value=count_ms),
        Metric("voice_build_50k_words_ms", build_ms, "ms", 2000.0),
    ]
    return metrics + _print_eval(books)
