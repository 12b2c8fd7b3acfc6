"""``ghostline …``: headless commands over the same services the desktop app uses.

Every command prints a short human summary, or with ``--json`` one JSON document
(including the ids it created) so scripts can chain commands. Failures exit non-zero
with a single line on stderr: a typed ``GhostlineError`` shows its message, anything
unexpected shows one line and leaves the traceback in the log file.

The embedded server is always released before the process exits, whatever happened,
so a CLI run never leaves a PostgreSQL running that nobody uses.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import json
import logging
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ghostline_desktop.config import Settings, default_data_dir, load_settings
from ghostline_desktop.errors import GhostlineError, ValidationError

if TYPE_CHECKING:  # imported lazily at run time: `ghostline --help` should not load SQLAlchemy
    from ghostline_desktop.db.bootstrap import PreparedDatabase
    from ghostline_desktop.services.container import Services
    from ghostline_desktop.services.dto import ProjectSummary, UserInfo

log = logging.getLogger("ghostline_desktop.cli")

LOG_FILE = "ghostline-cli.log"
EXIT_ERROR = 1  # a GhostlineError: the message says what to do
EXIT_UNEXPECTED = 3  # a bug: the log file has the traceback (argparse uses 2 for usage errors)


@dataclass
class Outcome:
    """What a command produced: a JSON-able payload and the line(s) a person reads."""

    data: Any
    text: str = ""
    lines: list[str] = field(default_factory=list)
    exit_code: int = 0  # non-zero when the command ran but something in it failed (an import)

    def render(self) -> str:
        return "\n".join([self.text, *self.lines]) if self.lines else self.text


# -- plumbing ---------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, uuid.UUID | Path):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _parse_uuid(value: str, what: str = "project") -> uuid.UUID:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise ValidationError(
            f"'{value}' is not a {what} id (ids look like 1b4e28ba-2fa1-11d2-883f-0016d3cca427)."
        ) from None


def _parse_size(value: str) -> tuple[int, int]:
    try:
        w, h = (int(part) for part in value.lower().split("x"))
    except ValueError:
        raise ValidationError(f"'{value}' is not a size; use WIDTHxHEIGHT, e.g. 1400x900.") from None
    if w <= 0 or h <= 0:
        raise ValidationError(f"'{value}' is not a size; both sides must be positive.")
    return w, h


@contextlib.contextmanager
def _prepared(settings: Settings, *, run_migrations: bool) -> Iterator[PreparedDatabase]:
    """Start (or reach) the database and always let go of the embedded server afterwards."""
    from ghostline_desktop.db.bootstrap import prepare_database

    prepared = prepare_database(settings, run_migrations=run_migrations)
    try:
        yield prepared
    finally:
        prepared.release()


def _with_services(settings: Settings, action: Callable[[Services, UserInfo], Awaitable[Outcome]]) -> Outcome:
    """Run ``action(services, local_user)`` on a service loop over a migrated database.

    The ServiceLoop (a SelectorEventLoop on every platform) rather than asyncio.run, so the
    CLI takes exactly the path the app takes, Windows included.
    """
    from ghostline_desktop.db.database import Database
    from ghostline_desktop.runtime.loop import ServiceLoop
    from ghostline_desktop.services.container import Services
    from ghostline_desktop.storage.local import LocalStore

    with _prepared(settings, run_migrations=True) as prepared:
        loop = ServiceLoop("ghostline-cli").start()
        try:

            async def go() -> Outcome:
                services = Services.for_settings(settings, Database(prepared.url), LocalStore(settings.storage_dir))
                try:
                    user = await services.accounts.ensure_local_user()
                    return await action(services, user)
                finally:
                    await services.close()

            return loop.run(go())
        finally:
            loop.stop()


def _project_line(p: ProjectSummary) -> str:
    extra = f", edition {p.edition} of '{p.forked_from_title}'" if p.forked_from_project_id else ""
    archived = " [archived]" if p.archived else ""
    return f"{p.id}  {p.title} ({p.genre.lower()}, {p.word_count} words{extra}){archived}"


# -- db commands ------------------------------------------------------------------------------


def _status_data(prepared: PreparedDatabase) -> dict[str, Any]:
    from ghostline_desktop.db import migrate

    st = migrate.status(prepared.url)
    return {
        "database": _safe_url(prepared.url),
        "embedded": prepared.embedded is not None,
        "current": st.current,
        "head": st.head,
        "pending": list(st.pending),
        "up_to_date": st.up_to_date,
    }


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_db_status(settings: Settings, args: argparse.Namespace) -> Outcome:
    with _prepared(settings, run_migrations=False) as prepared:
        data = _status_data(prepared)
    state = "up to date" if data["up_to_date"] else f"{len(data['pending'])} migration(s) pending"
    return Outcome(data, f"Schema at {data['current'] or 'base (empty)'}, head {data['head']}: {state}.")


def _migration_command(fn: Callable[[], None]) -> None:
    from alembic.util.exc import CommandError

    try:
        fn()
    except CommandError as exc:
        raise ValidationError(f"Alembic refused: {exc}") from exc


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.db import migrate

    with _prepared(settings, run_migrations=False) as prepared:
        before = migrate.status(prepared.url)
        _migration_command(lambda: migrate.upgrade(prepared.url, args.revision))
        data = _status_data(prepared)
    data["previous"] = before.current
    data["applied"] = list(before.pending) if args.revision == "head" else []
    return Outcome(data, f"Schema upgraded from {before.current or 'base'} to {data['current']}.")


def cmd_db_downgrade(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.db import migrate

    with _prepared(settings, run_migrations=False) as prepared:
        before = migrate.status(prepared.url)
        _migration_command(lambda: migrate.downgrade(prepared.url, args.revision))
        data = _status_data(prepared)
    data["previous"] = before.current
    return Outcome(data, f"Schema downgraded from {before.current or 'base'} to {data['current'] or 'base (empty)'}.")


# -- project commands -------------------------------------------------------------------------


def cmd_project_create(settings: Settings, args: argparse.Namespace) -> Outcome:
    async def action(services: Services, user: UserInfo) -> Outcome:
        p = await services.projects.create(user.id, args.title, genre=args.genre, target_word_count=args.target_words)
        return Outcome(_jsonable(p), f"Created project {p.id}: {p.title}")

    return _with_services(settings, action)


def cmd_project_list(settings: Settings, args: argparse.Namespace) -> Outcome:
    async def action(services: Services, user: UserInfo) -> Outcome:
        projects = await services.projects.list_projects(user.id, include_archived=args.all)
        text = f"{len(projects)} project(s)" + (":" if projects else ".")
        return Outcome(_jsonable(projects), text, [_project_line(p) for p in projects])

    return _with_services(settings, action)


def cmd_project_fork(settings: Settings, args: argparse.Namespace) -> Outcome:
    project_id = _parse_uuid(args.id)

    async def action(services: Services, user: UserInfo) -> Outcome:
        p = await services.projects.fork(project_id, args.title)
        return Outcome(_jsonable(p), f"Forked {project_id} as edition {p.edition}: {p.id} {p.title}")

    return _with_services(settings, action)


def cmd_project_rename(settings: Settings, args: argparse.Namespace) -> Outcome:
    project_id = _parse_uuid(args.id)

    async def action(services: Services, user: UserInfo) -> Outcome:
        p = await services.projects.rename(project_id, args.title)
        return Outcome(_jsonable(p), f"Renamed {p.id} to {p.title}")

    return _with_services(settings, action)


def cmd_project_archive(settings: Settings, args: argparse.Namespace) -> Outcome:
    project_id = _parse_uuid(args.id)

    async def action(services: Services, user: UserInfo) -> Outcome:
        p = await services.projects.archive(project_id)
        return Outcome(_jsonable(p), f"Archived {p.id}: {p.title}")

    return _with_services(settings, action)


def cmd_project_restore(settings: Settings, args: argparse.Namespace) -> Outcome:
    project_id = _parse_uuid(args.id)

    async def action(services: Services, user: UserInfo) -> Outcome:
        p = await services.projects.restore(project_id)
        return Outcome(_jsonable(p), f"Restored {p.id}: {p.title}")

    return _with_services(settings, action)


def cmd_project_delete(settings: Settings, args: argparse.Namespace) -> Outcome:
    project_id = _parse_uuid(args.id)

    async def action(services: Services, user: UserInfo) -> Outcome:
        p = await services.projects.get(project_id)
        await services.projects.delete(project_id)
        return Outcome({"id": str(project_id), "title": p.title, "deleted": True}, f"Deleted {project_id}: {p.title}")

    return _with_services(settings, action)


# -- demo and screenshot ----------------------------------------------------------------------


def cmd_demo(settings: Settings, args: argparse.Namespace) -> Outcome:
    async def action(services: Services, user: UserInfo) -> Outcome:
        p = await services.demo.create_demo_project(user.id)
        return Outcome(_jsonable(p), f"Created demo project {p.id}: {p.title}")

    return _with_services(settings, action)


def cmd_screenshot(settings: Settings, args: argparse.Namespace) -> Outcome:
    project_id = _parse_uuid(args.project) if args.project else None
    size = _parse_size(args.size)
    try:
        # By module name: the UI package is optional for a headless install.
        render_screenshot = importlib.import_module("ghostline_desktop.ui.screenshot").render_screenshot
    except (ImportError, AttributeError) as exc:
        raise GhostlineError(f"Screenshots are not available in this build ({exc}).") from exc
    out = render_screenshot(Path(args.out), project_id=project_id, size=size, theme=args.theme)
    data = {"path": str(out), "project_id": str(project_id) if project_id else None, "size": list(size)}
    return Outcome(data, f"Wrote {out}")


# -- parser and entry point -------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    # SUPPRESS keeps a subcommand's default from overwriting `ghostline --json …` given up front.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")

    parser = argparse.ArgumentParser(prog="ghostline", description="GhostLine Desktop from the command line.")
    parser.add_argument("--json", action="store_true", default=False, help="machine-readable output")
    top = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = top.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    p = db.add_parser("upgrade", parents=[common], help="apply pending migrations")
    p.add_argument("revision", nargs="?", default="head")
    p.set_defaults(handler=cmd_db_upgrade)
    p = db.add_parser("downgrade", parents=[common], help="revert migrations ('base' removes everything)")
    p.add_argument("revision")
    p.set_defaults(handler=cmd_db_downgrade)
    db.add_parser("status", parents=[common], help="current and pending migrations").set_defaults(handler=cmd_db_status)

    proj = top.add_parser("project", help="projects").add_subparsers(dest="project_command", required=True)
    p = proj.add_parser("create", parents=[common], help="create a project")
    p.add_argument("--title", required=True)
    p.add_argument("--genre")
    p.add_argument("--target-words", type=int, dest="target_words")
    p.set_defaults(handler=cmd_project_create)
    p = proj.add_parser("list", parents=[common], help="list projects")
    p.add_argument("--all", action="store_true", help="include archived projects")
    p.set_defaults(handler=cmd_project_list)
    p = proj.add_parser("fork", parents=[common], help="fork a project as a second edition")
    p.add_argument("id")
    p.add_argument("--title", required=True)
    p.set_defaults(handler=cmd_project_fork)
    p = proj.add_parser("rename", parents=[common], help="rename a project")
    p.add_argument("id")
    p.add_argument("--title", required=True)
    p.set_defaults(handler=cmd_project_rename)
    for name, handler, text in (
        ("archive", cmd_project_archive, "archive a project"),
        ("restore", cmd_project_restore, "bring an archived project back"),
        ("delete", cmd_project_delete, "delete a project and everything it owns"),
    ):
        p = proj.add_parser(name, parents=[common], help=text)
        p.add_argument("id")
        p.set_defaults(handler=handler)

    top.add_parser("demo", parents=[common], help="create the demo project").set_defaults(handler=cmd_demo)
    p = top.add_parser("screenshot", parents=[common], help="render the main window to a PNG")
    p.add_argument("out")
    p.add_argument("--project")
    p.add_argument("--size", default="1400x900")
    p.add_argument("--theme", choices=("light", "dark"), default="light")
    p.set_defaults(handler=cmd_screenshot)
    from ghostline_desktop.cli_sources import add_commands

    add_commands(top, common)
    from ghostline_desktop.cli_chapters import add_commands as add_chapter_commands

    add_chapter_commands(top, common, proj)
    from ghostline_desktop.cli_tokens import add_commands as add_token_commands

    add_token_commands(top, common)
    from ghostline_desktop.cli_qa import add_commands as add_qa_commands

    add_qa_commands(top, common)
    from ghostline_desktop.cli_export import add_commands as add_export_commands

    add_export_commands(top, common)
    from ghostline_desktop.cli_generate import add_commands as add_generate_commands

    add_generate_commands(top, common)
    from ghostline_desktop.cli_voice import add_commands as add_voice_commands

    add_voice_commands(top, common)
    return parser


def _setup_logging(log_dir: Path) -> Path:
    """Send logs (and Python warnings) to a file, so stderr carries only our one-line error."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)
    return path


