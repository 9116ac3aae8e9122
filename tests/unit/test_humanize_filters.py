"""Sizes, ages, durations and moments as people type and read them; docker-style filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commands import humanize
from commands.filters import check_until, created_before, filter_map

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0B"),
        (999, "999B"),
        (1000, "1kB"),
        (1500, "1.5kB"),
        (13_300_000, "13.3MB"),
        (77_860_000, "77.9MB"),
        (999_999, "1MB"),
        (999_499_999, "999MB"),
        (2_500_000_000, "2.5GB"),
        (5 * 10**15, "5000TB"),
        (999.6, "1kB"),
        (1_234_000_000_000, "1.23TB"),
    ],
)
def test_size(n: float, text: str) -> None:
    """Decimal units with three significant digits, as `docker images` prints sizes."""
    assert humanize.size(n) == text


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "just now"),
        (timedelta(seconds=-30), "just now"),
        (timedelta(seconds=30), "less than a minute ago"),
        (timedelta(seconds=60), "1 minute ago"),
        (timedelta(minutes=5, seconds=59), "5 minutes ago"),
        (timedelta(minutes=119), "119 minutes ago"),
        (timedelta(hours=2), "2 hours ago"),
        (timedelta(hours=47), "47 hours ago"),
        (timedelta(days=2), "2 days ago"),
        (timedelta(days=400), "400 days ago"),
    ],
)
def test_ago(delta: timedelta, text: str) -> None:
    """Ages like docker's CREATED column, relative to a fixed now."""
    assert humanize.ago(NOW - delta, now=NOW) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10m", timedelta(minutes=10)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("24h", timedelta(hours=24)),
        ("2d", timedelta(days=2)),
        ("1.5s", timedelta(seconds=1.5)),
        ("250ms", timedelta(milliseconds=250)),
        (" 7d ", timedelta(days=7)),
        ("0s", timedelta(0)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    """Go-style durations plus days."""
    assert humanize.parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "10", "m", "10M", "ten minutes", "5mm", "-5m", "1h 30m", "99999999999d"])
def test_parse_duration_refuses(text: str) -> None:
    """Anything that is not number+unit (or is absurdly large) is a ValueError with a hint."""
    with pytest.raises(ValueError, match="is not a duration"):
        humanize.parse_duration(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10m", NOW - timedelta(minutes=10)),
        ("2d", NOW - timedelta(days=2)),
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-27T10:00", datetime(2026, 11, 27, 10, 0, tzinfo=UTC)),
        ("2026-11-27T10:00:00Z", datetime(2026, 11, 27, 10, 0, tzinfo=UTC)),
        ("2026-11-27T10:00:00+01:00", datetime(2026, 11, 27, 9, 0, tzinfo=UTC)),
        ("1764000000", datetime.fromtimestamp(1764000000, UTC)),
        ("1764000000.5", datetime.fromtimestamp(1764000000.5, UTC)),
    ],
)
def test_parse_moment(text: str, expected: datetime) -> None:
    """A duration back from now, an ISO date/time (naive means UTC), or a Unix timestamp."""
    moment = humanize.parse_moment(text, now=NOW)
    assert moment == expected
    assert moment.tzinfo is not None


@pytest.mark.parametrize("text", ["yesterday", "", "2026-13-01", "12345678", "99999999999999999999", "9999999999d"])
def test_parse_moment_refuses(text: str) -> None:
    """Unreadable or out-of-range times are a ValueError, never an OverflowError or OSError."""
    with pytest.raises(ValueError, match="is not a time"):
        humanize.parse_moment(text, now=NOW)


def test_filter_map_merges_repeated_keys() -> None:
    """`-f status=exited -f name=web -f name=db` → the engine's filter map; `=` in values kept."""
    assert filter_map(("status=exited", "name=web", "name=db", "label=team=ops")) == {
        "status": ["exited"],
        "name": ["web", "db"],
        "label": ["team=ops"],
    }
    assert filter_map(()) == {}


def test_check_until_accepts_until_only() -> None:
    """Prune-style filters: `until=` with a readable moment, nothing else."""
    assert check_until(("until=24h", "until=2026-11-01")) == ("until=24h", "until=2026-11-01")
    with pytest.raises(ValueError, match="`label=x` is not supported"):
        check_until(("label=x",))
    with pytest.raises(ValueError, match="`tomorrow` is not a time"):
        check_until(("until=tomorrow",))


def test_created_before_takes_the_earliest_cutoff() -> None:
    """Several `until=` filters: the strictest (earliest) wins; none means no cutoff."""
    assert created_before(()) is None
    cutoff = created_before(("until=2026-11-01", "until=2026-10-01T00:00:00Z"))
    assert cutoff == datetime(2026, 10, 1, tzinfo=UTC)
    recent = created_before(("until=1h",))
    assert recent is not None
    assert timedelta(minutes=59) < datetime.now(UTC) - recent < timedelta(minutes=61)
