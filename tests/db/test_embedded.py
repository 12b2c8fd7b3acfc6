"""The embedded server's lifecycle: start/stop/restart, sharing between processes, and
recovery from processes killed with SIGKILL. Each test uses its own data dir."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest

from ghostline_desktop.db.embedded import EmbeddedServer, ServerInfo
from tests.db import support

pytestmark = pytest.mark.slow
server_dir = support.server_dir  # the fixture: embedded data dirs outside pytest's tmp tree

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import psycopg
    from ghostline_desktop.db.embedded import EmbeddedServer

    server = EmbeddedServer(Path(sys.argv[1]))
    server.start()
    info = server.info
    if len(sys.argv) > 2:
        with psycopg.connect(
            host=str(info.socket_dir), port=info.port, user="postgres", dbname="ghostline", autocommit=True
        ) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS notes (body text)")
            conn.execute("INSERT INTO notes VALUES (%s)", (sys.argv[2],))
    print("ready", info.pid, flush=True)
    sys.stdin.readline()  # wait for the test to say stop (or to be killed)
    print("stopped" if server.stop() else "left-running", flush=True)
    """
)


class Child:
    """A second GhostLine process holding the same data dir."""

    def __init__(self, data_dir: Path, note: str | None = None) -> None:
        args = [sys.executable, "-c", CHILD, str(data_dir)] + ([note] if note else [])
        self.stderr = data_dir.parent / f"child-{len(list(data_dir.parent.glob('child-*')))}.err"
        with self.stderr.open("w") as err:
            self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        assert line and line[0] == "ready", f"child failed to start the server:\n{self.stderr.read_text()}"
        self.postmaster_pid = int(line[1])

    def stop(self) -> str:
        out, _ = self.proc.communicate("stop\n", timeout=60)
        return out.strip()

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)


def _conn(info: ServerInfo) -> psycopg.Connection:
    return psycopg.connect(
        host=str(info.socket_dir), port=info.port, user="postgres", dbname="ghostline", autocommit=True
    )


def _notes(server: EmbeddedServer) -> list[str]:
    assert server.info is not None
    with _conn(server.info) as conn:
        return [r[0] for r in conn.execute("SELECT body FROM notes ORDER BY body")]


@pytest.fixture
def server(server_dir: Path) -> Iterator[EmbeddedServer]:
    srv = EmbeddedServer(server_dir / "data")
    yield srv
    srv.stop(force=True)


def _wait_gone(pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while psutil.pid_exists(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_start_stop_restart_keeps_data(server: EmbeddedServer) -> None:
    url = server.start()
    assert "ghostline" in url and server.running and server.handles() == [os.getpid()]
    assert server.info is not None
    with _conn(server.info) as conn:
        conn.execute("CREATE TABLE notes (body text)")
        conn.execute("INSERT INTO notes VALUES ('kept')")
    assert server.stop() is True
    assert not server.running and server.info is None and server.handles() == []
    assert server.stop() is False  # stopping twice is harmless

    server.start()
    assert server.running
    assert _notes(server) == ["kept"]


def test_two_processes_share_one_server(server: EmbeddedServer) -> None:
    child = Child(server.data_dir)
    try:
        server.start()
        assert server.info is not None
        assert server.info.pid == child.postmaster_pid  # joined, not a second server
        assert sorted(server.handles()) == sorted([os.getpid(), child.proc.pid])

        assert server.stop() is False  # the child still uses it
        assert server.running
        with _conn(child_info(server)) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        result = child.stop()
    assert result == "stopped"  # the last one out stops the server
    assert not server.running


def child_info(server: EmbeddedServer) -> ServerInfo:
    """The running server's address, read from postmaster.pid (this process let go of its handle)."""
    from ghostline_desktop.db.embedded import _read_postmaster

    info = _read_postmaster(server.pgdata)
    assert info is not None
    return info


def test_killed_client_does_not_keep_server_in_use(server: EmbeddedServer) -> None:
    child = Child(server.data_dir, note="from the child")
    child.kill9()
    assert server.running  # the server outlives a killed app…
    assert server.handles() == []  # …but the dead pid no longer counts as a user

    server.start()
    assert server.info is not None and server.info.pid == child.postmaster_pid
    assert _notes(server) == ["from the child"]
    assert server.stop() is True  # no live user left, so it really stops
    assert not server.running


def test_killed_postmaster_leaves_stale_pid_file(server: EmbeddedServer) -> None:
    server.start()
    assert server.info is not None
    with _conn(server.info) as conn:
        conn.execute("CREATE TABLE notes (body text)")
        conn.execute("INSERT INTO notes VALUES ('committed before the crash')")
    pid = server.info.pid
    children = [p.pid for p in psutil.Process(pid).children()]
    os.kill(pid, signal.SIGKILL)
    _wait_gone(pid)
    for child_pid in children:  # backends exit on postmaster death; shared memory is free after
        _wait_gone(child_pid)
    assert (server.pgdata / "postmaster.pid").exists()
    assert not server.running

    server.start()  # crash recovery replays the WAL
    assert server.running and server.info is not None and server.info.pid != pid
    assert _notes(server) == ["committed before the crash"]


def test_pid_file_naming_a_live_foreign_process_is_stale(server: EmbeddedServer) -> None:
    server.start()
    assert server.stop() is True
    # The machine rebooted and the old postmaster's pid now belongs to some other program.
    pid_file = server.pgdata / "postmaster.pid"
    lines = [str(os.getpid()), str(server.pgdata), "1700000000", "5432", "/nonexistent", "", "  1  2", "ready", ""]
    pid_file.write_text("\n".join(lines))
    assert not server.running

    server.start()
    assert server.running and server.info is not None
    assert server.info.pid != os.getpid()
    assert psutil.pid_exists(os.getpid())  # we were not harmed by the "stale" entry


def test_pid_file_left_by_a_crashed_standalone_backend_is_stale(server: EmbeddedServer) -> None:
    """initdb and single-user mode write the pid negated; one left behind must not block start-up."""
    server.start()
    assert server.stop() is True
    lines = [str(-os.getpid()), str(server.pgdata), "1700000000", "5432", "/nonexistent", "", "  1  2", "", ""]
    (server.pgdata / "postmaster.pid").write_text("\n".join(lines))
    assert not server.running

    server.start()
    assert server.running and server.info is not None and server.info.pid > 0
