"""Text → `Command`: tokenize like a shell would (without one), find the command, bind its arguments.

Everything that is not a valid command becomes a `UsageError` carrying the usage line, so a front end can
always answer with one short line and never a traceback.
"""

from __future__ import annotations

import shlex
import unicodedata
from typing import Any

from pydantic import ValidationError

from commands.base import Arg, Command, Opt, Param
from commands.errors import UsageError

MAX_INPUT = 1000
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u00a0": " "})


def tokenize(text: str) -> list[str]:
    """Split like a POSIX shell, after undoing what chat clients do to quotes; refuse control characters."""
    if len(text) > MAX_INPUT:
        raise UsageError(f"That command is {len(text)} characters long; the limit is {MAX_INPUT}.")
    text = text.translate(_QUOTES).replace("\t", " ")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        raise UsageError("The command contains control characters; type it as plain text.")
    try:
        return shlex.split(text)
    except ValueError as err:
        raise UsageError(f"Could not read the command: {err}.") from None


def parse(text: str, catalog: dict[tuple[str, ...], type[Command]]) -> Command:
    """Parse one command line against the catalog of command classes keyed by their words."""
    tokens = tokenize(text)
    if not tokens:
        raise UsageError("No command given. Try `help`.")
    for width in (2, 1):
        cls = catalog.get(tuple(t.lower() for t in tokens[:width]))
        if cls is not None:
            return bind(cls, tokens[width:])
    raise UsageError(f"Unknown command `{tokens[0]}`. Try `help` for the list.")


def bind(cls: type[Command], tokens: list[str]) -> Command:
    """Assign tokens to the command's flags and positionals, then let pydantic validate the values."""
    params = cls.params()
    values: dict[str, Any] = {}
    positionals: list[str] = []
    queue = list(tokens)
    while queue:
        token = queue.pop(0)
        if token == "--":
            positionals.extend(queue)
            break
        if token.startswith("-") and len(token) > 1 and not _is_number(token):
            _take_flag(cls, params, token, queue, values)
        else:
            positionals.append(token)
    _take_positionals(cls, params, positionals, values)
    try:
        return cls(**values)
    except ValidationError as err:
        raise UsageError(_explain(err, params), cls.usage()) from None


def _take_flag(
    cls: type[Command], params: tuple[Param, ...], token: str, queue: list[str], values: dict[str, Any]
) -> None:
    name, has_inline, inline = token.partition("=")
    param = _find_flag(params, name)
    if param is None and not has_inline and not name.startswith("--") and len(name) > 2:
        return _take_short_cluster(cls, params, token, queue, values)
    if param is None:
        raise UsageError(f"Unknown flag `{name}` for `{cls.command_name()}`.", cls.usage())
    spec = param.spec
    assert isinstance(spec, Opt)
    if not spec.metavar:
        if has_inline:
            raise UsageError(f"`{name}` takes no value.", cls.usage())
        values[param.field] = True
        return None
    if has_inline:
        value = inline
    elif queue:
        value = queue.pop(0)
    else:
        raise UsageError(f"`{name}` needs a value ({spec.metavar}).", cls.usage())
    _store(values, param, value)
    return None


def _take_short_cluster(
    cls: type[Command], params: tuple[Param, ...], token: str, queue: list[str], values: dict[str, Any]
) -> None:
    """`-fv` is `-f -v`; `-n5` is `-n 5`, as in docker's CLI."""
    first = _find_flag(params, token[:2])
    if first is None:
        raise UsageError(f"Unknown flag `{token}` for `{cls.command_name()}`.", cls.usage())
    assert isinstance(first.spec, Opt)
    if first.spec.metavar:
        _store(values, first, token[2:])
        return
    for letter in token[1:]:
        _take_flag(cls, params, f"-{letter}", queue, values)


def _take_positionals(
    cls: type[Command], params: tuple[Param, ...], positionals: list[str], values: dict[str, Any]
) -> None:
    slots = [p for p in params if isinstance(p.spec, Arg)]
    for slot in slots:
        if not positionals:
            if slot.required:
                raise UsageError(f"Missing {slot.spec.metavar}.", cls.usage())
            return
        if slot.repeated:
            values[slot.field] = positionals[:]
            positionals.clear()
        else:
            values[slot.field] = positionals.pop(0)
    if positionals:
        raise UsageError(f"Unexpected argument `{positionals[0]}`.", cls.usage())


def _find_flag(params: tuple[Param, ...], name: str) -> Param | None:
    return next((p for p in params if isinstance(p.spec, Opt) and name in p.spec.names), None)


def _store(values: dict[str, Any], param: Param, value: str) -> None:
    if param.repeated:
        values.setdefault(param.field, []).append(value)
    else:
        values[param.field] = value


def _is_number(token: str) -> bool:
    return token[1:].isdigit()


def _explain(err: ValidationError, params: tuple[Param, ...]) -> str:
    """The first validation problem, named by the flag or argument the user typed."""
    first = err.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    label = next((p.label for p in params if p.field == field), field)
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "int_parsing":
        message = "must be a whole number"
    return f"{label}: {message[0].lower()}{message[1:]}."
