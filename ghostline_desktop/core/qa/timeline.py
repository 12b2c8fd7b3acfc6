"""TIMELINE_ERROR: explicit dates, weekdays and ages that contradict each other.

* A date with a weekday that is not that date's weekday ("Tuesday, 3 March 1812" was a
  Tuesday? ``datetime`` says; the weekday may also follow: "3 March 1812, a Monday"). A
  date without a year ("Monday, 3 March") takes the year the chapter last stated, if any.
* A stated age that does not fit stated years: "Anne was born in 1790" and "In 1812 Anne
  was thirty years old" (±1 year, birthdays), or two dated ages of one person that differ
  by more than the years between them, or (no years given) a person stated to be younger
  than an earlier chapter said ("when Anne was ten" is a memory and is not counted).
* A date out of order: a dated event the text places *after* the previous dated event
  ("the next day", "later", "afterwards") but whose date is earlier. Dates without such a
  cue may be flashbacks and are left alone.

:func:`extract_timeline` runs per chapter (cacheable); :func:`check_timeline` combines the
chapters in book order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ghostline_desktop.core.enums import FindingType, Severity
from ghostline_desktop.core.qa.model import ChapterText, Finding
from ghostline_desktop.core.qa.text import line_excerpt

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]  # fmt: skip
_WD = r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MON = r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December)"
_MON2 = _MON.replace("?P<mon>", "?P<mon2>")
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_DAY2 = _DAY.replace("?P<day>", "?P<day2>")
_YEAR = r"(?P<year>1[0-9]{3}|20[0-9]{2})"
_DATE_RE = re.compile(
    rf"(?:{_WD},?\s+(?:the\s+)?)?"
    rf"(?:{_DAY}(?:\s+of)?\s+{_MON}|{_MON2}\s+(?:the\s+)?{_DAY2})\b(?:,?\s+(?:in\s+the\s+year\s+)?{_YEAR}\b)?"
)
# "3 March 1812, a Monday", "… which was a Monday"
_TRAILING_WD_RE = re.compile(
    r",?\s+(?:which\s+was\s+|being\s+)?an?\s+(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_IN_YEAR_RE = re.compile(r"\b[Ii]n\s+(?:the\s+year\s+)?(1[0-9]{3}|20[0-9]{2})\b")
_CUE_RE = re.compile(
    r"\b(?:later|afterwards?|after\s+that|the\s+(?:next|following)\s+(?:day|morning|evening|week|month|year)"
    r"|the\s+day\s+after|next\s+(?:day|morning|week))\b",
    re.I,
)
_SMALL = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
_SMALL += " seventeen eighteen nineteen"
_NUM_WORDS = {w: i for i, w in enumerate(_SMALL.split())}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NUM = (
    r"(?P<num>\d{1,3}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|" + _SMALL.replace(" ", "|") + ")"
)
_NAME = r"(?P<name>[A-Z][a-z]+)"
_BIRTH_RE = re.compile(
    rf"\b{_NAME},?\s+(?:who\s+)?(?:was\s+|had\s+been\s+)?born\s+(?:on\s+[^.;]{{0,40}}?|in\s+)(?P<year>1[0-9]{{3}}|20[0-9]{{2}})\b"
)
_AGE_RE = re.compile(
    rf"\b{_NAME}\s+(?:was|is|turned|had\s+turned|would\s+be)\s+(?:then\s+|now\s+|just\s+)?{_NUM}(?:\s+years?\s+old|\s+years\s+of\s+age)"
    rf"|\b{_NAME.replace('name', 'name2')},\s+(?:then\s+|now\s+)?aged\s+{_NUM.replace('num', 'num2')}\b"
)
_NOT_PEOPLE = frozenset({"He", "She", "It", "They", "We", "You", "This", "That", "Who", "There", "Which", "One"})
_WHEN_BEFORE_RE = re.compile(r"\b(?:when|since|if|until|before|after|as)\s+$", re.I)


@dataclass(frozen=True)
class DateFact:
    start: int
    end: int
    date: dt.date
    stated_weekday: int | None
    forward_cue: bool  # the sentence says this comes after what went before
    year_inferred: bool = False  # "Monday, 3 March" in a chapter that gave the year before


@dataclass(frozen=True)
class BirthFact:
    name: str
    year: int
    start: int
    end: int


@dataclass(frozen=True)
class AgeFact:
    name: str
    age: int
    year: int | None  # the year the text says it is, when it says
    start: int
    end: int


@dataclass(frozen=True)
class TimelineData:
    dates: tuple[DateFact, ...] = ()
    births: tuple[BirthFact, ...] = ()
    ages: tuple[AgeFact, ...] = ()


def _number(word: str) -> int | None:
    word = word.lower()
    if word.isdigit():
        return int(word)
    if word in _NUM_WORDS:
        return _NUM_WORDS[word]
    parts = re.split(r"[- ]", word)
    if parts[0] in _TENS:
        return _TENS[parts[0]] + (_NUM_WORDS.get(parts[1], 0) if len(parts) > 1 else 0)
    return None


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    a = max(
        text.rfind(". ", 0, start), text.rfind("\n\n", 0, start), text.rfind("! ", 0, start), text.rfind("? ", 0, start)
    )
    stops = [i for i in (text.find(". ", end), text.find("\n\n", end)) if i >= 0]
    return a + 1, min(stops) if stops else len(text)


_MONTH_RE = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b")


def _date_matches(text: str) -> list[re.Match[str]]:
    """Full dates, found around month names: the date pattern, tried at every position of a
    novel, costs more than all the other timeline work together."""
    out: list[re.Match[str]] = []
    end = -1
    for mon in _MONTH_RE.finditer(text):
        if mon.start() < end:
            continue
        m = _DATE_RE.search(text, max(0, mon.start() - 30), min(len(text), mon.end() + 20))
        if m is not None and m.start() <= mon.start() < m.end() and m.start() >= end:
            out.append(m)
            end = m.end()
    return out


def _year_before(text: str, pos: int, dates: list[DateFact]) -> int | None:
    """The year the chapter last stated before ``pos`` (a full date or "in 1812")."""
    best, year = -1, None
    for d in dates:
        if d.start < pos and not d.year_inferred and d.start > best:
            best, year = d.start, d.date.year
    for m in _IN_YEAR_RE.finditer(text, 0, pos):
        if m.start() > best:
            best, year = m.start(), int(m.group(1))
    return year


def extract_timeline(text: str) -> TimelineData:
    """Dates, births and ages stated in one chapter, with their spans."""
    dates: list[DateFact] = []
    for m in _date_matches(text):
        day = int(m.group("day") or m.group("day2"))
        month = _MONTHS.index((m.group("mon") or m.group("mon2")).lower()) + 1
        end = m.end()
        wd = _WEEKDAYS.index(m.group("wd").lower()) if m.group("wd") else None
        if wd is None and (after := _TRAILING_WD_RE.match(text, end)) is not None:
            wd, end = _WEEKDAYS.index(after.group(1).lower()), after.end()
        year = int(m.group("year")) if m.group("year") else None
        inferred = year is None
        if year is None:
            if wd is None:
                continue  # "3 March" alone: nothing to check it against
            year = _year_before(text, m.start(), dates)
            if year is None:
                continue
        try:
            date = dt.date(year, month, day)
        except ValueError:
            continue
        s0, _s1 = _sentence_bounds(text, m.start(), end)
        cue = bool(_CUE_RE.search(text, s0, m.start()) or _CUE_RE.search(text, end, min(len(text), end + 12)))
        dates.append(DateFact(m.start(), end, date, wd, cue and not inferred, inferred))
    births = [BirthFact(m.group("name"), int(m.group("year")), m.start(), m.end()) for m in _BIRTH_RE.finditer(text)]
    ages: list[AgeFact] = []
    for m in _AGE_RE.finditer(text):
        name = m.group("name") or m.group("name2")
        age = _number(m.group("num") or m.group("num2"))
        if age is None or name in _NOT_PEOPLE or _WHEN_BEFORE_RE.search(text, max(0, m.start() - 8), m.start()):
            continue  # "when Anne was ten" is a memory, not a statement of her age now
        s0, s1 = _sentence_bounds(text, m.start(), m.end())
        years = [int(y.group(1)) for y in _IN_YEAR_RE.finditer(text, s0, s1)]
        years += [d.date.year for d in dates if s0 <= d.start < s1]
        ages.append(AgeFact(name, age, years[0] if years else None, m.start(), m.end()))
    return TimelineData(tuple(dates), tuple(births), tuple(ages))


def check_timeline(chapters: Iterable[tuple[ChapterText, TimelineData]]) -> list[Finding]:
    """Weekday, age and order contradictions across the book (chapters in book order)."""
    chapters = list(chapters)
    out: list[Finding] = []
    births: dict[str, BirthFact] = {}
    for _ch, data in chapters:
        for b in data.births:
            births.setdefault(b.name, b)
    previous: DateFact | None = None
    dated_ages: dict[str, AgeFact] = {}
    ages_seen: dict[str, AgeFact] = {}  # the oldest age stated so far: a person does not grow younger
    for ch, data in chapters:
        for d in data.dates:
            if d.stated_weekday is not None and d.stated_weekday != d.date.weekday():
                real = _WEEKDAYS[d.date.weekday()].capitalize()
                out.append(_finding(ch, d.start, d.end, "timeline.weekday", Severity.HIGH,
                    f"{d.date:%-d %B %Y} was a {real}",
                    f"The text calls {d.date:%-d %B %Y} a {_WEEKDAYS[d.stated_weekday].capitalize()}, "
                    f"but that date fell on a {real}.",
                    f"Change the weekday to {real} or correct the date."))  # fmt: skip
            if previous is not None and d.forward_cue and d.date < previous.date:
                out.append(_finding(ch, d.start, d.end, "timeline.order", Severity.HIGH,
                    "Date goes backwards",
                    f"This passage follows on from {previous.date:%-d %B %Y} (“later”, “the next day”), "
                    f"but is dated {d.date:%-d %B %Y}, earlier.",
                    "Check the date or the sequence of events."))  # fmt: skip
            previous = d
        for a in data.ages:
            birth = births.get(a.name)
            if birth is not None and a.year is not None and abs(a.year - birth.year - a.age) > 1:
                out.append(_finding(ch, a.start, a.end, "timeline.age", Severity.MEDIUM,
                    f"{a.name}'s age does not fit the years",
                    f"{a.name} was born in {birth.year}, so in {a.year} would be {a.year - birth.year}, not {a.age}.",
                    f"Make {a.name} {a.year - birth.year} or check the years."))  # fmt: skip
                continue
            before = dated_ages.get(a.name)
            if (
                before is not None
                and a.year is not None
                and before.year is not None
                and abs((a.age - before.age) - (a.year - before.year)) > 1
            ):
                out.append(_finding(ch, a.start, a.end, "timeline.age", Severity.MEDIUM,
                    f"{a.name}'s age does not fit the years",
                    f"{a.name} was {before.age} in {before.year}, so in {a.year} would be "
                    f"{before.age + a.year - before.year}, not {a.age}.",
                    "Check the age or the years."))  # fmt: skip
            if a.year is not None:
                dated_ages[a.name] = a
            oldest = ages_seen.get(a.name)
            if a.year is None and oldest is not None and oldest.year is None and a.age < oldest.age - 1:
                out.append(_finding(ch, a.start, a.end, "timeline.age", Severity.MEDIUM,
                    f"{a.name} is younger than before",
                    f"{a.name} was said to be {oldest.age} earlier in the book, and is {a.age} here.",
                    "Check the ages, or make clear this is a flashback."))  # fmt: skip
            if oldest is None or a.age > oldest.age:
                ages_seen[a.name] = a
    return out


def _finding(
    ch: ChapterText, start: int, end: int, rule: str, severity: Severity, title: str, why: str, fix: str
) -> Finding:
    return Finding(
        finding_type=FindingType.TIMELINE_ERROR,
        severity=severity,
        is_blocking=False,
        chapter_id=ch.chapter_id,
        start=start,
        end=end,
        excerpt=line_excerpt(ch.text, start, end),
        title=title,
        explanation=why,
        suggestion=fix,
        rule=rule,
        subject=" ".join(ch.text[start:end].lower().split()),
        revision_id=ch.revision_id,
    )
