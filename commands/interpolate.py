"""Compose's `${VAR}` substitution, so a team's existing compose file (and its secrets in the environment)
works as a presets file. Unlike Compose, an unset variable without a default is an error at load: an empty
database password is worse than a refused start."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from commands.errors import PresetError

_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<invalid>\{[^}]*\}?))"
)


def interpolate(data: Any, variables: Mapping[str, str], path: str = "") -> Any:
    """Substitute variables in every string value (keys stay as written), recursively."""
    if isinstance(data, str):
        return _substitute(data, variables, path)
    if isinstance(data, dict):
        return {
            key: interpolate(value, variables, f"{path}.{key}" if path else str(key)) for key, value in data.items()
        }
    if isinstance(data, list):
        return [interpolate(value, variables, f"{path}[{i}]") for i, value in enumerate(data)]
    return data


def _substitute(text: str, variables: Mapping[str, str], path: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        if match.group("invalid") is not None:
            raise PresetError(f"{path}: `${match.group('invalid')}` is not a valid variable; write $$ for a plain $.")
        name = match.group("braced") or match.group("named")
        value = variables.get(name)
        op, arg = match.group("op"), match.group("arg") or ""
        present = value is not None and (value != "" or not (op or "").startswith(":"))
        if present:
            return str(value)
        if op in ("-", ":-"):
            return arg
        if op in ("?", ":?"):
            raise PresetError(f"{path}: {arg or f'{name} must be set'}.")
        raise PresetError(f"{path} uses ${{{name}}}, which is not set; set it or give a default: ${{{name}:-value}}.")

    return _VARIABLE.sub(replace, text)
