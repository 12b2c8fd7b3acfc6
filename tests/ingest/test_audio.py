"""Audio for transcription: duration, and splitting long recordings under the endpoint's limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from ghostline_desktop.ingest import ExtractionError, audio_duration, split_audio
from tests.ingest.makers import sine_wav


def test_duration_of_a_wav(tmp_path: Path) -> None:
    assert audio_duration(sine_wav(tmp_path / "memo.wav", 3.0)) == pytest.approx(3.0, abs=0.05)


def test_small_file_in_an_accepted_format_is_sent_as_is(tmp_path: Path) -> None:
    wav = sine_wav(tmp_path / "memo.wav", 1.0)
    assert split_audio(str(wav), str(tmp_path / "out")) == [str(wav)]


def test_long_recording_is_split_into_pieces_under_the_limit(tmp_path: Path) -> None:
    wav = sine_wav(tmp_path / "interview.wav", 40.0)
    limit = 64 * 1024  # 64 KB: about 16 s of 32 kbit/s MP3 per piece
    pieces = split_audio(str(wav), str(tmp_path / "out"), max_bytes=limit)
    assert len(pieces) == 3
    for piece in pieces:
        assert Path(piece).suffix == ".mp3"
        assert 0 < Path(piece).stat().st_size < limit
    assert sum(audio_duration(piece) for piece in pieces) == pytest.approx(40.0, abs=0.5)
    import av

    with av.open(pieces[0]) as container:
        stream = container.streams.audio[0]
        assert (stream.sample_rate, stream.channels) == (16_000, 1)


@pytest.mark.parametrize("data", [b"ID3\x04\x00" + bytes(range(256)) * 8, b"\x00\x01garbage" * 300])
def test_corrupt_audio(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "memo.mp3"
    path.write_bytes(data)
    with pytest.raises(ExtractionError) as failed:
        split_audio(str(path), str(tmp_path / "out"), max_bytes=100)
    assert failed.value.code == "corrupt"
    with pytest.raises(ExtractionError):
        audio_duration(path)


def test_zero_byte_recording(tmp_path: Path) -> None:
    path = tmp_path / "memo.m4a"
    path.write_bytes(b"")
    with pytest.raises(ExtractionError) as failed:
        split_audio(str(path), str(tmp_path / "out"))
    assert failed.value.code == "empty"
