import bisect
import itertools
import statistics
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ghostline_desktop.core.chunking import Chunk, chunk_segments
from ghostline_desktop.core.tokens import estimate_tokens


@dataclass(frozen=True)
class Seg:
    """Shaped like ingest.base.Segment, which core may not import."""

    text: str
    page: int | None = None
    section: str | None = None


def joined(segments: list[Seg]) -> str:
    return "\n\n".join(s.text for s in segments)


def segment_at(segments: list[Seg], offset: int) -> Seg:
    starts, pos = [], 0
    for s in segments:
        starts.append(pos)
        pos += len(s.text) + 2
    return segments[bisect.bisect_right(starts, offset) - 1]


def check_invariants(segments: list[Seg], chunks: list[Chunk], target: int) -> None:
    text = joined(segments)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    for c in chunks:
        assert text[c.char_start : c.char_end] == c.text
        assert c.text and not c.text[0].isspace() and not c.text[-1].isspace()
        assert c.token_count == estimate_tokens(c.text)
        assert c.token_count <= target * 1.05 + 3
        seg = segment_at(segments, c.char_start)
        assert (c.page, c.section) == (seg.page, seg.section)
        # never across a change of section
        assert {segment_at(segments, i).section for i in range(c.char_start, c.char_end, 97)} == {c.section}
    for a, b in itertools.pairwise(chunks):
        assert a.char_start < b.char_start and a.char_end < b.char_end  # reading order, always progressing
    covered = bytearray(len(text))
    for c in chunks:
        covered[c.char_start : c.char_end] = b"\x01" * (c.char_end - c.char_start)
    missing = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
    assert not missing, f"text not in any chunk at {missing[:5]}"


