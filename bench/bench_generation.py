"""A chapter draft streaming into the editor, as in the app: how soon a token is on screen, and
the worst GUI stall while 2,000 tokens stream in.

Set-up: the OpenAI test server (``tests/support/openai_server.py``, a real HTTP server in this
process) with a fixed 50 ms time to first token and 2,000 tokens at 200 tokens/s (~10 s); the
real main window offscreen, attached to the services on a ``ServiceLoop`` through ``ui.ops``,
chapter 1 of a small project open; Generate ▸ Draft Chapter's path (``GenerationController.
start_draft``): the agent streams through the unchanged openai client, the job emits each
delta, the controller's op feeds the editor's stream buffer, a 40 ms GUI timer appends batches.

* ``token_to_visible_*``: from a delta reaching the GUI side (stamped when the service thread
  hands it over) to the first paint of the editor's viewport after it was inserted — i.e. on
  screen. Median and worst over every token of the run.
* ``worst_gui_stall_streaming_ms``: ``LagProbe`` (a 10 ms precise timer on the GUI thread)
  during the stream, from the first token to the revision loaded.
Peer: the same window left idle for as long, probed the same way (this shared machine's noise).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Metric
from bench.library_support import bench_server, percentile

TOKENS = 2_000
TOKENS_PER_S = 200.0
TTFT_S = 0.05
LATENCY_TARGET_MS = 100.0
STALL_TARGET_MS = 50.0
PEER = "idle window"


def _spin(until: Any, timeout_s: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s

    def check() -> None:
        if until() or time.monotonic() > deadline:
            loop.quit()

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    if not until():
        raise TimeoutError(f"gave up after {timeout_s:.0f} s")


class PaintClock:
    """Stamps the first paint of the editor's viewport after each inserted batch."""

    def __init__(self, stream: Any, viewport: Any) -> None:
        from PySide6.QtCore import QEvent, QObject

        self.visible: list[float] = []  # per token: arrival → painted (seconds)
        self._pending: list[float] = []
        original = stream.flush

        def flush() -> None:
            before = len(stream.latencies)
            original()
            if len(stream.latencies) > before:
                self._pending.extend(stream.last_batch)

        stream.flush = flush
        clock = self

        class Filter(QObject):
            def eventFilter(self, watched: Any, event: Any) -> bool:
                if event.type() == QEvent.Type.Paint and clock._pending:
                    now = time.perf_counter()
                    clock.visible.extend(now - t for t in clock._pending)
                    clock._pending = []
                return False

        self._filter = Filter()
        viewport.installEventFilter(self._filter)


