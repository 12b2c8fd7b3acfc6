"""The package's contract: dispatch by material type, picklable results and errors (they
cross a process pool), the same answer for an empty file whatever its type, no NULs."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from ghostline_desktop.core.enums import MaterialType
from ghostline_desktop.ingest import Extraction, ExtractionError, PasswordRequired, Segment, extract
from ghostline_desktop.ingest.base import build_extraction

EXTRACTED = [m.name for m in MaterialType if m not in (MaterialType.AUDIO, MaterialType.VOICE_MEMO)]


@pytest.mark.parametrize(
    "error",
    [
        ExtractionError("is empty (0 bytes)", "empty"),
        ExtractionError("is a damaged PDF", "corrupt"),
        PasswordRequired("is protected by a password"),
        PasswordRequired("did not open with that password", "wrong_password"),
    ],
)
def test_errors_survive_pickling(error: ExtractionError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.code, copy.reason, str(copy)) == (error.code, error.reason, str(error))
    assert copy.for_file("book.pdf") == f"“book.pdf” {error.reason}."


def test_extraction_pickles_and_joins_like_the_chunker() -> None:
    extraction = Extraction(
        segments=(Segment("One", page=1), Segment("Two", page=2, section="S")), metadata={"pages": 2}
    )
    copy = pickle.loads(pickle.dumps(extraction))
    assert copy == extraction
    assert copy.text == "One\n\nTwo"


def test_segments_never_hold_nul_or_lone_surrogates() -> None:
    segment = Segment("a\x00b\ud800c", section="x\x00y")
    assert segment.text == "ab?c"
    assert segment.section == "xy"
    segment.text.encode("utf-8")


def test_blank_segments_are_dropped_and_nothing_left_is_no_text() -> None:
    assert build_extraction([Segment("  "), Segment("kept")], {}).segments == (Segment("kept"),)
    with pytest.raises(ExtractionError) as failed:
        build_extraction([Segment(" \n ")], {})
    assert failed.value.code == "no_text"


@pytest.mark.parametrize("kind", EXTRACTED)
def test_zero_byte_file_is_empty_for_every_type(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "zero"
    path.write_bytes(b"")
    with pytest.raises(ExtractionError) as failed:
        extract(str(path), kind)
    assert failed.value.code == "empty"


def test_audio_is_not_extracted_here(tmp_path: Path) -> None:
    path = tmp_path / "memo.mp3"
    path.write_bytes(b"ID3" + bytes(100))
    with pytest.raises(ExtractionError) as failed:
        extract(str(path), "VOICE_MEMO")
    assert failed.value.code == "needs_provider"


def test_unknown_type(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_text("x")
    with pytest.raises(ExtractionError) as failed:
        extract(str(path), "SPREADSHEET")
    assert failed.value.code == "unsupported"


def test_runs_in_a_spawned_process_pool(tmp_path: Path) -> None:
    """As the ingestion job runs it: results and errors come back across processes intact."""
    good = tmp_path / "notes.md"
    good.write_text("# Plan\n\nHarbour scene.", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        result = pool.submit(extract, str(good), "MARKDOWN").result(timeout=120)
        failure = pool.submit(extract, str(empty), "TEXT").exception(timeout=120)
    assert result.segments == (Segment("# Plan\n\nHarbour scene.", section="Plan"),)
    assert isinstance(failure, ExtractionError)
    assert failure.code == "empty"
    assert str(failure) == "The file is empty (0 bytes)."
