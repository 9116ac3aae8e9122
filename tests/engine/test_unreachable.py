"""An engine that cannot be reached gives the docker CLI's clear message, for every kind of command."""

from __future__ import annotations

import pytest

from bot.dispatch import Dispatcher, Invocation, Refusal
from commands import COMMANDS, Context
from commands.engine import Engine
from commands.errors import EngineUnavailable
from commands.presets import Presets
from tests.engine.helpers import plan, run

pytestmark = pytest.mark.engine

ADDRESSES = ["unix:///tmp/nonexistent.sock", "tcp://127.0.0.1:1"]
LINES = ["ps -a", "logs web --tail 5", "stop web", "inspect web", "images", "pull busybox", "version", "run web"]


def _ctx(address: str) -> Context:
    presets = Presets.parse("services:\n  web:\n    image: busybox\n", base=Presets.empty().base)
    return Context(Engine(base_url=address, timeout=5), presets, visible=COMMANDS)


@pytest.mark.parametrize("address", ADDRESSES)
@pytest.mark.parametrize("line", LINES)
def test_commands_say_cannot_connect(address: str, line: str) -> None:
    expected = f"Cannot connect to the Docker daemon at {address}. Is the docker daemon running?"
    with pytest.raises(EngineUnavailable) as caught:
        run(_ctx(address), line)
    assert caught.value.message == expected


@pytest.mark.parametrize("address", ADDRESSES)
@pytest.mark.parametrize("line", ["rm -f web", "cleanup", "image prune", "image rm busybox"])
def test_destructive_plans_say_cannot_connect(address: str, line: str) -> None:
    with pytest.raises(EngineUnavailable, match=f"Cannot connect to the Docker daemon at {address}"):
        plan(_ctx(address), line)


def test_dispatcher_refuses_with_the_message_and_help_still_works() -> None:
    engine = Engine(base_url=ADDRESSES[0], timeout=5)
    dispatcher = Dispatcher(engine, Presets.empty())
    reply = dispatcher.handle(Invocation("ps"))
    assert reply == Refusal(f"Cannot connect to the Docker daemon at {ADDRESSES[0]}. Is the docker daemon running?")
    assert not engine.ping()
    assert not isinstance(dispatcher.handle(Invocation("help")), Refusal)  # help needs no engine
