"""docker-style `--filter KEY=VALUE` handling shared by the commands that take filters."""

from __future__ import annotations

from datetime import datetime

from commands.humanize import parse_moment


def filter_map(filters: tuple[str, ...]) -> dict[str, list[str]]:
    """`-f status=exited -f name=web` → the engine's filter map."""
    merged: dict[str, list[str]] = {}
    for item in filters:
        key, _, value = item.partition("=")
        merged.setdefault(key, []).append(value)
    return merged


def check_until(filters: tuple[str, ...]) -> tuple[str, ...]:
    """Validator for prune-style commands, which take only `until=`."""
    for item in filters:
        key, _, value = item.partition("=")
        if key != "until":
            raise ValueError(f"`{item}` is not supported; use until=24h or until=2026-11-01")
        parse_moment(value)
    return filters


def created_before(filters: tuple[str, ...]) -> datetime | None:
    """The earliest `until=` cutoff given, or None when there is none."""
    cutoffs = [parse_moment(item.partition("=")[2]) for item in filters]
    return min(cutoffs) if cutoffs else None
