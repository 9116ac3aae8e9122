"""Replies → what people read. The only user of tabulate; the Slack side lives in `bot/slack_render.py`."""

from __future__ import annotations

import tabulate as tabulate_module
from tabulate import tabulate

from bot.dispatch import Answer, Refusal, Reply
from commands import humanize
from commands.results import Outcome, Plan, Result, Table, Text


def table_text(table: Table) -> str:
    """Aligned columns like the docker CLI prints them."""
    if not table.rows:
        return table.empty
    fast = _plain_layout(table)
    if fast is not None:
        return fast
    return tabulate(table.rows, headers=table.columns, tablefmt="plain", disable_numparse=True)


def _plain_layout(table: Table) -> str | None:
    """tabulate's `plain` layout, byte for byte, for the usual table of one-line printable cells; None
    when tabulate must do it (line breaks, ragged rows, non-ASCII when tabulate measures wide characters).
    tabulate costs about 10 µs a cell, which made it most of `ps -a` on 500 containers (bench/, issue 6)."""
    count = len(table.columns)
    if any(len(row) != count for row in table.rows):
        return None
    columns = []
    for column in zip(*table.rows, strict=True):
        joined = "".join(column) if all(isinstance(cell, str) for cell in column) else None
        if joined is None or not joined.isprintable() or (tabulate_module.WIDE_CHARS_MODE and not joined.isascii()):
            return None
        columns.append([cell.strip() for cell in column])
    # Like tabulate: a column is as wide as its widest cell, or its heading plus two; two spaces between.
    widths = [max(len(heading) + 2, *map(len, cells)) for heading, cells in zip(table.columns, columns, strict=True)]
    line = "  ".join(f"{{:<{width}}}" for width in widths).format
    return "\n".join(line(*cells).rstrip() for cells in [table.columns, *zip(*columns, strict=True)])


def plan_table(plan: Plan) -> Table:
    rows = tuple(
        (t.kind, t.name, t.detail, humanize.size(t.size) if t.size else "", t.id.removeprefix("sha256:")[:12])
        for t in plan.targets
    )
    return Table(("KIND", "NAME", "DETAIL", "SIZE", "ID"), rows)


def plan_heading(plan: Plan) -> str:
    kinds = {t.kind for t in plan.targets}
    noun = kinds.pop() if len(kinds) == 1 else "item"
    count = len(plan.targets)
    reclaim = f", freeing up to {humanize.size(plan.reclaim_bytes)}" if plan.reclaim_bytes else ""
    return f"{plan.action} {count} {noun}{'s' if count != 1 else ''}{reclaim}:"


def plan_footer(plan: Plan) -> list[str]:
    lines = [f"Left alone: {s.target.name} ({s.reason})" for s in plan.skipped]
    return lines + list(plan.notes)


def outcome_lines(outcome: Outcome) -> list[str]:
    return [outcome.summary] + [f"  failed: {failure}" for failure in outcome.failures]


def result_text(result: Result) -> str:
    if isinstance(result, Table):
        return "\n".join(filter(None, [result.title, table_text(result)]))
    if isinstance(result, Text):
        return "\n".join(filter(None, [result.title, result.body]))
    return "\n".join(outcome_lines(result))


def plain(reply: Reply) -> str:
    """A reply as terminal text, for the console."""
    if isinstance(reply, Answer):
        return result_text(reply.result)
    if isinstance(reply, Refusal):
        return "\n".join(filter(None, [f"Error: {reply.message}", reply.usage and f"Usage: {reply.usage}"]))
    return "\n".join([plan_heading(reply.plan), table_text(plan_table(reply.plan)), *plan_footer(reply.plan)])
