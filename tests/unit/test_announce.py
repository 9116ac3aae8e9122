"""Announcements of dockbot's own actions: who did what, to which containers, told once per action."""

from __future__ import annotations

from typing import Any, cast

from bot.announce import Announcer, announcement
from bot.dispatch import Dispatcher, Invocation, Proposal
from commands.engine import Engine
from commands.presets import Presets
from commands.results import Outcome, Target
from tests.slack.limits import assert_within_limits
from tests.unit.fakes import FakeEngine, container


class Recorder:
    def __init__(self) -> None:
        self.posts: list[tuple[str, list[dict[str, Any]]]] = []

    def post(self, text: str, blocks: list[dict[str, Any]]) -> None:
        self.posts.append((text, blocks))


def test_a_pull_is_announced_once_with_who_and_what() -> None:
    poster = Recorder()
    dispatcher = Dispatcher(cast(Engine, FakeEngine()), Presets.empty(), on_change=Announcer(poster))
    dispatcher.handle(Invocation("pull busybox", "U2", "C1"))
    ((text, blocks),) = poster.posts
    assert text.startswith(":white_check_mark: <@U2> ran `pull busybox`: Pulled busybox")
    assert "Touched: image busybox" in text
    assert_within_limits({"text": text, "blocks": blocks})


def test_claimed_actions_are_left_to_the_event_watcher() -> None:
    """stop/restart/rm/cleanup are told by the watcher as their containers go, so not twice."""
    engine = FakeEngine(stored=[container("old")])
    poster = Recorder()
    dispatcher = Dispatcher(cast(Engine, engine), Presets.empty(), on_change=Announcer(poster))
    proposal = dispatcher.handle(Invocation("cleanup", "U1", "C1"))
    assert isinstance(proposal, Proposal)
    dispatcher.confirm(proposal.token, Invocation("(confirmation)", "U2", "C1"))
    assert engine.removed and poster.posts == []


def test_reads_and_refusals_are_not_announced() -> None:
    poster = Recorder()
    engine = FakeEngine(stored=[container("web", "running")])
    dispatcher = Dispatcher(cast(Engine, engine), Presets.empty(), on_change=Announcer(poster))
    dispatcher.handle(Invocation("ps -a", "U1", "C1"))
    dispatcher.handle(Invocation("rm web", "U1", "C1"))  # refused: running
    dispatcher.handle(Invocation("bogus", "U1", "C1"))
    assert poster.posts == []


def test_a_huge_action_stays_within_slack_limits_and_escapes_markup() -> None:
    changed = tuple(Target("container", f"{i:064x}", f"c{i}") for i in range(500))
    outcome = Outcome("Removed " + ", ".join(t.name for t in changed) + ".", ("c1: <!channel> refused",), changed)
    text, blocks = announcement(Invocation("cleanup <!here>", "U1", "C1"), "cleanup <!here>", outcome)
    assert_within_limits({"text": text, "blocks": blocks})
    assert "and 480 more" in text
    assert "<!here>" not in text and "<!channel>" not in text
    assert text.startswith(":warning:")
