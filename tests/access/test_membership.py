"""Membership sources against the fake Slack: user groups (with their cache), the Unix group, e-mail mapping."""

from __future__ import annotations

from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.access import Membership, MembershipUnknown, Policy
from bot.dispatch import Invocation
from bot.slack_directory import SlackDirectory
from commands import Access
from tests.slack.fake_slack import FakeSlack


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def directory(fake: FakeSlack) -> SlackDirectory:
    return SlackDirectory(WebClient(token="xoxb-test", base_url=fake.api_url))


@pytest.mark.parametrize("group", ["docker-ops", "@docker-ops", "S0DOCKER1"])
def test_usergroup_by_handle_or_id_and_its_cache(fake: FakeSlack, group: str) -> None:
    fake.add_usergroup("S0DOCKER1", "docker-ops", ["U1"])
    clock = Clock()
    membership = Membership(usergroup=group, directory=directory(fake), cache_seconds=30, clock=clock)
    assert membership.is_member("U1") and not membership.is_member("U2")

    fake.usergroups["S0DOCKER1"]["users"] = ["U1", "U2"]
    clock.now = 29
    assert not membership.is_member("U2"), "still the cached member list"
    clock.now = 31
    assert membership.is_member("U2"), "the group changed and the cache time has passed"
    fake.usergroups["S0DOCKER1"]["users"] = ["U2"]
    clock.now = 62
    assert not membership.is_member("U1"), "removed from the group: no longer a member"


def test_unknown_usergroup_handle_fails_closed(fake: FakeSlack) -> None:
    membership = Membership(usergroup="nobody-here", directory=directory(fake))
    policy = Policy(membership)
    decision = policy.check(Invocation("ps", "U1", "C1"), Access.READ)
    assert not decision.allowed
    assert "no Slack user group @nobody-here" in decision.reason


def test_slack_api_failure_fails_closed(fake: FakeSlack) -> None:
    fake.add_usergroup("S0DOCKER1", "docker-ops", ["U1"])
    fake.fail_next("usergroups.users.list", error="missing_scope")
    membership = Membership(usergroup="S0DOCKER1", directory=directory(fake))
    with pytest.raises(MembershipUnknown, match="missing_scope"):
        membership.is_member("U1")
    assert membership.is_member("U1"), "the next lookup works again"


@pytest.fixture
def group_file(tmp_path: Path) -> Path:
    path = tmp_path / "group"
    path.write_text("root:x:0:\ndocker:x:998:alice,bob\nstaff:x:50:carol\n")
    return path


def test_unix_group_through_the_explicit_map(fake: FakeSlack, group_file: Path) -> None:
    membership = Membership(
        unix_group="docker", user_map={"U1": "alice", "U3": "carol"}, group_file=group_file, directory=directory(fake)
    )
    assert membership.is_member("U1")
    assert not membership.is_member("U3"), "carol is in staff, not docker"
    assert not fake.calls_to("users.info"), "the map answers without asking Slack"


def test_unix_group_through_the_email_local_part(fake: FakeSlack, group_file: Path) -> None:
    fake.add_user("U2", "Bob B.", email="bob@example.com")
    fake.add_user("U4", "Dave", email="dave@example.com")
    fake.add_user("U5", "Nomail")
    membership = Membership(unix_group="docker", group_file=group_file, directory=directory(fake))
    assert membership.is_member("U2")
    assert not membership.is_member("U4")
    assert not membership.is_member("U5")


def test_missing_group_or_file_fails_closed(fake: FakeSlack, group_file: Path, tmp_path: Path) -> None:
    no_group = Membership(unix_group="wheel", user_map={"U1": "alice"}, group_file=group_file)
    with pytest.raises(MembershipUnknown, match="no group `wheel`"):
        no_group.is_member("U1")
    no_file = Membership(unix_group="docker", user_map={"U1": "alice"}, group_file=tmp_path / "absent")
    decision = Policy(no_file).check(Invocation("ps", "U1", "C1"), Access.READ)
    assert not decision.allowed and "cannot read" in decision.reason


def test_sources_combine(fake: FakeSlack, group_file: Path) -> None:
    fake.add_usergroup("S0DOCKER1", "docker-ops", ["U7"])
    membership = Membership(
        users=frozenset({"U9"}),
        usergroup="S0DOCKER1",
        unix_group="docker",
        user_map={"U1": "alice"},
        group_file=group_file,
        directory=directory(fake),
    )
    fake.add_user("U8", "Eve", email="eve@example.com")
    assert [membership.is_member(u) for u in ("U9", "U7", "U1", "U8")] == [True, True, True, False]
