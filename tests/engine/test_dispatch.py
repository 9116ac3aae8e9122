"""The dispatcher against the real engine: answers, refusals, and propose → confirm running exactly the plan."""

from __future__ import annotations

import docker
import pytest

from bot.dispatch import Answer, Dispatcher, Invocation, Proposal, Refusal
from commands.engine import Engine
from commands.presets import Presets
from commands.results import Outcome, Table
from tests.engine.conftest import MakeContainer
from tests.engine.helpers import exists, status
from tests.testbed import RUN_ID, TEST_IMAGE, TEST_LABEL

pytestmark = pytest.mark.engine


@pytest.fixture
def dispatcher(engine: Engine) -> Dispatcher:
    return Dispatcher(engine, Presets.empty())


def test_reads_answer_and_bad_input_is_refused(dispatcher: Dispatcher, make_container: MakeContainer) -> None:
    name = make_container(["sleep", "300"], kind="disp")
    reply = dispatcher.handle(Invocation(f"ps -f label={TEST_LABEL}={RUN_ID} -f name={name}"))
    assert isinstance(reply, Answer) and isinstance(reply.result, Table)
    assert [row[0] for row in reply.result.rows] == [name]

    refused = dispatcher.handle(Invocation("logs"))
    assert isinstance(refused, Refusal) and refused.usage.startswith("logs CONTAINER")
    missing = dispatcher.handle(Invocation(f"logs dockbot-test-{RUN_ID}-nobody"))
    assert isinstance(missing, Refusal) and "No such container" in missing.message


def test_confirm_runs_exactly_the_plan(
    dispatcher: Dispatcher, make_container: MakeContainer, docker_client: docker.DockerClient
) -> None:
    planned = make_container(["true"], kind="disp-rm", start=False)
    planned_id = docker_client.api.inspect_container(planned)["Id"]
    proposal = dispatcher.handle(Invocation(f"rm {planned}"))
    assert isinstance(proposal, Proposal)
    assert [(t.id, t.name) for t in proposal.plan.targets] == [(planned_id, planned)]
    assert exists(docker_client.api.inspect_container, planned)  # proposing touches nothing

    # Meanwhile the name comes to mean another container: confirming removes the planned one only.
    docker_client.api.rename(planned, f"{planned}-old")
    newcomer = docker_client.api.create_container(TEST_IMAGE, ["true"], name=planned, labels={TEST_LABEL: RUN_ID})["Id"]
    try:
        done = dispatcher.confirm(proposal.token)
        assert isinstance(done, Answer) and isinstance(done.result, Outcome) and done.result.ok
        assert not exists(docker_client.api.inspect_container, planned_id)
        assert status(docker_client, newcomer) == "created"
        again = dispatcher.confirm(proposal.token)
        assert isinstance(again, Refusal)  # a token works once
    finally:
        docker_client.api.remove_container(newcomer, force=True)


def test_a_running_container_is_refused_and_cancel_touches_nothing(
    dispatcher: Dispatcher, make_container: MakeContainer, docker_client: docker.DockerClient
) -> None:
    up = make_container(["sleep", "300"], kind="disp-up")
    refused = dispatcher.handle(Invocation(f"rm {up}"))
    assert isinstance(refused, Refusal) and "cannot remove a running container" in refused.message
    assert status(docker_client, up) == "running"

    proposal = dispatcher.handle(Invocation(f"rm -f {up}"))
    assert isinstance(proposal, Proposal)
    assert isinstance(dispatcher.cancel(proposal.token), Answer)
    assert isinstance(dispatcher.confirm(proposal.token), Refusal)
    assert status(docker_client, up) == "running"