# ---- properties ------------------------------------------------------------------------------------------------------
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéß我ABC", min_size=1, max_size=12)
sentence = st.builds(
    lambda ws, end: " ".join(ws) + end, st.lists(words, min_size=1, max_size=30), st.sampled_from([".", "!", "?", ""])
)
paragraph = st.builds(
    lambda ss, sep: sep.join(ss), st.lists(sentence, min_size=1, max_size=8), st.sampled_from([" ", "\n", "  "])
)
segment_text = st.builds(
    lambda ps, sep: sep.join(ps), st.lists(paragraph, max_size=6), st.sampled_from(["\n\n", "\n \n", "\n\n\n"])
)
segments_strategy = st.lists(
    st.builds(Seg, segment_text, st.one_of(st.none(), st.integers(1, 3)), st.sampled_from([None, "One", "Two"])),
    max_size=6,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(segments_strategy, st.integers(8, 120), st.integers(0, 30))
def test_chunks_slice_cover_and_order(segments: list[Seg], target: int, overlap_pct: int) -> None:
    overlap = target * overlap_pct // 100
    chunks = chunk_segments(segments, target_tokens=target, overlap_tokens=overlap)
    check_invariants(segments, chunks, target)


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=400), st.integers(1, 40))
def test_any_text_at_all(text: str, target: int) -> None:
    segments = [Seg(text), Seg(text[::-1], section="x")]
    check_invariants(segments, chunk_segments(segments, target_tokens=target, overlap_tokens=target // 3), target)


# ---- behaviour -------------------------------------------------------------------------------------------------------
def test_empty_and_blank_input() -> None:
    assert chunk_segments([]) == []
    assert chunk_segments([Seg(""), Seg("  \n\n \t"), Seg("")]) == []


def test_short_text_is_one_chunk_with_offsets_past_empty_segments() -> None:
    segments = [Seg("", page=1), Seg("  Hello there. ", page=2)]
    (chunk,) = chunk_segments(segments)
    assert chunk.text == "Hello there."
    assert (chunk.char_start, chunk.char_end, chunk.page, chunk.index) == (4, 16, 2, 0)


def test_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError):
        chunk_segments([Seg("x")], target_tokens=0)
    with pytest.raises(ValueError):
        chunk_segments([Seg("x")], target_tokens=100, overlap_tokens=100)


def test_prefers_paragraph_then_sentence_ends() -> None:
    para = " ".join(f"Sentence number {i} is here." for i in range(40))  # ~270 tokens a paragraph
    chunks = chunk_segments([Seg("\n\n".join([para] * 6))], target_tokens=600, overlap_tokens=0)
    assert len(chunks) == 3
    assert all(c.text == f"{para}\n\n{para}" for c in chunks)  # two whole paragraphs each

    long_para = " ".join(f"Sentence number {i} is here." for i in range(400))
    chunks = chunk_segments([Seg(long_para)], target_tokens=200, overlap_tokens=0)
    assert len(chunks) > 5
    assert all(c.text.startswith("Sentence") and c.text.endswith("here.") for c in chunks)


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    text = "Mr. Darcy met Mrs. Bennet and J. R. Smith at St. Paul's. " * 30
    chunks = chunk_segments([Seg(text)], target_tokens=50, overlap_tokens=0)
    assert all(c.text.startswith("Mr. Darcy") and c.text.endswith("St. Paul's.") for c in chunks)


def test_one_enormous_paragraph_without_sentence_ends_is_split_between_words() -> None:
    text = " ".join(f"word{i % 97}" for i in range(60_000))
    chunks = chunk_segments([Seg(text)])
    check_invariants([Seg(text)], chunks, 1000)
    assert len(chunks) > 50
    for c in chunks:
        assert c.char_start == 0 or text[c.char_start - 1] == " "
        assert c.char_end == len(text) or text[c.char_end] == " "
    assert all(a.char_end > b.char_start for a, b in itertools.pairwise(chunks))  # word-level overlap


def test_a_word_longer_than_a_chunk_is_cut() -> None:
    text = "start " + "x" * 20_000 + " end"
    chunks = chunk_segments([Seg(text)], target_tokens=500, overlap_tokens=50)
    check_invariants([Seg(text)], chunks, 500)
    assert len(chunks) >= 10


def test_overlap_repeats_whole_trailing_sentences() -> None:
    text = " ".join(f"This is sentence {i} of the story." for i in range(500))
    chunks = chunk_segments([Seg(text)], target_tokens=200, overlap_tokens=40)
    for a, b in itertools.pairwise(chunks):
        shared = a.text[b.char_start - a.char_start :]
        assert b.text.startswith(shared) and shared.startswith("This is sentence")
        assert 0 < estimate_tokens(shared) <= 80


def test_page_is_where_the_chunk_starts_and_overlap_stays_on_that_page() -> None:
    pages = [Seg(" ".join(f"Page {p} line {i} ends here." for i in range(60)), page=p) for p in range(1, 11)]
    text = joined(pages)
    chunks = chunk_segments(pages, target_tokens=300, overlap_tokens=60)
    check_invariants(pages, chunks, 300)
    assert chunks[0].page == 1 and chunks[-1].page == 10
    for a, b in itertools.pairwise(chunks):
        first_new = a.char_end
        while text[first_new].isspace():
            first_new += 1
        assert b.page == segment_at(pages, first_new).page


def test_a_new_section_starts_a_new_chunk() -> None:
    segments = [
        Seg("Chapter one is short.", section="One"),
        Seg("It has two paragraphs.", section="One"),
        Seg("Chapter two begins.", section="Two"),
    ]
    chunks = chunk_segments(segments)
    assert [(c.text, c.section) for c in chunks] == [
        ("Chapter one is short.\n\nIt has two paragraphs.", "One"),
        ("Chapter two begins.", "Two"),
    ]


def test_moby_dick(corpus_dir: Path) -> None:
    book = [Seg((corpus_dir / "melville-moby-dick.txt").read_text(encoding="utf-8"))]
    chunks = chunk_segments(book)
    check_invariants(book, chunks, 1000)
    sizes = [c.token_count for c in chunks]
    assert 300 < len(chunks) < 450
    assert statistics.median(sizes) > 850
    # Chunks end where sentences end (closing quotes included), almost always.
    ends = sum(c.text.rstrip("\"'”’)_").endswith((".", "!", "?", ":", ";")) for c in chunks)
    assert ends / len(chunks) > 0.9
    overlapping = sum(a.char_end > b.char_start for a, b in itertools.pairwise(chunks))
    assert overlapping / (len(chunks) - 1) > 0.95
