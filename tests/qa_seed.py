"""Seeded-error manuscripts for the QA benchmark: real corpus books with known, injected errors.

Deterministic (a ``random.Random`` seeded by book and seed number), so every run injects
the same errors at the same places. Each injected error is a :class:`Seed` with the exact
span the checks should report; :func:`score` matches findings to seeds (same type, same
chapter, overlapping span) and returns precision and recall per finding type.

What is injected, per book:

* NAME_INCONSISTENCY: 10 frequent names each get a one-edit variant (a doubled, dropped,
  swapped or changed letter, C/K) at one to three of their uses.
* TIMELINE_ERROR: dates with the wrong weekday (three date formats), a date going backwards
  after "The next day"/"Later", an age that does not fit a stated birth year. Controls that
  must NOT be flagged go in too: correct weekdays, a correct age, dates going forward.
* TENSE_INCONSISTENCY: past-tense narration sentences turned into the present ("she was"
  → "she is", "he said" → "he says"), not in books that mix tenses by design (Moby-Dick).
* POV_INCONSISTENCY: third-person books only: a "she was"/"he had" of narration becomes
  "I was"/"I had".
* MISSING_CONTENT: TK, TODO, XXX, [citation needed], empty brackets, lorem ipsum,
  [insert …] dropped between sentences.
* Also measured, with no target in the issue: SPELLING (two letters of a long word
  swapped) and DIALOGUE_FORMATTING (a closing quotation mark dropped).

Use: ``python -m tests.qa_seed [SEED]`` prints the table for the whole corpus.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ghostline_desktop.core.enums import FindingType
from ghostline_desktop.core.manuscript_split import split_manuscript
from ghostline_desktop.core.qa.model import ChapterText, Finding

CORPUS_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus"
BOOKS = (
    "austen-pride-and-prejudice.txt",
    "carroll-alice-in-wonderland.txt",
    "doyle-adventures-of-sherlock-holmes.txt",
    "melville-moby-dick.txt",
    "shelley-frankenstein.txt",
)
THIRD_PERSON = frozenset({"austen-pride-and-prejudice.txt", "carroll-alice-in-wonderland.txt"})
MIXED_TENSE = frozenset({"melville-moby-dick.txt"})
SCORED = (
    FindingType.NAME_INCONSISTENCY,
    FindingType.MISSING_CONTENT,
    FindingType.TIMELINE_ERROR,
    FindingType.POV_INCONSISTENCY,
    FindingType.TENSE_INCONSISTENCY,
)
# measured too, without a target in the issue
EXTRA = (FindingType.SPELLING, FindingType.DIALOGUE_FORMATTING)
_NS = uuid.UUID("6c0a3a52-5d4e-4c39-9a0e-2f1d8f0b7a11")
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_NOT_NAMES = frozenset(
    {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
     "March", "April", "June", "July", "August", "September", "October", "November", "December", "Lady",
     "Miss", "Captain", "Colonel", "Sir", "Lord", "God", "Heaven", "English", "Project", "Gutenberg"}
)  # fmt: skip
_PRESENT = {
    "was": "is", "were": "are", "had": "has", "said": "says", "went": "goes", "came": "comes", "looked": "looks",
    "seemed": "seems", "turned": "turns", "walked": "walks", "felt": "feels", "thought": "thinks", "knew": "knows",
    "saw": "sees", "took": "takes", "made": "makes", "could": "can", "would": "will", "did": "does",
    "replied": "replies", "answered": "answers", "smiled": "smiles", "began": "begins", "found": "finds",
}  # fmt: skip
# a clause still in the past after the conversion: a subject and a past verb
_PAST_LEFT_RE = re.compile(r"\b(?:he|she|they|it|I|we|[A-Z][a-z]+)\s+(?:\w+ly\s+)?(?:was|were|had|did|said|went|came"
                           r"|saw|knew|thought|felt|took|made|got|gave|found|told|began|stood|sat|left|ran|heard|kept"
                           r"|held|brought|could|would|\w+ed)\b")  # fmt: skip
# past verbs a converted sentence must not keep, whatever their subject ("and then composed himself")
_PAST_ANYWHERE_RE = re.compile(r"\b(?:was|were|had|meant|became|began|seemed|(?:and|then|but)\s+\w+ed)\b")
_SENTENCE_RE = re.compile(r"(?<![A-Z][a-z])(?<![A-Z])[A-Z][^.!?]{30,220}[.!?](?=\s|$)")
_PLACEHOLDERS = ("TK", "TODO", "XXX", "[citation needed]", "[ ]", "lorem ipsum dolor sit amet", "[insert date]",
                 "TKTK", "TODO: fix this", "( )")  # fmt: skip


@dataclass(frozen=True)
class Seed:
    finding_type: FindingType
    chapter_index: int
    start: int
    end: int
    what: str


@dataclass
class SeededBook:
    name: str
    chapters: list[ChapterText]
    seeds: list[Seed]
    controls: list[Seed] = field(default_factory=list)  # correct statements that must not be flagged


@dataclass
class _Edit:
    start: int
    end: int
    replacement: str
    mark: tuple[int, int] | None = None  # span of the seeded error inside ``replacement``
    finding_type: FindingType | None = None
    what: str = ""
    control: bool = False


def load_book(name: str) -> list[ChapterText]:
    """The book split into chapters (stable chapter ids, so runs are comparable)."""
    split = split_manuscript((CORPUS_DIR / name).read_text(encoding="utf-8"))
    return [
        ChapterText(uuid.uuid5(_NS, f"{name}/{i}"), i, c.title, c.text.replace("\r\n", "\n"))
        for i, c in enumerate(split.chapters)
    ]


def seed_book(name: str, chapters: list[ChapterText], seed: int = 1) -> SeededBook:
    """A copy of ``chapters`` with errors injected, and where they are."""
    rng = random.Random(f"{name}/{seed}")
    texts = [c.text for c in chapters]
    edits: dict[int, list[_Edit]] = {i: [] for i in range(len(texts))}
    used: dict[int, set[int]] = {i: set() for i in range(len(texts))}  # paragraph starts already edited
    paras = [[m.span() for m in re.finditer(r"\S(?:.*?)(?=\n[ \t]*\n|\Z)", t, re.S)] for t in texts]
    narr = [[p for p in ps if not re.search(r"[“”\"‘]", t[p[0] : p[1]]) and p[1] - p[0] > 200] for t, ps in
            zip(texts, paras, strict=True)]  # fmt: skip

    def free_para(ci: int) -> tuple[int, int] | None:
        options = [p for p in narr[ci] if p[0] not in used[ci]]
        if not options:
            return None
        p = rng.choice(options)
        used[ci].add(p[0])
        return p

    def chapters_with_room(k: int) -> list[int]:
        eligible = [i for i in range(len(texts)) if len(narr[i]) >= 3]
        return sorted(rng.sample(eligible, min(k, len(eligible))))

    _seed_names(rng, texts, edits, used, paras)
    _seed_placeholders(rng, texts, edits, chapters_with_room(8), free_para)
    _seed_timeline(rng, texts, edits, chapters_with_room(9), free_para, name)
    _seed_typos(rng, texts, edits, chapters_with_room(6), free_para)
    if name in THIRD_PERSON:
        _seed_pov(rng, texts, edits, chapters_with_room(20), free_para)
    if name not in MIXED_TENSE:
        _seed_tense(rng, texts, edits, chapters_with_room(60), free_para)
    _seed_quotes(rng, texts, edits, used, paras, chapters_with_room(8))

    out_chapters: list[ChapterText] = []
    seeds: list[Seed] = []
    controls: list[Seed] = []
    for ci, ch in enumerate(chapters):
        new_text, placed = _apply(texts[ci], edits[ci])
        out_chapters.append(ChapterText(ch.chapter_id, ch.order, ch.title, new_text, ch.revision_id))
        for e, (s, t) in placed:
            if e.finding_type is not None:
                (controls if e.control else seeds).append(Seed(e.finding_type, ci, s, t, e.what))
    return SeededBook(name, out_chapters, seeds, controls)


def _apply(text: str, edits: list[_Edit]) -> tuple[str, list[tuple[_Edit, tuple[int, int]]]]:
    edits = sorted(edits, key=lambda e: (e.start, e.end))
    out: list[str] = []
    placed: list[tuple[_Edit, tuple[int, int]]] = []
    pos = 0
    length = 0
    for e in edits:
        if e.start < pos:
            continue  # overlapping edit: the first one wins
        out.append(text[pos : e.start])
        length += e.start - pos
        if e.mark is not None:
            placed.append((e, (length + e.mark[0], length + e.mark[1])))
        out.append(e.replacement)
        length += len(e.replacement)
        pos = e.end
    out.append(text[pos:])
    return "".join(out), placed


def _seed_names(rng: random.Random, texts: list[str], edits: dict[int, list[_Edit]], used: dict[int, set[int]],
                paras: list[list[tuple[int, int]]]) -> None:  # fmt: skip
    book = "\n".join(texts)
    words = set(re.findall(r"\b[a-z]+", book))
    mid = Counter(m.group(1) for m in re.finditer(r"(?<=[a-z,;] )([A-Z][a-z]{3,})\b", book))
    names = sorted(n for n, c in mid.items() if c >= 40 and n.lower() not in words and n not in _NOT_NAMES)
    try:
        from spellchecker import SpellChecker

        dictionary = SpellChecker().word_frequency.dictionary
    except ImportError:  # pragma: no cover
        dictionary = {}
    for name in rng.sample(names, min(10, len(names))):
        variant = next(
            (v for v in _variants(rng, name) if v.lower() not in words and v.lower() not in dictionary), None
        )
        if variant is None:
            continue
        uses = [(ci, m.start(), m.end()) for ci, t in enumerate(texts) for m in re.finditer(rf"\b{name}\b", t)]
        for ci, s, e in rng.sample(uses, rng.choice((1, 2, 3))):
            edits[ci].append(_Edit(s, e, variant, (0, len(variant)), FindingType.NAME_INCONSISTENCY,
                                   f"{name}→{variant}"))  # fmt: skip


def _variants(rng: random.Random, name: str) -> list[str]:
    """One-edit misspellings of ``name``, in a seeded order."""
    out: list[str] = []
    inner = range(1, len(name) - 1)
    for i in inner:
        if name[i] not in "aeiou":
            out.append(name[: i + 1] + name[i] + name[i + 1 :])  # doubled consonant
        out.append(name[:i] + name[i + 1 :])  # dropped letter
        if i + 1 < len(name) and name[i] != name[i + 1]:
            out.append(name[:i] + name[i + 1] + name[i] + name[i + 2 :])  # swapped
        if name[i] in "aeiou":
            out.append(name[:i] + ("e" if name[i] != "e" else "a") + name[i + 1 :])  # vowel changed
    if name[0] in "CK":
        out.append(("K" if name[0] == "C" else "C") + name[1:])
    out = [v for v in dict.fromkeys(out) if v != name]
    rng.shuffle(out)
    return out


def _between_sentences(text: str, para: tuple[int, int], rng: random.Random) -> int:
    """A position just after a sentence end inside the paragraph (or its end)."""
    ends = [m.end() for m in re.finditer(r"[a-z][.!?](?= [A-Z])", text[para[0] : para[1]])]
    return para[0] + rng.choice(ends) if ends else para[1]


def _seed_placeholders(rng, texts, edits, chapters, free_para) -> None:  # type: ignore[no-untyped-def]
    for n, ci in enumerate(chapters):
        p = free_para(ci)
        if p is None:
            continue
        ph = _PLACEHOLDERS[n % len(_PLACEHOLDERS)]
        at = _between_sentences(texts[ci], p, rng)
        edits[ci].append(_Edit(at, at, f" {ph}", (1, 1 + len(ph)), FindingType.MISSING_CONTENT, ph))


def _date_text(d: dt.date, weekday: str, style: int) -> str:
    if style == 0:
        return f"{weekday}, {d.day} {d:%B} {d.year}"
    if style == 1:
        return f"{weekday}, {d:%B} {d.day}, {d.year}"
    if style == 3:
        return f"{d.day} {d:%B} {d.year}, a {weekday}"
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}.get(d.day, "th")
    return f"{weekday} the {d.day}{suffix} of {d:%B}, {d.year}"


def _seed_timeline(rng, texts, edits, chapters, free_para, book) -> None:  # type: ignore[no-untyped-def]
    """Dates increase through the book except where a seed makes one go backwards."""
    day = dt.date(1811, 1, 10) + dt.timedelta(days=rng.randrange(200))
    first = re.findall(r"(?<=[a-z,;] )([A-Z][a-z]{3,})\b", "\n".join(texts))
    person = Counter(n for n in first if n not in _NOT_NAMES).most_common(1)[0][0]
    plan = ["weekday", "control_date", "order", "weekday", "birth", "age", "weekday", "control_next", "order"]
    born = 1780 + rng.randrange(10)
    last = day  # the latest seeded date so far: an "order" seed goes back from it
    for n, ci in enumerate(chapters):
        kind = plan[n % len(plan)]
        p = free_para(ci)
        if p is None:
            continue
        at = _between_sentences(texts[ci], p, rng)
        day = max(day, last) + dt.timedelta(days=3 + rng.randrange(40))
        real = _WEEKDAYS[day.weekday()]
        if kind in ("weekday", "control_date", "control_next"):
            last = day
        if kind == "weekday":
            wrong = _WEEKDAYS[(day.weekday() + 1 + rng.randrange(6)) % 7]
            style = rng.randrange(5)
            if style == 4:  # no year in the date: the sentence before gives it
                date = f"{wrong}, {day.day} {day:%B}"
                lead = f" In {day.year} the weather turned early. It was on "
            else:
                date = _date_text(day, wrong, style)
                lead = " That was on "
            edits[ci].append(_Edit(at, at, f"{lead}{date}.", (len(lead), len(lead) + len(date)),
                                   FindingType.TIMELINE_ERROR, "weekday"))  # fmt: skip
        elif kind == "control_date":
            date = _date_text(day, real, rng.randrange(4))
            edits[ci].append(_Edit(at, at, f" It was {date}.", (8, 8 + len(date)), FindingType.TIMELINE_ERROR,
                                   "correct weekday", control=True))  # fmt: skip
        elif kind == "control_next":
            date = f"{day.day} {day:%B} {day.year}"
            edits[ci].append(_Edit(at, at, f" The next day, {date}, passed quietly.", (15, 15 + len(date)),
                                   FindingType.TIMELINE_ERROR, "forward date", control=True))  # fmt: skip
        elif kind == "order":
            back = last - dt.timedelta(days=5 + rng.randrange(60))
            date = f"{back.day} {back:%B} {back.year}"
            cue = rng.choice(("The next day", "Later", "The following morning"))
            edits[ci].append(_Edit(at, at, f" {cue}, on {date}, nothing more was heard of it.",
                                   (len(cue) + 6, len(cue) + 6 + len(date)), FindingType.TIMELINE_ERROR,
                                   "date backwards"))  # fmt: skip
        elif kind == "birth":
            s = f" {person} was born in {born}."
            edits[ci].append(_Edit(at, at, s, None))
        elif kind == "age":
            year = day.year
            wrong = year - born + 6 + rng.randrange(10)
            claim = f"{person} was {wrong} years old"
            lead = len(f" In {year}, ")
            edits[ci].append(_Edit(at, at, f" In {year}, {claim}.", (lead, lead + len(claim)),
                                   FindingType.TIMELINE_ERROR, "age"))  # fmt: skip
            p2 = free_para(ci)
            if p2 is not None:
                at2 = _between_sentences(texts[ci], p2, rng)
                ok = f"{person} was {year - born} years old"
                edits[ci].append(_Edit(at2, at2, f" In {year}, {ok}.", (lead, lead + len(ok)),
                                       FindingType.TIMELINE_ERROR, "correct age", control=True))  # fmt: skip
    del book


def _narration_sentences(text: str, para: tuple[int, int]) -> list[tuple[int, int]]:
    return [(para[0] + m.start(), para[0] + m.end()) for m in _SENTENCE_RE.finditer(text[para[0] : para[1]])
            if not re.search(r"\b(?:Mr|Mrs|Dr|St|I|me|my)\b|[;:()]", m.group())]  # fmt: skip


def _seed_tense(rng, texts, edits, chapters, free_para) -> None:  # type: ignore[no-untyped-def]
    subject = re.compile(r"\b(he|she|they|He|She|They)(\s+)(" + "|".join(_PRESENT) + r")\b")
    for ci in [c for c in chapters for _again in range(3)]:
        for _try in range(25):
            p = free_para(ci)
            if p is None:
                break
            if re.search(r"\b(?:is|are|has|have|am)\b", texts[ci][p[0] : p[1]]):
                continue  # a paragraph already in the present (a letter, a comment): no slip to make
            options = []
            for s, e in _narration_sentences(texts[ci], p):
                sent = texts[ci][s:e]
                new = subject.sub(lambda m: m.group(1) + m.group(2) + _tense_present(m.group(1), m.group(3)), sent)
                main = re.match(
                    r"(?:He|She|They)\s+(?:\w+ly\s+)?(?:" + "|".join(_PRESENT.values()) + r"|are|have|do)\b", new
                )
                if main and not _PAST_LEFT_RE.search(new) and not _PAST_ANYWHERE_RE.search(new):
                    options.append((s, e, new))
            if options:
                s, e, new = rng.choice(options)
                edits[ci].append(_Edit(s, e, new, (0, len(new)), FindingType.TENSE_INCONSISTENCY, "present"))
                break


def _tense_present(subject: str, verb: str) -> str:
    present = _PRESENT[verb]
    if subject.lower() == "they":
        return {"is": "are", "has": "have", "does": "do"}.get(present, present.removesuffix("s"))
    return present


def _seed_pov(rng, texts, edits, chapters, free_para) -> None:  # type: ignore[no-untyped-def]
    slip = re.compile(r"\b(she|he|She|He)\s+(was|had|felt|thought|could|would|saw|knew)\b")
    for ci in chapters:
        for _try in range(12):
            p = free_para(ci)
            if p is None:
                break
            options = [(s, e) for s, e in _narration_sentences(texts[ci], p) if slip.search(texts[ci], s, e)]
            if options:
                s, e = rng.choice(options)
                sent = texts[ci][s:e]
                new = slip.sub(lambda m: "I " + m.group(2), sent, count=1)
                edits[ci].append(_Edit(s, e, new, (0, len(new)), FindingType.POV_INCONSISTENCY, "first person"))
                break


def _seed_typos(rng, texts, edits, chapters, free_para) -> None:  # type: ignore[no-untyped-def]
    """A lower-case word of seven letters or more with two inner letters swapped ("remebmer")."""
    for ci in chapters:
        p = free_para(ci)
        if p is None:
            continue
        words = [m for m in re.finditer(r"(?<![\w’'-])[a-z]{7,}(?![\w’'-])", texts[ci][p[0] : p[1]])]
        if not words:
            continue
        m = rng.choice(words)
        w = m.group()
        i = 2 + rng.randrange(len(w) - 4)
        if w[i] == w[i + 1]:
            continue
        typo = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
        s = p[0] + m.start()
        edits[ci].append(_Edit(s, s + len(w), typo, (0, len(typo)), FindingType.SPELLING, f"{w}→{typo}"))


def _seed_quotes(rng, texts, edits, used, paras, chapters) -> None:  # type: ignore[no-untyped-def]
    """A closing ” dropped from a paragraph of dialogue whose next paragraph does not open a quote."""
    for ci in chapters:
        options = []
        for k, (a, b) in enumerate(paras[ci][:-1]):
            body = texts[ci][a:b]
            nxt = texts[ci][paras[ci][k + 1][0]]
            if a in used[ci] or nxt in '“"' or body.count("“") != 1 or body.count("”") != 1 or '"' in body:
                continue
            options.append((a, a + body.index("“"), a + body.index("”")))
        if not options:
            continue
        a, open_at, close_at = rng.choice(options)
        used[ci].add(a)
        edits[ci].append(_Edit(close_at, close_at + 1, "", None))
        # the finding is at the opening quote, now never closed
        edits[ci].append(_Edit(open_at, open_at + 1, "“", (0, 1), FindingType.DIALOGUE_FORMATTING, "unclosed"))


@dataclass(frozen=True)
class Score:
    finding_type: FindingType
    seeds: int
    found: int  # seeds matched by a finding
    findings: int  # findings of this type in the seeded books
    true_findings: int  # findings that match a seed

    @property
    def precision(self) -> float:
        return self.true_findings / self.findings if self.findings else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.seeds if self.seeds else 1.0


def _hit(index: dict[uuid.UUID, int], f: Finding, s: Seed) -> bool:
    return index.get(f.chapter_id) == s.chapter_index and f.start < s.end and s.start < f.end  # type: ignore[arg-type]


def score(books: Iterable[tuple[SeededBook, list[Finding]]]) -> dict[FindingType, Score]:
    """Precision and recall per type: a finding is right when it overlaps a seed of its type."""
    totals: dict[FindingType, list[int]] = {t: [0, 0, 0, 0] for t in (*SCORED, *EXTRA)}
    for book, findings in books:
        index = {c.chapter_id: i for i, c in enumerate(book.chapters)}
        for t in totals:
            seeds = [s for s in book.seeds if s.finding_type is t]
            mine = [f for f in findings if f.finding_type is t]

            totals[t][0] += len(seeds)
            totals[t][1] += sum(1 for s in seeds if any(_hit(index, f, s) for f in mine))
            totals[t][2] += len(mine)
            totals[t][3] += sum(1 for f in mine if any(_hit(index, f, s) for s in seeds))
    return {t: Score(t, *v) for t, v in totals.items()}


def seeded_corpus(seed: int = 1, books: Iterable[str] = BOOKS) -> list[SeededBook]:
    return [seed_book(b, load_book(b), seed) for b in books if (CORPUS_DIR / b).exists()]


if __name__ == "__main__":  # pragma: no cover
    import sys

    from ghostline_desktop.core.qa.runner import run_checks

    corpus = seeded_corpus(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    scores = score((b, run_checks(b.chapters)) for b in corpus)
    for t, s in scores.items():
        print(f"{t.name:22} seeds {s.seeds:3}  found {s.found:3}  findings {s.findings:3}  "
              f"P {s.precision:.2f}  R {s.recall:.2f}")  # fmt: skip
