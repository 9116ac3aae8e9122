"""Sizes, ages and durations as people type and read them (docker's conventions: decimal units, `10m`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def size(n: int | float) -> str:
    """`13.3MB`, as `docker images` prints it (decimal units)."""
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        shown = f"{value:.0f}" if unit == "B" else f"{value:.3g}"
        if float(shown) < 1000:  # 999.9kB rounds to 1e+03: show it as 1MB instead
            return f"{shown}{unit}"
        value /= 1000
    return f"{value:.3g}TB" if value < 999.5 else f"{value:.0f}TB"


def ago(when: datetime, now: datetime | None = None) -> str:
    """`5 minutes ago`, like docker's CREATED column."""
    seconds = int(((now or datetime.now(UTC)) - when).total_seconds())
    for unit, span in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= span * (2 if unit != "minute" else 1):
            count = seconds // span
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "less than a minute ago" if seconds >= 1 else "just now"


def parse_duration(text: str) -> timedelta:
    """`10m`, `1h30m`, `24h`, `2d`: Go-style durations as docker takes them (plus days)."""
    text = text.strip()
    if not text or _DURATION.sub("", text):
        raise ValueError(f"`{text}` is not a duration; use a number with a unit, like 10m, 2h or 7d")
    try:
        return timedelta(seconds=sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION.findall(text)))
    except OverflowError:
        raise ValueError(f"`{text}` is not a duration in range; use a smaller one, like 7d") from None


def parse_moment(text: str, now: datetime | None = None) -> datetime:
    """A point in time: a duration back from now (`10m`), an ISO date/time, or a Unix timestamp."""
    now = now or datetime.now(UTC)
    try:
        if re.fullmatch(r"\d{9,}(\.\d+)?", text):
            return datetime.fromtimestamp(float(text), UTC)
        return now - parse_duration(text)
    except (ValueError, OverflowError, OSError):  # out-of-range timestamps and durations included
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"`{text}` is not a time; use a duration like 10m or a time like 2026-11-27T10:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
