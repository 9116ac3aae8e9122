"""Every command by every kind of caller, through the Slack path: who may run what, and what they are told."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import docker
import pytest

from commands import COMMANDS, Access
from tests.access.slack_path import SlackPath, settings_for, slack_path, text_of
from tests.slack.fake_slack import FakeSlack
from tests.slack.limits import assert_within_limits

MEMBER, OTHER = "UMEMBER01", "UOTHER001"
OPS, ELSEWHERE = "COPS00001", "CELSE0001"

# One harmless invocation per command: allowed ones may fail later (no such container), never change anything.
SAMPLES = {
    "ps": "ps -a",
    "run": "run no-such-preset",
    "logs": "logs dockbot-no-such-container",
    "stop": "stop dockbot-no-such-container",
    "start": "start dockbot-no-such-container",
    "restart": "restart dockbot-no-such-container",
    "rm": "rm dockbot-no-such-container",
    "inspect": "inspect dockbot-no-such-container",
    "images": "images dockbot-no-such-repository",
    "pull": "pull 127.0.0.1:5000/dockbot-test/busybox:no-such-tag",
    "image prune": "image prune --filter until=87600h",
    "image rm": "image rm dockbot-no-such-image:none",
    "cleanup": "cleanup --filter until=87600h",
    "presets": "presets",
    "audit": "audit --last 1",
    "version": "version",
    "help": "help",
}


class Verdict(Enum):
    ALLOWED = "allowed"
    NOT_MEMBER = "are not in the docker group"
    WRONG_CHANNEL = "does not take commands in this channel"
    UNKNOWN = "could not check docker group membership"


def expected(role: str, access: Access) -> Verdict:
    if role == "member":
        return Verdict.ALLOWED
    if role == "wrong channel":
        return Verdict.WRONG_CHANNEL
    if role == "lookup failing":
        return Verdict.UNKNOWN
    if role == "reader" and access is Access.READ:
        return Verdict.ALLOWED
    return Verdict.NOT_MEMBER


ROLES = {
    # role: (user, channel, extra settings)
    "member": (MEMBER, OPS, {}),
    "non-member": (OTHER, OPS, {}),
    "reader": (OTHER, OPS, {"chatops_readers": "everyone"}),
    "wrong channel": (MEMBER, ELSEWHERE, {}),
    "lookup failing": (OTHER, OPS, {"chatops_docker_group_usergroup": "docker-ops"}),
}


def test_every_command_has_a_sample() -> None:
    assert set(SAMPLES) == {cls.command_name() for cls in COMMANDS}


@pytest.mark.parametrize("role", list(ROLES))
def test_decision_table(role: str, fake: FakeSlack, engine_up: docker.DockerClient) -> None:
    user, channel, extra = ROLES[role]
    fake.fail_next("usergroups.list", error="ratelimited", times=1000)
    settings = settings_for(fake, chatops_docker_group_users=MEMBER, chatops_allowed_channels=f"{OPS}", **extra)
    path = slack_path(fake, settings)
    for cls in COMMANDS:
        reply = path.command(SAMPLES[cls.command_name()], user=user, channel=channel)
        assert_within_limits(reply)
        verdict = expected(role, cls.access)
        said = text_of(reply)
        denials = [v for v in Verdict if v is not Verdict.ALLOWED and v.value in said]
        if verdict is Verdict.ALLOWED:
            assert not denials, f"{cls.command_name()} was refused for {role}: {said}"
        else:
            assert denials == [verdict], f"{cls.command_name()} for {role}: {said}"
            assert reply["response_type"] == "ephemeral"
    records = path.dispatcher.audit.entries(last=100) if path.dispatcher.audit else []
    assert len(records) == len(COMMANDS)
    wanted = {cls.command_name(): expected(role, cls.access) for cls in COMMANDS}
    for record in records:
        name = next(n for n, text in SAMPLES.items() if text == record.command)
        assert (record.decision == "allowed") == (wanted[name] is Verdict.ALLOWED), record


def test_denial_reads_like_docker_and_says_how_to_join(
    fake: FakeSlack, engine_up: docker.DockerClient, tmp_path: Path
) -> None:
    (tmp_path / "group").write_text("docker:x:999:alice\n")
    fake.add_user(OTHER, "mallory", email="mallory@example.com")
    settings = settings_for(
        fake,
        chatops_docker_group_users=MEMBER,
        chatops_docker_group_unix="docker",
        chatops_group_file=tmp_path / "group",
    )
    reply = slack_path(fake, settings).command("ps", user=OTHER, channel=OPS)
    said = text_of(reply)
    assert "permission denied" in said
    assert f"you ({OTHER}) are not in the docker group" in said
    assert "sudo usermod -aG docker" in said
    assert "CHATOPS_DOCKER_GROUP_USERS" in said


def test_help_lists_only_what_the_caller_may_run(fake: FakeSlack, engine_up: docker.DockerClient) -> None:
    settings = settings_for(fake, chatops_docker_group_users=MEMBER, chatops_readers="everyone")
    path: SlackPath = slack_path(fake, settings)
    reader_help = text_of(path.command("help", user=OTHER, channel=OPS))
    member_help = text_of(path.command("help", user=MEMBER, channel=OPS))
    for cls in COMMANDS:
        assert cls.usage().split(" [")[0].split(" CONTAINER")[0] in member_help
    assert "ps [-a]" in reader_help and "logs CONTAINER" in reader_help
    assert "rm [-f]" not in reader_help and "cleanup" not in reader_help and "audit" not in reader_help


def test_nobody_is_a_member_when_no_group_is_configured(fake: FakeSlack, engine_up: docker.DockerClient) -> None:
    reply = slack_path(fake, settings_for(fake)).command("ps", user=MEMBER, channel=OPS)
    assert "no docker group is configured" in text_of(reply)
