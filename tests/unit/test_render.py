"""`bot.render.plain`: every reply type as terminal text."""

from __future__ import annotations

from bot.dispatch import Answer, Proposal, Refusal
from bot.render import plain
from commands.results import Outcome, Plan, Skipped, Table, Target, Text


def test_table_with_title_is_aligned() -> None:
    """Title, then headings and rows in aligned columns; numbers are not reformatted."""
    table = Table(("NAME", "SIZE"), (("web", "007"), ("database", "1.50")), title="Things")
    assert plain(Answer("ps", table)).splitlines() == [
        "Things",
        "NAME      SIZE",
        "web       007",
        "database  1.50",
    ]


def test_empty_table_says_its_empty_text() -> None:
    """No rows: the command's own empty message, no headings."""
    assert plain(Answer("ps", Table(("NAME",), (), empty="No containers."))) == "No containers."


def test_text_with_and_without_title() -> None:
    """Text: title line then body, kept as is."""
    assert plain(Answer("logs", Text("a\n  b", title="Logs of web"))) == "Logs of web\na\n  b"
    assert plain(Answer("logs", Text("just body"))) == "just body"


def test_outcome_with_failures() -> None:
    """Summary, then one indented line per failure."""
    outcome = Outcome("Stopped web.", ("db: is not running", "x: gone"))
    assert plain(Answer("stop", outcome)) == "Stopped web.\n  failed: db: is not running\n  failed: x: gone"
    assert plain(Answer("stop", Outcome("Stopped web."))) == "Stopped web."


def test_refusal_with_and_without_usage() -> None:
    """`Error:` line, then the usage line when there is one."""
    assert plain(Refusal("Missing CONTAINER.", "logs CONTAINER [--tail N]")) == (
        "Error: Missing CONTAINER.\nUsage: logs CONTAINER [--tail N]"
    )
    assert plain(Refusal("No such container: x")) == "Error: No such container: x"


def test_proposal_lists_targets_skipped_and_notes() -> None:
    """Heading with count and space, a table of targets, then what is left alone and notes."""
    plan = Plan(
        "Remove",
        (
            Target("image", "sha256:" + "a" * 64, "redis:7", "2 days ago", 13_300_000),
            Target("image", "sha256:" + "b" * 64, "<none> (bbbbbbbbbbbb)", "3 days ago", 0),
        ),
        skipped=(Skipped(Target("image", "c" * 12, "busybox"), "a container uses it"),),
        reclaim_bytes=13_300_000,
        notes=("Tagged images stay.",),
    )
    lines = plain(Proposal("image prune", plan, "tok")).splitlines()
    assert lines[0] == "Remove 2 images, freeing up to 13.3MB:"
    assert lines[1].split() == ["KIND", "NAME", "DETAIL", "SIZE", "ID"]
    assert lines[2].split() == ["image", "redis:7", "2", "days", "ago", "13.3MB", "aaaaaaaaaaaa"]
    assert lines[3].split()[-1] == "bbbbbbbbbbbb"
    assert lines[4:] == ["Left alone: busybox (a container uses it)", "Tagged images stay."]


def test_proposal_heading_singular_and_mixed() -> None:
    """One container: singular noun; mixed kinds: items."""
    one = Plan("Remove", (Target("container", "1" * 64, "web", "busybox · Exited"),))
    assert plain(Proposal("rm", one, "t")).splitlines()[0] == "Remove 1 container:"
    mixed = Plan("Remove", (Target("container", "1" * 64, "web"), Target("image", "2" * 64, "redis")))
    assert plain(Proposal("x", mixed, "t")).splitlines()[0] == "Remove 2 items:"
