"""Replies → Slack messages that respect every Block Kit limit, or a file upload when they cannot fit.

Limits (DESIGN.md §5): 50 blocks, 3000 characters a section, 40,000 characters of text, button value 2000,
confirm dialog text 300. Output longer than `INLINE_LIMIT` goes out as a `.txt` file with a one-line summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.dispatch import Answer, Invocation, Proposal, Refusal, Reply
from bot.render import outcome_lines, plan_footer, plan_heading, plan_table, table_text
from commands.results import Outcome, Table, Text

SECTION_LIMIT = 3000
INLINE_LIMIT = 12_000
MAX_PLAN_SECTIONS = 40
CONFIRM_ACTION = "dockbot_confirm"
CANCEL_ACTION = "dockbot_cancel"

Message = dict[str, Any]


@dataclass(frozen=True)
class Upload:
    """Output too long for a message: the file to upload and the one-line message that goes with it."""

    filename: str
    content: str
    message: Message


def escape(text: str) -> str:
    """Slack treats & < > as markup (`<!channel>`, links): user text and output must not trigger it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def who(invocation: Invocation) -> Message:
    """The context line that tells the channel who ran what."""
    command = escape(invocation.text)[:200].replace("`", "'")
    return _context(f"<@{invocation.user}> ran `{command}`")


def code_sections(text: str) -> list[Message]:
    """Monospace text cut at line boundaries into sections of at most SECTION_LIMIT characters each."""
    budget = SECTION_LIMIT - 8
    chunks: list[str] = []
    current = ""
    for raw in escape(text).replace("```", "'''").splitlines() or [""]:
        line = raw if len(raw) <= budget else raw[: budget - 1] + "…"
        if current and len(current) + len(line) + 1 > budget:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    chunks.append(current)
    return [_section(f"```{chunk}```") for chunk in chunks]


def render(reply: Reply, invocation: Invocation) -> Message | Upload:
    """The message for a reply, or an Upload when the output is too long to read in a message."""
    if isinstance(reply, Refusal):
        return refusal_message(reply)
    if isinstance(reply, Proposal):
        return proposal_message(reply, invocation)
    return answer_message(reply, invocation)


def refusal_message(reply: Refusal) -> Message:
    text = f":warning: {escape(reply.message)}"
    if reply.usage:
        text += f"\nUsage: `{escape(reply.usage)}`"
    return {"response_type": "ephemeral", "text": text[:SECTION_LIMIT], "blocks": [_section(text[:SECTION_LIMIT])]}


def answer_message(reply: Answer, invocation: Invocation) -> Message | Upload:
    result = reply.result
    if isinstance(result, Outcome):
        return _message(outcome_lines(result)[0], [who(invocation), *outcome_blocks(result)])
    title, body = (result.title, table_text(result)) if isinstance(result, Table) else (result.title, result.body)
    monospace = isinstance(result, Table) or (isinstance(result, Text) and result.monospace)
    fallback = title or f"Result of {reply.command}"
    if len(body) > INLINE_LIMIT:
        lines = body.count("\n") + 1
        summary = f"{title or reply.command}: {lines} lines, attached as a file."
        filename = result.filename if isinstance(result, Text) else f"{reply.command.replace(' ', '-')}.txt"
        return Upload(filename, body, _message(summary, [who(invocation), _section(escape(summary))]))
    blocks = [who(invocation)]
    if title:
        blocks.append(_section(f"*{escape(title)}*"))
    blocks += code_sections(body) if monospace else [_section(escape(body)[:SECTION_LIMIT])]
    return _message(fallback, blocks)


def outcome_blocks(outcome: Outcome) -> list[Message]:
    icon = ":white_check_mark:" if outcome.ok else ":warning:"
    lines = outcome_lines(outcome)
    text = f"{icon} {escape(lines[0])}"
    blocks = [_section(text[:SECTION_LIMIT])]
    if lines[1:]:
        blocks += code_sections("\n".join(line.strip() for line in lines[1:]))
    return blocks


def proposal_message(reply: Proposal, invocation: Invocation) -> Message:
    plan = reply.plan
    heading = plan_heading(plan)
    listing = code_sections(table_text(plan_table(plan)))
    footer = plan_footer(plan)
    if len(listing) > MAX_PLAN_SECTIONS:
        footer.insert(0, f"(List cut for Slack: all {len(plan.targets)} are in the plan.)")
        listing = listing[:MAX_PLAN_SECTIONS]
    blocks = [who(invocation), _section(f"*{escape(heading)}*"), *listing]
    if footer:
        blocks.append(_section(escape("\n".join(footer))[:SECTION_LIMIT]))
    blocks.append(_buttons(reply.token, heading))
    return _message(heading, blocks)


def _buttons(token: str, heading: str) -> Message:
    confirm = {
        "title": {"type": "plain_text", "text": "Really remove?"},
        "text": {"type": "plain_text", "text": (heading + " This cannot be undone.")[:300]},
        "confirm": {"type": "plain_text", "text": "Remove"},
        "deny": {"type": "plain_text", "text": "Keep them"},
        "style": "danger",
    }
    return {
        "type": "actions",
        "block_id": "dockbot_plan",
        "elements": [
            {
                "type": "button",
                "action_id": CONFIRM_ACTION,
                "text": {"type": "plain_text", "text": "Confirm"},
                "style": "danger",
                "value": token,
                "confirm": confirm,
            },
            {
                "type": "button",
                "action_id": CANCEL_ACTION,
                "text": {"type": "plain_text", "text": "Cancel"},
                "value": token,
            },
        ],
    }


def with_note(message: Message, note: str) -> Message:
    """The same message with one more line under it (e.g. why a file is missing)."""
    return {**message, "blocks": [*message["blocks"], _section(f":warning: {escape(note)}")][:50]}


def _message(fallback: str, blocks: list[Message]) -> Message:
    return {"response_type": "in_channel", "text": escape(fallback)[:SECTION_LIMIT], "blocks": blocks[:50]}


def _section(text: str) -> Message:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Message:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