def _one_line(message: str) -> str:
    first = next((line.strip() for line in message.splitlines() if line.strip()), "")
    return first or "unknown error"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Until the log file is set up, keep logging's last-resort handler off stderr.
    logging.getLogger().addHandler(logging.NullHandler())
    log_path: Path | None = None
    try:
        try:
            settings = load_settings()
        except GhostlineError:
            with contextlib.suppress(OSError):
                log_path = _setup_logging(default_data_dir() / "logs")
            raise
        log_path = _setup_logging(settings.log_dir)
        log.info("ghostline %s", " ".join(sys.argv[1:] if argv is None else argv))
        outcome: Outcome = args.handler(settings, args)
    except GhostlineError as exc:
        log.warning("Command failed: %s", exc)
        print(f"ghostline: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("ghostline: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if log_path is None:
            with contextlib.suppress(Exception):
                log_path = _setup_logging(default_data_dir() / "logs")
        log.exception("Unexpected error")
        where = f"; details in {log_path}" if log_path else ""
        print(f"ghostline: unexpected error: {type(exc).__name__}: {_one_line(str(exc))}{where}", file=sys.stderr)
        return EXIT_UNEXPECTED
    if args.json:
        print(json.dumps(_jsonable(outcome.data), indent=2))
    else:
        print(outcome.render())
    return outcome.exit_code


if __name__ == "__main__":
    sys.exit(main())
