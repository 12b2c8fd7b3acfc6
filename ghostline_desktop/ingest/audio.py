"""Audio for transcription: measure it, and split long recordings into pieces the provider's
``/audio/transcriptions`` endpoint accepts (25 MB there; 24 MB by default here for headroom).

PyAV bundles its own FFmpeg, so this works without any system program. Pieces are re-encoded
as mono 16 kHz MP3 at 32 kbit/s: speech recognisers resample to 16 kHz mono anyway, and at that
rate one 24 MB piece holds about 100 minutes.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ghostline_desktop.ingest.base import ExtractionError
from ghostline_desktop.ingest.files import file_size

SAMPLE_RATE = 16_000
BIT_RATE = 32_000
# Container formats (FFmpeg demuxer names) the transcription endpoint takes as they are.
_ACCEPTED = frozenset({"mp3", "wav", "ogg", "flac", "mov", "mp4", "m4a", "webm", "matroska"})
# Room for the MP3 frame padding and tags, so a piece never lands just over the limit.
_HEADROOM = 0.9


def _open(path: str | Path) -> Any:
    import av

    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise ExtractionError(f"is not a readable audio file ({_detail(exc)})", "corrupt") from exc
    if not container.streams.audio:
        container.close()
        raise ExtractionError("has no sound in it (no audio track)", "corrupt")
    return container


def audio_duration(path: str | Path) -> float:
    """Length in seconds, from the container's header when it has one, else by decoding."""
    import av

    file_size(path)
    container = _open(path)
    try:
        if container.duration:
            return float(container.duration / av.time_base)
        stream = container.streams.audio[0]
        if stream.duration and stream.time_base:
            return float(stream.duration * stream.time_base)
        total = 0.0
        for frame in container.decode(stream):
            total += frame.samples / (frame.sample_rate or SAMPLE_RATE)
        return total
    except av.FFmpegError as exc:
        raise ExtractionError(f"is a damaged audio file ({_detail(exc)})", "corrupt") from exc
    finally:
        container.close()


def split_audio(path: str, out_dir: str, max_bytes: int = 24 * 1024 * 1024) -> list[str]:
    """Paths of pieces each under ``max_bytes``, in order. A file already small enough, in a
    format the endpoint takes, is returned as it is (``[path]``) without re-encoding."""
    import av

    size = file_size(path)
    container = _open(path)
    try:
        demuxers = set(container.format.name.split(","))
        if size <= max_bytes and demuxers & _ACCEPTED:
            return [str(path)]
        piece_seconds = max(1.0, max_bytes * _HEADROOM * 8 / BIT_RATE)
        target = Path(out_dir)
        target.mkdir(parents=True, exist_ok=True)
        return _encode_pieces(container, target, Path(path).stem or "audio", piece_seconds)
    except av.FFmpegError as exc:
        raise ExtractionError(f"is a damaged audio file ({_detail(exc)})", "corrupt") from exc
    finally:
        container.close()


class _Piece:
    """One output MP3 being written."""

    def __init__(self, path: Path) -> None:
        import av

        self.path = path
        self.container: Any = av.open(str(path), "w", format="mp3")
        self.stream: Any = self.container.add_stream("libmp3lame", rate=SAMPLE_RATE, layout="mono")
        self.stream.bit_rate = BIT_RATE
        self.seconds = 0.0

    def write(self, frame: Any) -> None:
        for packet in self.stream.encode(frame):
            self.container.mux(packet)
        self.seconds += frame.samples / SAMPLE_RATE

    def close(self) -> None:
        for packet in self.stream.encode(None):
            self.container.mux(packet)
        self.container.close()


def _encode_pieces(container: Any, out_dir: Path, stem: str, piece_seconds: float) -> list[str]:
    import av

    resampler = av.AudioResampler(format="s16p", layout="mono", rate=SAMPLE_RATE)
    paths: list[str] = []
    piece: _Piece | None = None

    def emit(frames: list[Any]) -> None:
        nonlocal piece
        for out in frames:
            if piece is not None and piece.seconds >= piece_seconds:
                piece.close()
                piece = None
            if piece is None:
                piece = _Piece(out_dir / f"{stem}-part{len(paths) + 1:03d}.mp3")
                paths.append(str(piece.path))
            out.pts = None  # each piece starts its own timeline
            piece.write(out)

    stream = container.streams.audio[0]
    for frame in container.decode(stream):
        frame.pts = None
        emit(resampler.resample(frame))
    emit(resampler.resample(None))
    if piece is None:
        raise ExtractionError("holds no sound that could be decoded", "corrupt")
    piece.close()
    return paths


def pieces_needed(duration_seconds: float, max_bytes: int = 24 * 1024 * 1024) -> int:
    """How many pieces ``split_audio`` will make of a recording this long (for progress)."""
    return max(1, math.ceil(duration_seconds / max(1.0, max_bytes * _HEADROOM * 8 / BIT_RATE)))


def _detail(exc: BaseException) -> str:
    return (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).strip().rstrip(".")
