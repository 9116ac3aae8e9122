"""The shared pipeline: parse → plan → confirm once before expiry → run; and progress pacing."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import cast

import pytest

from bot import messages
from bot.dispatch import Answer, Dispatcher, Invocation, Proposal, Refusal
from bot.progress import Throttled
from commands.engine import Engine
from commands.errors import EngineUnavailable
from commands.inspection import summarize
from commands.presets import Presets
from commands.results import Outcome, Table, Target
from tests.unit.fakes import FakeClock, FakeEngine, container


@pytest.fixture
def engine() -> FakeEngine:
    """Two exited containers (one with an anonymous volume) and one running."""
    return FakeEngine([container("old", volumes=1), container("older", age_hours=48), container("web", "running")])


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def dispatcher(engine: FakeEngine, clock: FakeClock) -> Dispatcher:
    return Dispatcher(cast(Engine, engine), Presets.empty(), plan_ttl=60.0, clock=clock)


def propose(dispatcher: Dispatcher, text: str) -> Proposal:
    reply = dispatcher.handle(Invocation(text, user="U1", channel="C1"))
    assert isinstance(reply, Proposal), reply
    return reply


def ids(*names: str) -> list[str]:
    return [container(n).id for n in names]


def test_read_command_answers(dispatcher: Dispatcher) -> None:
    """A non-destructive command runs at once and answers with its result."""
    reply = dispatcher.handle(Invocation("ps"))
    assert isinstance(reply, Answer)
    assert reply.command == "ps"
    assert isinstance(reply.result, Table)
    assert [row[0] for row in reply.result.rows] == ["web"]


@pytest.mark.parametrize(
    ("text", "message", "usage"),
    [
        ("nosuch", "Unknown command `nosuch`. Try `help` for the list.", ""),
        ("logs", "Missing CONTAINER.", "logs CONTAINER [--tail N] [--since WHEN] [-t]"),
        ("logs ghost", "No such container: ghost", ""),
        ("rm web", "You cannot remove a running container: web. Stop it first, or use `rm -f`.", ""),
    ],
)
def test_errors_become_refusals(
    dispatcher: Dispatcher, engine: FakeEngine, text: str, message: str, usage: str
) -> None:
    """Bad input and expected failures: a Refusal with the message and usage, nothing removed."""
    assert dispatcher.handle(Invocation(text)) == Refusal(message, usage)
    assert engine.removed == []


def test_engine_errors_become_refusals(dispatcher: Dispatcher, engine: FakeEngine) -> None:
    """An engine failure is one short line, not a traceback."""
    engine.fail_with = EngineUnavailable("Cannot connect to the Docker daemon at fake://engine.")
    assert dispatcher.handle(Invocation("ps")) == Refusal("Cannot connect to the Docker daemon at fake://engine.")


def test_unexpected_errors_are_logged_not_shown(
    dispatcher: Dispatcher, engine: FakeEngine, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug surfaces as a generic refusal; the details go to the log only."""
    engine.fail_with = RuntimeError("secret internals")
    with caplog.at_level(logging.ERROR, logger="bot.dispatch"):
        reply = dispatcher.handle(Invocation("ps -a"))
    assert reply == Refusal(messages.unexpected_error())
    assert "secret internals" in caplog.text


def test_destructive_command_proposes_then_confirm_runs_the_plan(dispatcher: Dispatcher, engine: FakeEngine) -> None:
    """`cleanup` plans exited containers only; confirming removes exactly those, with their volumes."""
    proposal = propose(dispatcher, "cleanup")
    assert proposal.command == "cleanup"
    assert [t.name for t in proposal.plan.targets] == ["old", "older"]
    assert proposal.plan.notes == ("1 anonymous volume goes with them; named volumes are kept.",)
    assert engine.removed == []
    assert dispatcher.pending_invocation(proposal.token) == Invocation("cleanup", user="U1", channel="C1")
    reply = dispatcher.confirm(proposal.token)
    assert isinstance(reply, Answer) and isinstance(reply.result, Outcome)
    assert reply.result.summary == "Removed old, older."
    assert [t.name for t in reply.result.changed] == ["old", "older"]
    assert engine.removed == [(ids("old", "older"), {"volumes": True})]


