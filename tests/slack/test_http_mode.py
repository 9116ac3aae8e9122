"""dockbot in HTTP mode, a real process, driven by signed requests exactly as Slack sends them.

Assertions are on what Slack would have received (response_url posts, uploads) and on the engine itself.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import docker
import docker.errors

from tests.engine.helpers import wait_until
from tests.slack.bot_process import CHANNEL, MEMBER, OUTSIDER, BotProcess, SlackSender
from tests.slack.conftest import LOG_LINES, HeldResponseUrl
from tests.slack.fake_slack import FakeSlack
from tests.slack.limits import assert_within_limits
from tests.slack.signing import block_actions_payload, interaction_body, sign, slash_command_body
from tests.testbed import REGISTRY, TEST_IMAGE

ACK_LIMIT = 3.0  # Slack shows "Timeout was reached" after 3 s


def answer(fake: FakeSlack, name: str, count: int = 1, timeout: float = 20) -> dict[str, Any]:
    """The `count`-th post to response_url `name`, checked against Slack's limits."""
    body = fake.wait_for(f"/response/{name}", timeout=timeout, count=count).body
    assert_within_limits(body)
    return body


def text_of(message: dict[str, Any]) -> str:
    """Everything a person reads in a message: fallback text plus every text in its blocks."""
    parts = [message.get("text", "")]
    for block in message.get("blocks") or []:
        parts += [block.get("text", {}).get("text", "")]
        parts += [e.get("text", "") for e in block.get("elements") or [] if isinstance(e.get("text"), str)]
    return "\n".join(parts)


def buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The buttons of a message by their label."""
    found = {}
    for block in message.get("blocks") or []:
        if block.get("type") == "actions":
            for element in block["elements"]:
                found[element["text"]["text"]] = element
    return found


def click(slack: SlackSender, fake: FakeSlack, button: dict[str, Any], name: str, user: str = MEMBER) -> None:
    payload = block_actions_payload(
        button["action_id"], button["value"], user_id=user, channel_id=CHANNEL, response_url=fake.response_url(name)
    )
    sent = slack.interaction(payload)
    assert sent.status == 200, sent.body


def exists(docker_client: docker.DockerClient, container: str) -> bool:
    try:
        docker_client.api.inspect_container(container)
    except docker.errors.NotFound:
        return False
    return True


# -- the conversation --------------------------------------------------------------------------------------


def test_ps_answers_in_channel_with_a_monospace_table(
    slack: SlackSender, fake: FakeSlack, name: str, container: Callable[..., str]
) -> None:
    running = container()
    text = f"ps -a --filter name={running}"  # other runs may share the engine: keep the table small
    sent = slack.command(text, fake.response_url(name))
    assert sent.status == 200 and sent.seconds < ACK_LIMIT
    reply = answer(fake, name)
    assert reply["response_type"] == "in_channel"
    assert not reply.get("replace_original")
    shown = text_of(reply)
    assert f"<@{MEMBER}> ran `{text}`" in shown
    assert "```" in shown and "NAME" in shown and running in shown


def test_errors_are_a_short_warning_with_the_usage(slack: SlackSender, fake: FakeSlack, name: str) -> None:
    slack.command("logs", fake.response_url(name))
    reply = answer(fake, name)
    assert reply["text"].startswith(":warning:")
    assert "Usage: `logs" in reply["text"]
    assert len(reply["text"]) < 500
    assert reply["response_type"] == "ephemeral"


def test_unknown_command_is_a_short_warning(slack: SlackSender, fake: FakeSlack, name: str) -> None:
    slack.command("frobnicate --all", fake.response_url(name))
    reply = answer(fake, name)
    assert reply["text"].startswith(":warning:") and "frobnicate" in reply["text"]
    assert len(reply["text"]) < 500


def test_a_command_of_3000_characters_gets_a_short_error(slack: SlackSender, fake: FakeSlack, name: str) -> None:
    sent = slack.command("ps " + "a" * 2997, fake.response_url(name))
    assert sent.status == 200 and sent.seconds < ACK_LIMIT
    reply = answer(fake, name)
    assert reply["text"].startswith(":warning:") and "3000 characters" in reply["text"]
    assert len(reply["text"]) < 300 and len(json.dumps(reply)) < 1000


def test_commands_are_checked_against_the_docker_group(slack: SlackSender, fake: FakeSlack, name: str) -> None:
    slack.command("ps -a", fake.response_url(name), user=OUTSIDER)
    reply = answer(fake, name)
    assert "permission denied" in reply["text"] and "```" not in text_of(reply)


def test_long_logs_arrive_whole_as_a_file(
    slack: SlackSender, fake: FakeSlack, name: str, docker_client: docker.DockerClient
) -> None:
    cname = f"chatty-{name}"
    slack.command(f"run chatty --name {cname}", fake.response_url(name))
    assert "Started" in text_of(answer(fake, name))
    wait_until(lambda: docker_client.api.inspect_container(cname)["State"]["Status"] == "exited", what="exit")

    uploads_before = set(fake.uploads)
    slack.command(f"logs {cname} --tail 5000", fake.response_url(name))
    reply = answer(fake, name, count=2)
    assert "5000 lines" in reply["text"] and "file" in reply["text"]
    assert len(reply["blocks"]) <= 3 and "```" not in text_of(reply)  # a one-line summary, not the log

    completed = fake.wait_for("files.completeUploadExternal", count=len(fake.calls_to("files.completeUploadExternal")))
    assert completed.body.get("channel_id") == CHANNEL
    new = [u for fid, u in fake.uploads.items() if fid not in uploads_before and u.completed]
    assert len(new) == 1 and new[0].filename.endswith(".txt")
    assert new[0].content is not None
    lines = new[0].content.decode().splitlines()
    assert lines == [str(n) for n in range(LOG_LINES - 4999, LOG_LINES + 1)]


def test_rate_limited_upload_is_retried_after_retry_after(
    slack: SlackSender, fake: FakeSlack, name: str, docker_client: docker.DockerClient
) -> None:
    cname = f"chatty-{name}"
    slack.command(f"run chatty --name {cname}", fake.response_url(name))
    answer(fake, name)
    wait_until(lambda: docker_client.api.inspect_container(cname)["State"]["Status"] == "exited", what="exit")

    before = len(fake.calls_to("files.getUploadURLExternal"))
    fake.fail_next("files.getUploadURLExternal", 429, retry_after=1)
    slack.command(f"logs {cname} --tail 3000", fake.response_url(name))
    reply = answer(fake, name, count=2, timeout=30)
    assert "3000 lines" in reply["text"] and "Could not attach" not in text_of(reply)
    tries = fake.calls_to("files.getUploadURLExternal")[before:]
    assert len(tries) == 2, [c.method for c in tries]
    assert tries[1].at - tries[0].at >= 0.9  # waited for Retry-After
    upload = fake.uploads[fake.calls_to("files.completeUploadExternal")[-1].body["files"][0]["id"]]
    assert upload.content is not None and len(upload.content.decode().splitlines()) == 3000


# -- destructive commands: plan, Confirm / Cancel -------------------------------------------------------------


def plan_for(slack: SlackSender, fake: FakeSlack, name: str, text: str) -> dict[str, Any]:
    slack.command(text, fake.response_url(name))
    plan = answer(fake, name)
    found = buttons(plan)
    assert set(found) == {"Confirm", "Cancel"}, text_of(plan)
    assert found["Confirm"]["style"] == "danger"
    dialog = found["Confirm"]["confirm"]
    assert dialog["title"]["text"] and dialog["confirm"]["text"] and dialog["deny"]["text"]
    assert found["Confirm"]["value"] == found["Cancel"]["value"]
    return plan


def test_rm_confirm_removes_exactly_the_plan_once(
    slack: SlackSender, fake: FakeSlack, name: str, container: Callable[..., str], docker_client: docker.DockerClient
) -> None:
    doomed, bystander = container(), container()
    plan = plan_for(slack, fake, name, f"rm -f {doomed}")
    assert doomed in text_of(plan) and bystander not in text_of(plan)
    assert exists(docker_client, doomed), "a plan must not touch anything"
    confirm = buttons(plan)["Confirm"]

    click(slack, fake, confirm, f"{name}-c1")
    outcome = answer(fake, f"{name}-c1")
    assert outcome["replace_original"] is True
    assert "Removed" in text_of(outcome) and doomed in text_of(outcome)
    assert not buttons(outcome)
    assert not exists(docker_client, doomed)
    assert exists(docker_client, bystander)

    click(slack, fake, confirm, f"{name}-c2")  # a second click
    again = answer(fake, f"{name}-c2")
    assert "expired or was already used" in again["text"]
    assert not again.get("replace_original"), "the outcome must stay visible"
    assert exists(docker_client, bystander)


def test_cancel_keeps_the_container_and_spends_the_plan(
    slack: SlackSender, fake: FakeSlack, name: str, container: Callable[..., str], docker_client: docker.DockerClient
) -> None:
    kept = container()
    plan = plan_for(slack, fake, name, f"rm -f {kept}")

    click(slack, fake, buttons(plan)["Cancel"], f"{name}-x")
    cancelled = answer(fake, f"{name}-x")
    assert cancelled["replace_original"] is True and "Cancelled" in text_of(cancelled)
    assert not buttons(cancelled)

    click(slack, fake, buttons(plan)["Confirm"], f"{name}-late")
    late = answer(fake, f"{name}-late")
    assert "expired or was already used" in late["text"]
    assert exists(docker_client, kept)
    assert docker_client.api.inspect_container(kept)["State"]["Running"]


def test_confirm_by_someone_outside_the_docker_group_is_refused(
    slack: SlackSender, fake: FakeSlack, name: str, container: Callable[..., str], docker_client: docker.DockerClient
) -> None:
    kept = container()
    plan = plan_for(slack, fake, name, f"rm -f {kept}")
    click(slack, fake, buttons(plan)["Confirm"], f"{name}-bob", user=OUTSIDER)
    refused = answer(fake, f"{name}-bob")
    assert "permission denied" in refused["text"]
    assert exists(docker_client, kept)


# -- pull --------------------------------------------------------------------------------------------------------


def test_pull_ends_with_the_digest(
    slack: SlackSender, fake: FakeSlack, name: str, docker_client: docker.DockerClient
) -> None:
    ref = f"{REGISTRY}/{TEST_IMAGE}"
    slack.command(f"pull {ref}", fake.response_url(name))
    final = fake.wait_for(lambda c: c.method == f"/response/{name}" and "Pulled" in str(c.body), timeout=30)
    posts = fake.responses(name)
    assert posts[-1] is final and len(posts) <= 5
    for number, progress in enumerate(posts[:-1]):
        assert "Pulling" in progress.body["text"]
        assert progress.body.get("replace_original", False) is (number > 0)  # the first one has no original
    if len(posts) > 1:
        assert final.body["replace_original"] is True
        gaps = [b.at - a.at for a, b in itertools.pairwise(posts[:-1])]
        assert all(gap >= 0.9 for gap in gaps), gaps  # at most about once a second
    digest = docker_client.api.inspect_image(ref)["RepoDigests"][0].split("@")[1]
    assert digest in final.body["text"]


def test_pull_error_from_the_stream_is_shown(slack: SlackSender, fake: FakeSlack, name: str) -> None:
    slack.command(f"pull {REGISTRY}/dockbot-test/no-such-image:latest", fake.response_url(name))
    final = fake.wait_for(lambda c: c.method == f"/response/{name}" and ":warning:" in str(c.body), timeout=30)
    assert "no-such-image" in final.body["text"] or "not found" in final.body["text"].lower()
    assert "Pulled" not in final.body["text"]


# -- acks under load ---------------------------------------------------------------------------------------------


def test_acks_stay_fast_while_30_commands_hold_every_worker(
    slack: SlackSender, fake: FakeSlack, held_response_url: HeldResponseUrl
) -> None:
    """The answers of 30 commands hang at Slack's end, so every worker is busy; acks must not notice."""
    urls = [f"{held_response_url.url}/response/held-{i}" for i in range(30)]
    with ThreadPoolExecutor(max_workers=30) as pool:
        sent = list(pool.map(lambda url: slack.command("ps -a", url), urls))
    assert all(s.status == 200 for s in sent)
    slowest = max(s.seconds for s in sent)
    assert slowest < ACK_LIMIT, f"slowest ack {slowest:.3f}s"

    held_response_url.wait("held", 4, timeout=20)  # workers are stuck in their answers now
    late = slack.command("version", fake.response_url("late-ack"))
    assert late.status == 200 and late.seconds < ACK_LIMIT, late
    held_response_url.release()
    held_response_url.wait("answered", 30, timeout=30)
    answer(fake, "late-ack", timeout=30)


