"""What access control protects in practice: nothing runs when denied, protected containers survive,
the audit trail keeps everything across a restart, and no secret reaches Slack."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from bot.audit import AuditTrail
from tests.access.slack_path import BOT_TOKEN, SECRET, settings_for, slack_path, text_of
from tests.slack.fake_slack import FakeSlack
from tests.slack.slack_render_helpers import button_value
from tests.testbed import RUN_ID, TEST_IMAGE

MEMBER, OTHER, OPS = "UMEMBER01", "UOTHER001", "COPS00001"
ENV_SECRET = "hunter2-correct-horse-battery-staple"


@pytest.fixture
def containers(engine_up: docker.DockerClient) -> Iterator[list[str]]:
    """Names created by a test; force-removed afterwards (the session cleanup catches the rest by label)."""
    made: list[str] = []
    yield made
    for name in made:
        with contextlib.suppress(docker.errors.NotFound):
            engine_up.containers.get(name).remove(force=True)


def start(
    client: docker.DockerClient,
    made: list[str],
    suffix: str,
    *,
    labels: dict[str, str] | None = None,
    command: str = "sleep 300",
    env: dict[str, str] | None = None,
) -> str:
    name = f"dockbot-test-{RUN_ID}-{suffix}"
    client.containers.run(
        TEST_IMAGE,
        ["sh", "-c", command],
        name=name,
        detach=True,
        environment=env or {},
        labels={"dockbot.test": RUN_ID, **(labels or {})},
    )
    made.append(name)
    return name


def state(client: docker.DockerClient, name: str) -> str:
    return str(client.containers.get(name).status)


def test_a_denied_stop_changes_nothing_and_is_audited(
    fake: FakeSlack, engine_up: docker.DockerClient, containers: list[str]
) -> None:
    name = start(engine_up, containers, "denied")
    path = slack_path(fake, settings_for(fake, chatops_docker_group_users=MEMBER))
    reply = path.command(f"stop {name}", user=OTHER, channel=OPS)
    assert "permission denied" in text_of(reply)
    assert state(engine_up, name) == "running"
    assert path.dispatcher.audit is not None
    (record,) = path.dispatcher.audit.entries(last=5)
    assert (record.user_id, record.command, record.decision) == (OTHER, f"stop {name}", "denied")


def test_a_non_members_confirm_does_nothing_but_explain(
    fake: FakeSlack, engine_up: docker.DockerClient, containers: list[str]
) -> None:
    name = start(engine_up, containers, "confirm", command="true")
    engine_up.containers.get(name).wait()
    path = slack_path(fake, settings_for(fake, chatops_docker_group_users=MEMBER))
    plan = path.command(f"rm {name}", user=MEMBER, channel=OPS)
    token = button_value(plan, "dockbot_confirm")
    refused = path.click("dockbot_confirm", token, user=OTHER, channel=OPS)
    assert "are not in the docker group" in text_of(refused)
    assert refused.get("replace_original") is not True, "the plan stays for a member to confirm"
    assert state(engine_up, name) == "exited"
    done = path.click("dockbot_confirm", token, user=MEMBER, channel=OPS)
    assert f"Removed {name}" in text_of(done)
    with pytest.raises(docker.errors.NotFound):
        engine_up.containers.get(name)


def test_protected_containers_survive_stop_rm_and_cleanup(
    fake: FakeSlack, engine_up: docker.DockerClient, containers: list[str]
) -> None:
    guarded = start(engine_up, containers, "guarded", labels={"dockbot.protected": "true"})
    exited = start(engine_up, containers, "guarded-exited", labels={"dockbot.protected": "true"}, command="true")
    engine_up.containers.get(exited).wait()
    path = slack_path(fake, settings_for(fake, chatops_docker_group_users=MEMBER))

    stop = text_of(path.command(f"stop {guarded}", user=MEMBER, channel=OPS))
    assert f"{guarded} is protected by the label dockbot.protected=true" in stop and "Nothing was done" in stop
    rm = text_of(path.command(f"rm -f {guarded}", user=MEMBER, channel=OPS))
    assert "Refused" in rm and "dockbot_confirm" not in rm
    cleanup = path.command("cleanup", user=MEMBER, channel=OPS)
    assert "Left alone: " in text_of(cleanup) and f"{exited} (protected by the label" in text_of(cleanup)
    planned = (
        path.dispatcher._peek(button_value(cleanup, "dockbot_confirm"))
        if "dockbot_confirm" in json.dumps(cleanup)
        else None
    )
    if planned is not None:
        assert exited not in [t.name for t in planned.plan.targets]
    assert state(engine_up, guarded) == "running" and state(engine_up, exited) == "exited"


def test_dockbot_never_touches_its_own_container(
    fake: FakeSlack, engine_up: docker.DockerClient, containers: list[str]
) -> None:
    itself = start(engine_up, containers, "itself")
    path = slack_path(fake, settings_for(fake, chatops_docker_group_users=MEMBER))
    path.dispatcher.own_container = engine_up.containers.get(itself).id
    for text in (f"stop {itself}", f"restart {itself}", f"rm -f {itself}"):
        assert "dockbot's own container" in text_of(path.command(text, user=MEMBER, channel=OPS)), text
    assert state(engine_up, itself) == "running"


def test_the_audit_trail_survives_a_restart(tmp_path: Path, fake: FakeSlack, engine_up: docker.DockerClient) -> None:
    db = tmp_path / "audit.db"
    settings = settings_for(fake, chatops_docker_group_users=MEMBER, chatops_audit_db=db)
    first = slack_path(fake, settings)
    first.command("version", user=MEMBER, channel=OPS, user_name="alice")
    first.command("stop nothing-here", user=OTHER, channel=OPS, user_name="mallory")
    assert first.dispatcher.audit is not None
    first.dispatcher.audit.close()

    again = slack_path(fake, settings)
    shown = text_of(again.command("audit --user @mallory", user=MEMBER, channel=OPS))
    assert "stop nothing-here" in shown and "denied" in shown and "version" not in shown
    records = AuditTrail(db).entries(last=10)
    assert [(r.command, r.decision) for r in records][-2:] == [("stop nothing-here", "denied"), ("version", "allowed")]
    assert all(r.duration_ms >= 0 and r.at is not None for r in records)


def test_no_secret_reaches_slack(fake: FakeSlack, engine_up: docker.DockerClient, containers: list[str]) -> None:
    name = start(engine_up, containers, "secret", env={"DB_PASSWORD": ENV_SECRET}, command="echo started; sleep 300")
    path = slack_path(fake, settings_for(fake, chatops_docker_group_users=MEMBER))
    for text in (f"inspect {name}", "ps -a", f"logs {name}", "version", "audit", "help inspect"):
        path.command(text, user=MEMBER, channel=OPS)
    path.command(f"inspect {name}", user=OTHER, channel=OPS)
    received = fake.all_text()
    assert "DB_PASSWORD=***" in received
    for secret in (ENV_SECRET, BOT_TOKEN, SECRET):
        assert secret not in received