def test_confirm_touches_only_the_planned_set(dispatcher: Dispatcher, engine: FakeEngine) -> None:
    """A container that exits after the plan was shown is not removed by that plan."""
    proposal = propose(dispatcher, "cleanup --filter until=24h")
    assert [t.name for t in proposal.plan.targets] == ["older"]
    engine.stored.append(container("newcomer"))
    dispatcher.confirm(proposal.token)
    assert engine.removed == [(ids("older"), {"volumes": True})]


def test_token_works_once(dispatcher: Dispatcher, engine: FakeEngine) -> None:
    """A second confirm of the same token is refused and changes nothing."""
    proposal = propose(dispatcher, "rm -v old")
    assert isinstance(dispatcher.confirm(proposal.token), Answer)
    assert dispatcher.confirm(proposal.token) == Refusal(messages.plan_expired())
    assert dispatcher.cancel(proposal.token) == Refusal(messages.plan_expired())
    assert engine.removed == [(ids("old"), {"force": False, "volumes": True})]


def test_cancel_discards_the_plan(dispatcher: Dispatcher, engine: FakeEngine) -> None:
    """Cancel answers `Cancelled`; the token cannot be confirmed afterwards."""
    proposal = propose(dispatcher, "cleanup")
    assert dispatcher.cancel(proposal.token) == Answer("cancel", Outcome(messages.cancelled()))
    assert dispatcher.confirm(proposal.token) == Refusal(messages.plan_expired())
    assert dispatcher.pending_invocation(proposal.token) is None
    assert engine.removed == []


@pytest.mark.parametrize(("wait", "works"), [(59.9, True), (60.0, False), (600.0, False)])
def test_token_expires(dispatcher: Dispatcher, engine: FakeEngine, clock: FakeClock, wait: float, works: bool) -> None:
    """A plan is good for `plan_ttl` seconds on the dispatcher's clock, then refused."""
    proposal = propose(dispatcher, "cleanup")
    clock.advance(wait)
    assert (dispatcher.pending_invocation(proposal.token) is not None) is works
    reply = dispatcher.confirm(proposal.token)
    assert isinstance(reply, Answer) is works
    assert len(engine.removed) == (1 if works else 0)


def test_unknown_token(dispatcher: Dispatcher) -> None:
    """A token that was never issued is refused like an expired one."""
    assert dispatcher.confirm("forged") == Refusal(messages.plan_expired())
    assert dispatcher.pending_invocation("forged") is None


def test_tokens_are_distinct_and_independent(dispatcher: Dispatcher, engine: FakeEngine) -> None:
    """Two proposals get two tokens; confirming one leaves the other pending."""
    first, second = propose(dispatcher, "rm old"), propose(dispatcher, "rm older")
    assert first.token != second.token
    assert len(first.token) >= 16
    dispatcher.confirm(second.token)
    assert dispatcher.pending_invocation(first.token) is not None
    assert engine.removed == [(ids("older"), {"force": False, "volumes": False})]


def test_empty_plan_answers_without_a_token(dispatcher: Dispatcher, engine: FakeEngine) -> None:
    """Nothing matches: an answer saying so, no confirmation asked."""
    engine.stored = [container("web", "running")]
    reply = dispatcher.handle(Invocation("cleanup"))
    assert reply == Answer("cleanup", Outcome(messages.nothing_to_do("Remove", [])))


def test_rm_skips_running_among_stopped(dispatcher: Dispatcher) -> None:
    """`rm old web`: the running one is left alone with a reason; the plan covers the rest."""
    proposal = propose(dispatcher, "rm old web")
    assert [t.name for t in proposal.plan.targets] == ["old"]
    assert [(s.target.name, s.reason) for s in proposal.plan.skipped] == [("web", "running; stop it first or use -f")]
    assert proposal.plan.notes == ("1 anonymous volume stays; add -v to remove them too.",)