def _measure(url: str, root: Path) -> tuple[list[float], Any, Any, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ghostline_desktop.ai.embedders import ProviderEmbedder
    from ghostline_desktop.ai.provider import Provider
    from ghostline_desktop.app import route_qt_messages
    from ghostline_desktop.config import Settings
    from ghostline_desktop.db.database import Database
    from ghostline_desktop.runtime.loop import ServiceLoop
    from ghostline_desktop.services.container import Services
    from ghostline_desktop.storage.local import LocalStore
    from ghostline_desktop.ui import ops
    from ghostline_desktop.ui.lag_probe import LagProbe
    from ghostline_desktop.ui.main_window import MainWindow
    from tests.services.generation_support import NOTES, OUTLINE, provider_config
    from tests.support.openai_server import OpenAITestServer, make_text

    _app = QApplication.instance() or QApplication([])
    route_qt_messages()
    loop = ServiceLoop("bench-services").start()
    ops.install(loop)
    errors: list[str] = []
    ops.show_error = lambda _p, title, message: errors.append(f"{title}: {message}")  # type: ignore[assignment]
    server = OpenAITestServer().start()
    provider = Provider(provider_config(server, timeout=30.0))
    embedder = ProviderEmbedder(provider, model="test-embed")
    embedder.dimensions = server.embedding_dim
    services = Services.build(Database(url), LocalStore(root / "store"), embedder=embedder, provider=provider)
    settings = Settings(data_dir=root / "data", config_dir=root / "config", theme="light")
    win = MainWindow(settings, persist_layout=False)
    try:
        user = loop.run(services.accounts.ensure_local_user(), 60)
        project = loop.run(services.projects.create(user.id, "Bench draft"), 60)

        async def setup() -> None:
            for title, text in NOTES.items():
                await services.sources.add_note(project.id, title, text)
            while active := services.runner.jobs(project.id):
                for job in active:
                    await services.jobs.wait(job.id, 120)
            outline = await services.outline.save(project.id, OUTLINE, title="Bench draft")
            await services.outline.approve(outline.id)

        loop.run(setup(), 180)
        win.resize(1400, 900)
        win.show()
        win.attach(services, user)
        _spin(lambda: ops.pending_count() == 0, 60)
        win.open_project(project.id)
        _spin(lambda: len(win.editor.chapters) == 3 and ops.pending_count() == 0, 60)
        gen, ed = win.generation, win.editor
        clock = PaintClock(gen.stream, ed.text.viewport())

        def draft(tokens: int) -> None:
            server.reset()
            server.time_to_first_token = TTFT_S
            server.tokens_per_second = TOKENS_PER_S
            server.queue_reply(make_text(tokens))
            gen.start_draft(1)
            _spin(lambda: gen.stream.active, 60)
            _spin(lambda: not gen.stream.active and ops.pending_count() == 0 and not ed.text.isReadOnly(), 120)

        draft(50)  # warm-up: imports, the first request, the chapter opened
        clock.visible.clear()
        probe = LagProbe()
        t0 = time.perf_counter()
        server.reset()
        server.time_to_first_token = TTFT_S
        server.tokens_per_second = TOKENS_PER_S
        server.queue_reply(make_text(TOKENS))
        gen.start_draft(1)
        _spin(lambda: gen.stream.active and bool(gen.stream.latencies), 60)
        probe.start()
        _spin(lambda: not gen.stream.active and ops.pending_count() == 0 and not ed.text.isReadOnly(), 120)
        probe.stop()
        elapsed = time.perf_counter() - t0
        if errors or len(clock.visible) != TOKENS:
            raise RuntimeError(f"the draft did not stream as expected: {errors} {len(clock.visible)} tokens seen")
        idle = LagProbe().start()
        end = time.monotonic() + min(elapsed, 12.0)
        _spin(lambda: time.monotonic() >= end, 60)
        idle.stop()
        return clock.visible, probe, idle, elapsed
    finally:
        win.close()
        win.deleteLater()
        ops.registry().cancel_all()
        ops.uninstall()
        loop.run(services.close(), 30)
        loop.stop()
        server.stop()


def run() -> list[Metric]:
    with tempfile.TemporaryDirectory(prefix="ghostline-bench-gen-") as tmp, bench_server("gen") as pg:
        visible, probe, idle, elapsed = _measure(pg.url(pg.create_database()), Path(tmp))
    ms = [v * 1000.0 for v in visible]
    print(
        f"  {TOKENS} tokens in {elapsed:.1f} s; token → visible median {statistics.median(ms):.1f} ms, "
        f"p99 {percentile(ms, 99):.1f} ms, worst {max(ms):.1f} ms; GUI stall worst {probe.worst_ms:.1f} ms, "
        f"p99 {percentile(probe.samples, 99):.1f} ms; idle window worst {idle.worst_ms:.1f} ms"
    )
    return [
        Metric("token_to_visible_median_ms", statistics.median(ms), target=LATENCY_TARGET_MS),
        Metric("token_to_visible_worst_ms", max(ms), target=LATENCY_TARGET_MS),
        Metric(
            "worst_gui_stall_streaming_ms",
            probe.worst_ms,
            target=STALL_TARGET_MS,
            peer_name=PEER,
            peer_value=idle.worst_ms,
        ),
    ]
