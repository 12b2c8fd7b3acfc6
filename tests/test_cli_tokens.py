"""``ghostline tokens …`` as real subprocesses against real databases."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.db import support
from tests.test_cli import Cli, _assert_one_line_error

server_dir = support.server_dir  # the fixture, shared with tests/db


@pytest.fixture
def cli(pg: Any, tmp_path: Path) -> Iterator[Cli]:
    name = pg.create_database()  # migrated, from the template
    yield Cli(tmp_path, pg.url(name))
    pg.drop_database(name)


def test_balance_credit_and_ledger(cli: Cli) -> None:
    start = cli.json("tokens", "balance")
    assert (start["plan"], start["balance"], start["monthly_quota"], start["used_this_month"]) == (
        "basic",
        100_000,
        100_000,
        0,
    )
    assert cli("tokens", "balance").stdout.strip() == (
        "100,000 tokens left of 100,000 a month (Basic plan); 0 used this month"
    )
    credited = cli.json("tokens", "credit", "2,500", "--note", "Top-up  for the sequel")
    assert (credited["credited"], credited["balance"], credited["note"]) == (2500, 102_500, "Top-up for the sequel")
    assert cli("tokens", "credit", "500", "--note", "x").stdout.strip() == "Added 500 tokens; the balance is 103,000."

    ledger = cli.json("tokens", "ledger")
    assert [(e["type"], e["amount"], e["balance_after"]) for e in ledger] == [
        ("CREDIT", 500, 103_000),
        ("CREDIT", 2500, 102_500),
        ("CREDIT", 100_000, 100_000),
    ]
    assert ledger[1]["description"] == "Top-up for the sequel"
    assert len(cli.json("tokens", "ledger", "--limit", "1")) == 1
    assert cli.json("tokens", "ledger", "--type", "debit") == []
    text = cli("tokens", "ledger").stdout.splitlines()
    assert text[0] == "3 ledger entries" and "+500" in text[1] and "103,000" in text[1]

    rows = list(csv.reader(io.StringIO(cli("tokens", "ledger", "--csv").stdout)))
    assert rows[0][:5] == ["date", "type", "amount", "balance_after", "description"]
    assert [r[1:4] for r in rows[1:]] == [
        ["CREDIT", "500", "103000"],
        ["CREDIT", "2500", "102500"],
        ["CREDIT", "100000", "100000"],
    ]


def test_ledger_of_a_project_and_plan(cli: Cli) -> None:
    project = cli.json("project", "create", "--title", "Costly book")["id"]
    assert cli.json("tokens", "ledger", "--project", project) == []
    assert cli("tokens", "ledger", "--project", project, "--csv").stdout.startswith("date,type,amount")
    plan = cli.json("tokens", "plan", "premium")
    assert (plan["plan"], plan["monthly_quota"], plan["balance"]) == ("premium", 1_000_000, 1_000_000)
    assert [p["name"] for p in plan["plans"]] == ["basic", "premium", "pro"]
    assert cli("tokens", "plan").stdout.splitlines()[0].startswith("Premium plan: 1,000,000 tokens a month")


def test_errors_are_one_line(cli: Cli) -> None:
    _assert_one_line_error(cli("tokens", "credit", "10", "--note", "  ", ok=False), "Say what the tokens are for")
    _assert_one_line_error(cli("tokens", "credit", "0", "--note", "n", ok=False), "between 1 and")
    _assert_one_line_error(cli("tokens", "ledger", "--project", "nope", ok=False), "is not a project id")
    _assert_one_line_error(
        cli("tokens", "ledger", "--project", "1b4e28ba-2fa1-11d2-883f-0016d3cca427", ok=False), "project"
    )
    _assert_one_line_error(cli("tokens", "plan", "gold", ok=False), "no billing plan called 'gold'")
    assert cli("tokens", "credit", "ten", "--note", "n", ok=False).returncode == 2  # argparse usage error


def _credit_at_once(cli: Cli, n: int = 4) -> list[dict[str, Any]]:
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ghostline_desktop.cli",
                "tokens",
                "credit",
                str(100 + i),
                "--note",
                f"p{i}",
                "--json",
            ],
            env=cli.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(n)
    ]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0] * n, [o[1] for o in outs]
    results = [json.loads(o[0]) for o in outs]
    assert len({r["user_id"] for r in results}) == 1  # one local user
    assert max(r["balance"] for r in results) == 100_000 + sum(100 + i for i in range(n))  # no credit lost
    return results


@pytest.mark.parametrize("template", ["migrated", "empty"])
def test_simultaneous_credits_on_a_fresh_database(pg: Any, tmp_path: Path, template: str) -> None:
    """Several `tokens credit` started at once: all succeed, one local user, every credit in the ledger."""
    name = pg.create_database() if template == "migrated" else pg.create_database(template=None)
    try:
        _credit_at_once(Cli(tmp_path, pg.url(name)))
        with psycopg.connect(pg.url(name).replace("postgresql+psycopg://", "postgresql://")) as conn:
            assert conn.execute("SELECT count(*) FROM users").fetchone() == (1,)
            credits = conn.execute("SELECT count(*) FROM token_transactions WHERE transaction_type = 'CREDIT'")
            assert credits.fetchone() == (5,)
    finally:
        pg.drop_database(name)


def test_simultaneous_credits_on_a_fresh_embedded_server(server_dir: Path) -> None:
    """The default set-up: no database yet, every process starts (or joins) the embedded server."""
    cli = Cli(server_dir)
    _credit_at_once(cli, 3)
    assert cli.json("tokens", "balance")["balance"] == 100_000 + 100 + 101 + 102