def test_progress_reaches_the_command() -> None:
    """`handle` passes its progress sink into the command's context (pull reports per-layer progress)."""
    lines: list[str] = []
    dispatcher = Dispatcher(cast(Engine, FakeEngine()), Presets.empty())
    reply = dispatcher.handle(Invocation("pull busybox"), progress=lines.append)
    pulled = Target("image", f"sha256:{'d' * 64}", "busybox")
    assert reply == Answer("pull", Outcome(f"Pulled busybox (sha256:{'d' * 64}).", changed=(pulled,)))
    assert lines == [
        "Pulling: 0 of 1 layers done, 10B of 40B",
        "Pulling: 0 of 1 layers done, 20B of 40B",
        "Pulling: 0 of 2 layers done, 25B of 80B",
    ]


def test_throttled_passes_at_most_one_line_per_interval() -> None:
    """Lines inside the interval are dropped; the first one always passes."""
    clock = FakeClock(0.0)
    out: list[str] = []
    throttled = Throttled(out.append, interval=1.0, clock=clock)
    for t, line in [(0.0, "a"), (0.5, "b"), (0.99, "c"), (1.0, "d"), (1.2, "e"), (5.0, "f")]:
        clock.now = t
        throttled(line)
    assert out == ["a", "d", "f"]


PRESETS = "services:\n  web:\n    image: nginx\n    ports: ['8080:80']\n    environment: {TOKEN: s3cret}\n"


def test_run_starts_a_preset(tmp_path: Path) -> None:
    """`run PRESET --name N` turns the preset into a spec named N and starts it."""
    engine = FakeEngine()
    dispatcher = Dispatcher(cast(Engine, engine), Presets.parse(PRESETS, base=tmp_path))
    reply = dispatcher.handle(Invocation("run web --name web-2"))
    started = Target("container", "f" * 64, "web-2", "preset web")
    assert reply == Answer("run", Outcome("Started web-2 (ffffffffffff) from preset web.", changed=(started,)))
    (spec,) = engine.created
    assert (spec.name, spec.image, dict(spec.ports)) == ("web-2", "nginx", {"80/tcp": [("", 8080)]})
    assert dispatcher.handle(Invocation("run nosuch")) == Refusal("No preset `nosuch`. Presets: web.")
    assert len(engine.created) == 1


def test_presets_lists_them(tmp_path: Path) -> None:
    """`presets` shows name, image, ports and volumes; none configured says how to configure."""
    dispatcher = Dispatcher(cast(Engine, FakeEngine()), Presets.parse(PRESETS, base=tmp_path))
    reply = dispatcher.handle(Invocation("presets"))
    assert isinstance(reply, Answer)
    assert isinstance(reply.result, Table)
    assert reply.result.rows == (("web", "nginx", "8080:80", ""),)
    empty = Dispatcher(cast(Engine, FakeEngine()), Presets.empty()).handle(Invocation("presets"))
    assert isinstance(empty, Answer)
    assert isinstance(empty.result, Table)
    assert "CHATOPS_PRESETS_FILE" in empty.result.empty


def test_inspect_summary_masks_environment_values() -> None:
    """`inspect` shows variable names, never their values."""
    table = summarize(
        {
            "Name": "/web",
            "Id": "a" * 64,
            "Config": {"Image": "nginx", "Env": ["TOKEN=s3cret", "PATH=/bin", "EMPTY="], "Cmd": ["nginx", "-g"]},
            "State": {"Status": "exited", "ExitCode": 137, "OOMKilled": True},
            "HostConfig": {"RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3}},
        }
    )
    rows: dict[str, str] = {row[0]: row[1] for row in table.rows}
    assert rows["Environment"] == "TOKEN=***, PATH=***, EMPTY=***"
    assert "s3cret" not in str(table)
    assert rows["Name"] == "web"
    assert rows["ID"] == "a" * 12
    assert rows["State"] == "exited, exit code 137, killed: out of memory"
    assert rows["Restart policy"] == "on-failure (max 3)"
    assert rows["Command"] == "nginx -g"
    assert rows["Ports"] == "-"
