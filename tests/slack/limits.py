"""Slack's message limits, checked offline.

Real Slack rejects a message that breaks a Block Kit limit (``invalid_blocks``) or silently truncates
its ``text``; neither shows up in a fake unless we check.  Numbers are from Slack's Block Kit
reference (blocks, block elements, composition objects) and the ``chat.postMessage`` reference.
"""

import json
from typing import Any

MAX_BLOCKS = 50
MAX_TEXT = 40_000
MAX_MARKDOWN = 12_000  # markdown blocks (cumulative) and chat.postMessage's markdown_text
MAX_ID = 255  # action_id and block_id
MAX_URL = 3000

KNOWN_BLOCKS = frozenset(
    {
        "actions", "context", "context_actions", "divider", "file", "header", "image",
        "input", "markdown", "rich_text", "section", "table", "video",
    }
)  # fmt: skip
SELECTS = frozenset(
    {
        "static_select", "external_select", "users_select", "conversations_select", "channels_select",
        "multi_static_select", "multi_external_select", "multi_users_select",
        "multi_conversations_select", "multi_channels_select",
    }
)  # fmt: skip
RESPONSE_TYPES = frozenset({"in_channel", "ephemeral"})

Problems = list[str]


def check_message(payload: dict[str, Any]) -> Problems:
    """Every Slack limit ``payload`` (chat.* arguments or a response_url body) breaks; [] if none."""
    problems: Problems = []
    text = payload.get("text")
    if isinstance(text, str) and len(text) > MAX_TEXT:
        problems.append(f"text: {len(text)} chars > {MAX_TEXT} (Slack truncates it)")
    markdown_text = payload.get("markdown_text")
    if isinstance(markdown_text, str) and len(markdown_text) > MAX_MARKDOWN:
        problems.append(f"markdown_text: {len(markdown_text)} chars > {MAX_MARKDOWN}")
    response_type = payload.get("response_type")
    if response_type is not None and response_type not in RESPONSE_TYPES:
        problems.append(f"response_type: {response_type!r} is not in_channel or ephemeral")
    blocks = payload.get("blocks")
    if isinstance(blocks, str):  # form-encoded clients send blocks as a JSON string
        blocks = json.loads(blocks)
    if blocks is None:
        return problems
    if not isinstance(blocks, list):
        return [*problems, "blocks: must be a list"]
    if len(blocks) > MAX_BLOCKS:
        problems.append(f"blocks: {len(blocks)} blocks > {MAX_BLOCKS} per message")
    markdown_total = 0
    for i, block in enumerate(blocks):
        where = f"blocks[{i}]"
        if not isinstance(block, dict):
            problems.append(f"{where}: must be an object")
            continue
        _check_block(block, f"{where} ({block.get('type')})", problems)
        if block.get("type") == "markdown":
            markdown_total += len(str(block.get("text", "")))
    if markdown_total > MAX_MARKDOWN:
        problems.append(f"markdown blocks: {markdown_total} chars in all > {MAX_MARKDOWN} cumulative")
    return problems


def assert_within_limits(payload: dict[str, Any]) -> None:
    """Fail a test with every broken limit listed, so one run shows them all."""
    problems = check_message(payload)
    assert not problems, "Slack limits broken:\n  " + "\n  ".join(problems)


def _check_block(block: dict[str, Any], where: str, problems: Problems) -> None:
    kind = block.get("type")
    _max_len(block.get("block_id"), MAX_ID, f"{where}.block_id", problems)
    if kind not in KNOWN_BLOCKS:
        problems.append(f"{where}: unknown block type {kind!r}")
    elif kind == "section":
        _check_section(block, where, problems)
    elif kind == "header":
        _check_text(block.get("text"), f"{where}.text", problems, limit=150, plain=True, required=True)
    elif kind == "context":
        elements = block.get("elements") or []
        _max_items(elements, 10, f"{where}.elements", problems, minimum=1)
        for j, element in enumerate(elements):
            if element.get("type") in ("plain_text", "mrkdwn"):
                _check_text(element, f"{where}.elements[{j}]", problems)
    elif kind == "actions":
        elements = block.get("elements") or []
        _max_items(elements, 25, f"{where}.elements", problems, minimum=1)
        for j, element in enumerate(elements):
            _check_element(element, f"{where}.elements[{j}]", problems)
    elif kind == "markdown" and not block.get("text"):
        problems.append(f"{where}.text: must not be empty")
    elif kind == "image":
        _max_len(block.get("image_url"), MAX_URL, f"{where}.image_url", problems)
        _max_len(block.get("alt_text"), 2000, f"{where}.alt_text", problems)
        _check_text(block.get("title"), f"{where}.title", problems, limit=2000, plain=True)


