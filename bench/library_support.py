"""Set-up shared by the library benches (ingest, search, gui_stall): one embedded PostgreSQL
with a migrated template, a fresh database per measurement, and the test corpus as files.

Why a template: every variant of a bench must start from an empty, migrated database (an
index comparison on a table that already holds another variant's rows measures nothing), and
cloning a template costs ~0.2 s where running the migrations costs several seconds.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from bench.common import CORPUS_DIR
from ghostline_desktop.db import migrate
from ghostline_desktop.db.embedded import EmbeddedServer, ServerInfo

MOBY_DICK = CORPUS_DIR / "melville-moby-dick.txt"
PDF_PAGES = 300
TEMPLATE_DB = "bench_template"


class BenchServer:
    """An embedded server in a temporary folder; databases cloned from one migrated template."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.server = EmbeddedServer(root / "data")
        self.server.start()
        info = self.server.info
        assert info is not None
        self.info: ServerInfo = info
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
        migrate.upgrade(self.info.url(TEMPLATE_DB))

    def admin(self, database: str = "postgres") -> psycopg.Connection[Any]:
        return psycopg.connect(
            f"host={self.info.socket_dir} port={self.info.port} user=postgres dbname={database}", autocommit=True
        )

    def create_database(self) -> str:
        """A fresh migrated database; returns its name (``url(name)`` for SQLAlchemy)."""
        name = f"b_{uuid.uuid4().hex[:12]}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"')
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def url(self, name: str) -> str:
        return self.info.url(name)

    def stop(self) -> None:
        self.server.stop(force=True)


@contextmanager
def bench_server(prefix: str) -> Iterator[BenchServer]:
    root = Path(tempfile.mkdtemp(prefix=f"ghostline-bench-{prefix}-"))
    server: BenchServer | None = None
    try:
        server = BenchServer(root)
        yield server
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


def moby_dick_text() -> str:
    if not MOBY_DICK.exists():
        raise FileNotFoundError(f"{MOBY_DICK} is missing: the library benches need the shared corpus")
    return MOBY_DICK.read_text(encoding="utf-8")


def moby_dick_pages(pages: int = PDF_PAGES) -> list[str]:
    """The whole book split into ``pages`` pages of equal word counts (~720 words, ~46 lines each)."""
    words = moby_dick_text().split()
    per = -(-len(words) // pages)
    return [" ".join(words[i * per : (i + 1) * per]) for i in range(pages)]


def write_moby_dick_pdf(path: Path, pages: int = PDF_PAGES) -> Path:
    """A real PDF with a text layer (tests/support/files.py writes it object by object)."""
    from tests.support.files import pdf_bytes

    path.write_bytes(pdf_bytes(moby_dick_pages(pages)))
    return path


def percentile(samples: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100), linear between closest ranks."""
    if not samples:
        return 0.0
    if len(samples) == 1:
        return float(samples[0])
    return float(statistics.quantiles(samples, n=100, method="inclusive")[min(98, max(0, round(q) - 1))])
