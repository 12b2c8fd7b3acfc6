"""``ghostline tokens …``: the token balance, the ledger and manual credits from scripts.

``tokens balance`` shows the balance against the plan's monthly quota and this month's use;
``tokens ledger`` lists the ledger newest first (``--csv`` for the same columns as the usage
dialog's export); ``tokens credit AMOUNT --note "…"`` adds tokens; ``tokens plan [NAME]`` shows
or changes the plan. Every command signs in as the local user first, which is also when a new
month's quota is credited.
"""

from __future__ import annotations

import argparse
import io
from typing import TYPE_CHECKING, Any

from ghostline_desktop.config import Settings
from ghostline_desktop.errors import ValidationError

if TYPE_CHECKING:
    from ghostline_desktop.cli import Outcome
    from ghostline_desktop.services.container import Services
    from ghostline_desktop.services.dto import UserInfo
    from ghostline_desktop.services.token_dto import LedgerEntry


def _entry_data(e: LedgerEntry) -> dict[str, Any]:
    return {
        "id": str(e.id),
        "date": e.created_at.isoformat(),
        "type": e.transaction_type,
        "amount": e.amount,
        "balance_after": e.balance_after,
        "description": e.description,
        "project_id": str(e.project_id) if e.project_id else None,
        "project": e.project_title,
        "generation_task_id": str(e.generation_task_id) if e.generation_task_id else None,
        "task_type": e.task_type,
        "model": e.model,
        "prompt_tokens": e.prompt_tokens,
        "completion_tokens": e.completion_tokens,
    }


def cmd_balance(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _with_services

    async def action(services: Services, user: UserInfo) -> Outcome:
        m = await services.tokens.meter(user.id)
        b = m.balance
        data = {
            "user_id": str(user.id),
            "balance": b.balance,
            "monthly_quota": b.monthly_quota,
            "fraction_left": round(b.fraction_left, 4),
            "plan": b.plan_name,
            "plan_display_name": b.plan_display_name,
            "used_this_month": m.month_used,
        }
        text = (
            f"{b.balance:,} tokens left of {b.monthly_quota:,} a month ({b.plan_display_name} plan); "
            f"{m.month_used:,} used this month"
        )
        return Outcome(data, text)

    return _with_services(settings, action)


def cmd_ledger(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _parse_uuid, _with_services
    from ghostline_desktop.services.token_dto import LedgerFilter

    project_id = _parse_uuid(args.project) if args.project else None
    if args.limit is not None and args.limit <= 0:
        raise ValidationError("--limit must be a positive number.")
    filters = LedgerFilter(project_id=project_id, transaction_type=args.type.upper() if args.type else None)

    async def action(services: Services, user: UserInfo) -> Outcome:
        if project_id is not None:
            await services.projects.get(project_id)  # a clear "not found" instead of an empty list
        if args.csv and not args.json:
            out = io.StringIO()
            await services.tokens.write_csv(user.id, out, filters)
            return Outcome(None, out.getvalue().rstrip("\n"))
        entries: list[LedgerEntry] = []
        async for page in services.tokens.iter_ledger(user.id, filters):
            entries.extend(page)
            if args.limit is not None and len(entries) >= args.limit:
                entries = entries[: args.limit]
                break
        lines = [
            f"{e.created_at:%Y-%m-%d %H:%M}  {e.signed_amount:>+12,}  {e.balance_after:>12,}  "
            f"{e.description}{f'  [{e.project_title}]' if e.project_title else ''}"
            for e in entries
        ]
        return Outcome(
            [_entry_data(e) for e in entries], f"{len(entries)} ledger entr{'y' if len(entries) == 1 else 'ies'}", lines
        )

    return _with_services(settings, action)


def cmd_credit(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _with_services

    async def action(services: Services, user: UserInfo) -> Outcome:
        after = await services.tokens.credit(user.id, args.amount, args.note)
        data = {"user_id": str(user.id), "credited": args.amount, "balance": after, "note": " ".join(args.note.split())}
        return Outcome(data, f"Added {args.amount:,} tokens; the balance is {after:,}.")

    return _with_services(settings, action)


def cmd_plan(settings: Settings, args: argparse.Namespace) -> Outcome:
    from ghostline_desktop.cli import Outcome, _with_services

    async def action(services: Services, user: UserInfo) -> Outcome:
        plans = await services.tokens.list_plans()
        if args.name:
            b = await services.tokens.change_plan(user.id, args.name.strip().lower())
        else:
            b = await services.accounts.balance(user.id)
        data = {
            "plan": b.plan_name,
            "monthly_quota": b.monthly_quota,
            "balance": b.balance,
            "plans": [
                {"name": p.name, "display_name": p.display_name, "monthly_quota": p.monthly_quota} for p in plans
            ],
        }
        text = f"{b.plan_display_name} plan: {b.monthly_quota:,} tokens a month; balance {b.balance:,}"
        lines = [
            f"{'*' if p.name == b.plan_name else ' '} {p.name:<10} {p.monthly_quota:>12,} tokens a month" for p in plans
        ]
        return Outcome(data, text, lines)

    return _with_services(settings, action)


def _amount(value: str) -> int:
    try:
        return int(value.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number of tokens") from None


def add_commands(top: Any, common: argparse.ArgumentParser) -> None:
    tokens = top.add_parser("tokens", help="token balance, ledger and credits").add_subparsers(
        dest="tokens_command", required=True
    )
    tokens.add_parser("balance", parents=[common], help="the balance, the plan and this month's use").set_defaults(
        handler=cmd_balance
    )
    p = tokens.add_parser("ledger", parents=[common], help="the token ledger, newest first")
    p.add_argument("--project", help="only this project's entries")
    p.add_argument("--type", choices=("credit", "debit"), type=str.lower, help="only credits or only debits")
    p.add_argument("--limit", type=int, help="at most this many entries (not with --csv)")
    p.add_argument("--csv", action="store_true", help="write CSV (the usage dialog's export columns)")
    p.set_defaults(handler=cmd_ledger)
    p = tokens.add_parser("credit", parents=[common], help="add tokens by hand, with a note")
    p.add_argument("amount", type=_amount)
    p.add_argument("--note", required=True, help="what the tokens are for (recorded in the ledger)")
    p.set_defaults(handler=cmd_credit)
    p = tokens.add_parser("plan", parents=[common], help="show the plan, or change it (basic, premium, pro)")
    p.add_argument("name", nargs="?")
    p.set_defaults(handler=cmd_plan)