def _check_section(block: dict[str, Any], where: str, problems: Problems) -> None:
    fields = block.get("fields")
    if block.get("text") is None and not fields:
        problems.append(f"{where}: a section needs text or fields")
    _check_text(block.get("text"), f"{where}.text", problems, limit=3000)
    if fields is not None:
        _max_items(fields, 10, f"{where}.fields", problems)
        for j, field in enumerate(fields):
            _check_text(field, f"{where}.fields[{j}]", problems, limit=2000, required=True)
    accessory = block.get("accessory")
    if accessory is not None and accessory.get("type") != "image":
        _check_element(accessory, f"{where}.accessory", problems)


def _check_element(element: dict[str, Any], where: str, problems: Problems) -> None:
    """Interactive elements: the button in full, the limits every other element shares."""
    kind = element.get("type")
    _max_len(element.get("action_id"), MAX_ID, f"{where}.action_id", problems)
    if kind == "button":
        _check_text(element.get("text"), f"{where}.text", problems, limit=75, plain=True, required=True)
        _max_len(element.get("value"), 2000, f"{where}.value", problems)
        _max_len(element.get("url"), MAX_URL, f"{where}.url", problems)
        _max_len(element.get("accessibility_label"), 75, f"{where}.accessibility_label", problems)
        if element.get("style") not in (None, "primary", "danger"):
            problems.append(f"{where}.style: {element.get('style')!r} is not primary or danger")
    elif kind == "overflow":
        _max_items(element.get("options") or [], 5, f"{where}.options", problems, minimum=1)
    elif kind in SELECTS:
        _check_text(element.get("placeholder"), f"{where}.placeholder", problems, limit=150, plain=True)
        _max_items(element.get("options") or [], 100, f"{where}.options", problems)
    for j, option in enumerate(element.get("options") or []):
        _check_text(option.get("text"), f"{where}.options[{j}].text", problems, limit=75, required=True)
        _max_len(option.get("value"), 150, f"{where}.options[{j}].value", problems)
    if element.get("confirm") is not None:
        _check_confirm(element["confirm"], f"{where}.confirm", problems)


def _check_confirm(confirm: dict[str, Any], where: str, problems: Problems) -> None:
    _check_text(confirm.get("title"), f"{where}.title", problems, limit=100, plain=True, required=True)
    _check_text(confirm.get("text"), f"{where}.text", problems, limit=300, required=True)
    _check_text(confirm.get("confirm"), f"{where}.confirm", problems, limit=30, plain=True, required=True)
    _check_text(confirm.get("deny"), f"{where}.deny", problems, limit=30, plain=True, required=True)


def _check_text(
    obj: Any,
    where: str,
    problems: Problems,
    *,
    limit: int | None = None,
    plain: bool = False,
    required: bool = False,
) -> None:
    """A text object: the right type, not empty, not over ``limit`` characters."""
    if obj is None:
        if required:
            problems.append(f"{where}: text object required")
        return
    if not isinstance(obj, dict):
        problems.append(f"{where}: must be a text object, not {type(obj).__name__}")
        return
    kind = obj.get("type")
    if plain and kind != "plain_text":
        problems.append(f"{where}: type must be plain_text, not {kind!r}")
    elif kind not in ("plain_text", "mrkdwn"):
        problems.append(f"{where}: unknown text object type {kind!r}")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        problems.append(f"{where}: text must not be empty")
    elif limit is not None:
        _max_len(text, limit, where, problems)


def _max_len(value: Any, limit: int, where: str, problems: Problems) -> None:
    if isinstance(value, str) and len(value) > limit:
        problems.append(f"{where}: {len(value)} chars > {limit}")


def _max_items(items: list[Any], limit: int, where: str, problems: Problems, *, minimum: int = 0) -> None:
    if len(items) > limit:
        problems.append(f"{where}: {len(items)} items > {limit}")
    elif len(items) < minimum:
        problems.append(f"{where}: {len(items)} items < {minimum}")