# -- signatures and odd requests ---------------------------------------------------------------------------------


def _command(fake: FakeSlack, name: str) -> bytes:
    return slash_command_body("ps -a", user_id=MEMBER, channel_id=CHANNEL, response_url=fake.response_url(name))


def test_bad_stale_or_missing_signatures_get_401_and_nothing_runs(
    slack: SlackSender, fake: FakeSlack, name: str, bot: BotProcess
) -> None:
    body = _command(fake, name)
    now = int(time.time())
    attempts = {
        "wrong secret": sign("not-the-secret", body),
        "stale": sign(slack.secret, body, timestamp=now - 301),
        "from the future": sign(slack.secret, body, timestamp=now + 400),
        "missing": {},
        "timestamp only": {"X-Slack-Request-Timestamp": str(now)},
        "tampered body": sign(slack.secret, body.replace(b"ps", b"rm")),
    }
    for why, headers in attempts.items():
        sent = slack.post(body, headers)
        assert sent.status == 401, f"{why}: {sent}"
    # A good request afterwards is answered, and the rejected ones never were (they were sent first).
    slack.command("version", fake.response_url(f"{name}-good"))
    answer(fake, f"{name}-good")
    assert fake.responses(name) == []
    assert bot.alive()


def test_unknown_payload_types_do_not_hurt(slack: SlackSender, fake: FakeSlack, name: str, bot: BotProcess) -> None:
    odd = [
        {"type": "no_such_type", "user": {"id": MEMBER}, "response_url": fake.response_url(name)},
        {"type": "block_actions", "user": {"id": MEMBER}, "actions": [{"action_id": "unknown", "value": "x"}]},
        {"type": "view_submission", "user": {"id": MEMBER}},
    ]
    for payload in odd:
        sent = slack.post(interaction_body(payload))
        assert sent.status in (200, 400, 404), sent
    for raw in (b"payload=not-json", b"payload=%7B%22type", b"", b"command=%2Fother&text=x&user_id=U1&channel_id=C1"):
        sent = slack.post(raw)
        assert 400 <= sent.status < 500 or sent.status == 200, (raw, sent)
        unsigned = slack.post(raw, headers={})
        assert 400 <= unsigned.status < 500, (raw, unsigned)
    assert bot.alive()
    status, body = bot.get("/healthz")
    assert status == 200 and json.loads(body)["engine"] == "reachable"
    slack.command("version", fake.response_url(f"{name}-after"))
    answer(fake, f"{name}-after")
    assert fake.responses(name) == []


def test_healthz_and_unknown_paths(bot: BotProcess) -> None:
    status, body = bot.get("/healthz")
    assert status == 200 and json.loads(body) == {"ok": True, "engine": "reachable"}
    assert bot.get("/nothing-here")[0] == 404
