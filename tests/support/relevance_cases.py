"""Relevance cases over the shared corpus: a passage, a key-word query and a paraphrase.

Each case locates its passage by a distinctive sentence fragment (``locator``) in one of the
five books of ``shared/corpus``. Gutenberg texts are hard-wrapped and use curly quotes, so a
locator matches across line breaks and with either kind of apostrophe (see :func:`locate`).

- ``keywords``: what an author who remembers the words would type (words of the passage);
- ``paraphrase``: written by hand from what the passage is *about*, avoiding its distinctive
  words, as an author who remembers the scene but not the text would ask. These were not
  generated from the passage text and must not be "improved" by copying its words in.

Used by ``bench/bench_embed_quality.py`` (choosing the local embedder) and by relevance
tests of search: a chunk is a hit for a case when its ``[char_start, char_end)`` overlaps
the span :func:`locate` returns (the locator may sit in two chunks through their overlap).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parents[3] / "shared" / "corpus"


@dataclass(frozen=True)
class RelevanceCase:
    book: str  # file name in the corpus folder
    locator: str  # a distinctive fragment of the passage, occurring once in the book
    keywords: str
    paraphrase: str


CASES: tuple[RelevanceCase, ...] = (
    # Moby-Dick
    RelevanceCase(
        "melville-moby-dick.txt",
        "It was the whiteness of the whale that above all things appalled me",
        "whiteness of the whale appalled",
        "why the colour white is so frightening",
    ),
    RelevanceCase(
        "melville-moby-dick.txt",
        "whenever it is a damp, drizzly November in my soul",
        "damp drizzly November in my soul",
        "going to sea as a cure for gloom and dark moods",
    ),
    RelevanceCase(
        "melville-moby-dick.txt",
        "with a sober cannibal than a drunken Christian",
        "sober cannibal drunken Christian",
        "having to share a bed at an inn with a tattooed stranger",
    ),
    RelevanceCase(
        "melville-moby-dick.txt",
        "of the smallest strands in the mighty cable of the Scriptures",
        "Jonah sermon smallest strands cable of the Scriptures",
        "a preacher tells the story of the prophet swallowed by a great fish",
    ),
    RelevanceCase(
        "melville-moby-dick.txt",
        "me a white-headed whale with a wrinkled brow and a crooked jaw",
        "doubloon white-headed whale wrinkled brow crooked jaw",
        "the captain promises a gold coin to the first sailor who spots the beast",
    ),
    RelevanceCase(
        "melville-moby-dick.txt",
        "He tasks me; he heaps me",
        "pasteboard masks strike through the mask he tasks me",
        "the captain's furious speech about revenge on the creature that maimed him",
    ),
    RelevanceCase(
        "melville-moby-dick.txt",
        "classification of the constituents of a chaos",
        "classification of the constituents of a chaos cetology",
        "an attempt to sort the different kinds of sea giants into orderly groups",
    ),
    RelevanceCase(
        "melville-moby-dick.txt",
        "The sea had jeeringly kept his finite body",
        "sea jeeringly kept his finite body up drowned the infinite of his soul",
        "the young black boy who went mad after being abandoned alone in the ocean",
    ),
    RelevanceCase(
        "melville-moby-dick.txt",
        "regale themselves with an essence found in the inglorious bowels",
        "ambergris essence inglorious bowels sick whale",
        "a costly perfume ingredient that comes from the guts of a diseased animal",
    ),
    RelevanceCase(
        "melville-moby-dick.txt",
        "great shroud of the sea rolled on as it rolled five thousand years ago",
        "great shroud of the sea rolled on",
        "the ship goes down and the waves close over it as if nothing had happened",
    ),
    RelevanceCase(
        "melville-moby-dick.txt",
        "The burning ship drove on, as if remorselessly commissioned",
        "try-works burning ship Tartarean shapes",
        "boiling blubber in furnaces on deck at night makes the vessel look like hell",
    ),
    # Pride and Prejudice
    RelevanceCase(
        "austen-pride-and-prejudice.txt",
        "in possession of a good fortune must be in want of a wife",
        "truth universally acknowledged single man good fortune want of a wife",
        "everybody assumes that a rich bachelor is looking to get married",
    ),
    RelevanceCase(
        "austen-pride-and-prejudice.txt",
        "tolerable: but not handsome enough to tempt",
        "tolerable but not handsome enough to tempt me",
        "at a ball he refuses to dance with her, saying she is not pretty enough",
    ),
    RelevanceCase(
        "austen-pride-and-prejudice.txt",
        "In vain have I struggled. It will not do.",
        "in vain have I struggled my feelings will not be repressed",
        "he confesses his love against his own better judgement and she turns him down",
    ),
    RelevanceCase(
        "austen-pride-and-prejudice.txt",
        "singled you out as the companion of my future life",
        "singled you out as the companion of my future life",
        "a pompous clergyman proposes marriage and will not take no for an answer",
    ),
    RelevanceCase(
        "austen-pride-and-prejudice.txt",
        "I am going to Gretna Green",
        "Lydia letter going to Gretna Green",
        "the youngest sister runs off with a soldier and leaves a note",
    ),
    RelevanceCase(
        "austen-pride-and-prejudice.txt",
        "entitled to know all his dearest concerns",
        "Lady Catherine nearest relation entitled to know all his dearest concerns",
        "a haughty aunt demands a promise that the girl will never marry her nephew",
    ),
    RelevanceCase(
        "austen-pride-and-prejudice.txt",
        "to be mistress of Pemberley might be something",
        "mistress of Pemberley might be something",
        "seeing his beautiful country house makes her think about what she turned down",
    ),
    RelevanceCase(
        "austen-pride-and-prejudice.txt",
        "Be not alarmed, madam, on receiving this letter",
        "be not alarmed madam on receiving this letter",
        "the morning after being refused he hands her a written explanation of his conduct",
    ),
    RelevanceCase(
        "austen-pride-and-prejudice.txt",
        "From this day you must be a stranger to one of your parents",
        "unhappy alternative stranger to one of your parents",
        "her father jokes that whichever choice she makes, one parent will disown her",
    ),
    # The Adventures of Sherlock Holmes
    RelevanceCase(
        "doyle-adventures-of-sherlock-holmes.txt",
        "To Sherlock Holmes she is always",
        "Sherlock Holmes she is always the woman Irene Adler",
        "the one lady who outwitted the detective and won his lasting respect",
    ),
    RelevanceCase(
        "doyle-adventures-of-sherlock-holmes.txt",
        "You see, but you do not observe",
        "you see but you do not observe steps",
        "the detective explains to his friend the difference between looking and noticing",
    ),
    RelevanceCase(
        "doyle-adventures-of-sherlock-holmes.txt",
        "so simple as copying out the _Encyclopædia Britannica_",
        "red-headed league copying the Encyclopaedia Britannica",
        "a pawnbroker is paid to copy out a reference book every day for a strange society",
    ),
    RelevanceCase(
        "doyle-adventures-of-sherlock-holmes.txt",
        "It is a swamp adder",
        "swamp adder deadliest snake in India",
        "a venomous serpent is sent through an air vent to kill a young woman in her bed",
    ),
    RelevanceCase(
        "doyle-adventures-of-sherlock-holmes.txt",
        "a most remarkable bird it proved",
        "blue carbuncle goose crop",
        "a stolen precious stone turns up inside a Christmas bird",
    ),
    RelevanceCase(
        "doyle-adventures-of-sherlock-holmes.txt",
        "there jumped five little dried orange pips, which pattered",
        "five orange pips K. K. K. envelope",
        "a man receives seeds in the post as a death threat from a secret society",
    ),
    RelevanceCase(
        "doyle-adventures-of-sherlock-holmes.txt",
        "It had been hacked or torn right out from the roots",
        "hydraulic engineer thumb hacked off",
        "an engineer lost a finger escaping from a gang of coin forgers",
    ),
    RelevanceCase(
        "doyle-adventures-of-sherlock-holmes.txt",
        "He is a professional beggar, though in order to",
        "Neville St. Clair beggar Hugh Boone twisted lip",
        "a respectable family man secretly earns his money disguised as a street pauper",
    ),
    RelevanceCase(
        "doyle-adventures-of-sherlock-holmes.txt",
        "Or to cut your hair quite short before you come to us",
        "Copper Beeches governess cut your hair quite short",
        "a nanny is offered high wages on condition she crops her hair and wears a certain dress",
    ),
    # Frankenstein
    RelevanceCase(
        "shelley-frankenstein.txt",
        "It was on a dreary night of November that I beheld the accomplishment",
        "dreary night of November accomplishment of my toils",
        "the scientist brings his creation to life and is horrified by what he has made",
    ),
    RelevanceCase(
        "shelley-frankenstein.txt",
        "I found that these people possessed a method of communicating",
        "cottagers articulate sounds method of communicating",
        "the monster hides beside a poor family's home and learns to talk by watching them",
    ),
    RelevanceCase(
        "shelley-frankenstein.txt",
        "William is dead!",
        "William is dead murdered",
        "a letter brings news that the little brother has been strangled",
    ),
    RelevanceCase(
        "shelley-frankenstein.txt",
        "Justine also was a girl of merit",
        "Justine trial condemned",
        "an innocent servant is executed for a killing she did not commit",
    ),
    RelevanceCase(
        "shelley-frankenstein.txt",
        "creature of another sex, but as hideous as myself",
        "creature of another sex as hideous as myself",
        "the monster asks its maker to build it a female companion",
    ),
    RelevanceCase(
        "shelley-frankenstein.txt",
        "tore to pieces the thing on which I was engaged",
        "tore to pieces the thing on which I was engaged",
        "he destroys the half-finished second being in a fit of revulsion",
    ),
    RelevanceCase(
        "shelley-frankenstein.txt",
        "I go; but remember, I shall be with you on your",
        "I go; but remember, I shall be with you on your",
        "a threat to come back on the evening he gets married",
    ),
    RelevanceCase(
        "shelley-frankenstein.txt",
        "I am surrounded by mountains of ice which admit of no escape",
        "ship surrounded by mountains of ice",
        "an explorer's vessel is trapped in frozen polar seas",
    ),
    RelevanceCase(
        "shelley-frankenstein.txt",
        "they consisted of _Paradise Lost_, a volume",
        "Paradise Lost Plutarch Sorrows of Werter",
        "the creature finds a bag of books in the woods and reads about a fallen angel",
    ),
    # Alice's Adventures in Wonderland
    RelevanceCase(
        "carroll-alice-in-wonderland.txt",
        "Would the fall _never_ come to an end",
        "down down down would the fall never come to an end",
        "she tumbles for ages through a deep shaft wondering where she will land",
    ),
    RelevanceCase(
        "carroll-alice-in-wonderland.txt",
        "the words “DRINK ME,” beautifully printed",
        "bottle DRINK ME",
        "a little flask with a label telling her to swallow it makes her shrink",
    ),
    RelevanceCase(
        "carroll-alice-in-wonderland.txt",
        "quietly smoking a long hookah",
        "caterpillar smoking a long hookah mushroom",
        "an insect puffing a pipe on top of a toadstool questions her",
    ),
    RelevanceCase(
        "carroll-alice-in-wonderland.txt",
        "we’re all mad here",
        "Cheshire Cat we're all mad here",
        "a grinning feline tells her everybody around here is insane",
    ),
    RelevanceCase(
        "carroll-alice-in-wonderland.txt",
        "Why is a raven like a writing-desk",
        "why is a raven like a writing-desk",
        "a riddle asked at a tea party that nobody can answer",
    ),
    RelevanceCase(
        "carroll-alice-in-wonderland.txt",
        "the mallets live flamingoes",
        "croquet mallets live flamingoes hedgehogs",
        "a lawn game played with living birds as sticks and curled-up animals as balls",
    ),
    RelevanceCase(
        "carroll-alice-in-wonderland.txt",
        "Sentence first—verdict afterwards",
        "sentence first verdict afterwards",
        "a trial where the ruler wants the punishment decided before the jury has spoken",
    ),
    RelevanceCase(
        "carroll-alice-in-wonderland.txt",
        "Reeling and Writhing",
        "Mock Turtle Reeling and Writhing",
        "a melancholy creature describes the odd subjects he was taught at school under the sea",
    ),
)


def _pattern(locator: str) -> re.Pattern[str]:
    """The locator as a regex: any run of whitespace for a space, either apostrophe for one."""
    parts = []
    for word in locator.split():
        parts.append("".join("['’]" if ch in "'’" else re.escape(ch) for ch in word))
    return re.compile(r"\s+".join(parts))


@functools.cache
def book_text(book: str, corpus_dir: Path = CORPUS_DIR) -> str:
    return (corpus_dir / book).read_text(encoding="utf-8")


def locate(case: RelevanceCase, text: str) -> tuple[int, int]:
    """(start, end) of the case's locator in ``text``; ValueError unless it occurs exactly once."""
    matches = list(_pattern(case.locator).finditer(text))
    if len(matches) != 1:
        raise ValueError(f"{case.locator!r} occurs {len(matches)} times in {case.book}")
    return matches[0].span()


def passage_span(case: RelevanceCase, text: str) -> tuple[int, int]:
    """(start, end) of the whole paragraph (blank-line delimited) that holds the locator."""
    start, end = locate(case, text)
    before = text.rfind("\n\n", 0, start)
    after = text.find("\n\n", end)
    return (0 if before < 0 else before + 2), (len(text) if after < 0 else after)


def passage_text(case: RelevanceCase, corpus_dir: Path = CORPUS_DIR) -> str:
    """The paragraph of the book that holds the case's locator."""
    text = book_text(case.book, corpus_dir)
    start, end = passage_span(case, text)
    return text[start:end]


def is_hit(case: RelevanceCase, text: str, char_start: int, char_end: int) -> bool:
    """Whether a chunk at ``[char_start, char_end)`` of ``text`` (the whole book) holds the locator."""
    start, end = locate(case, text)
    return char_start < end and start < char_end


__all__ = ["CASES", "CORPUS_DIR", "RelevanceCase", "book_text", "is_hit", "locate", "passage_span", "passage_text"]
