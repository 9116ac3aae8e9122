"""ChannelPoster against the fake Slack: Slack's pace, updates in place, and failures that do not stop it."""

from __future__ import annotations

import itertools
import logging

import pytest
from slack_sdk import WebClient

from bot.channel import ChannelPoster, Summary
from tests.slack.fake_slack import FakeSlack


def poster(slack: FakeSlack) -> ChannelPoster:
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    return ChannelPoster(client, "C0NOTIFY", Summary(("NAME",)), interval=0.5, gather=0.05)


def test_messages_are_paced_and_a_refusal_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    with FakeSlack() as slack:
        channel = poster(slack)
        channel.start()
        slack.fail_next("chat.postMessage", error="channel_not_found")
        with caplog.at_level(logging.WARNING, logger="bot.channel"):
            for n in range(3):
                channel.post(f"message {n}", [])
            slack.wait_for("chat.postMessage", count=3)
        channel.close()
        calls = slack.calls_to("chat.postMessage")
        assert [c.body["text"] for c in calls] == ["message 0", "message 1", "message 2"]
        assert all(later.at - earlier.at >= 0.45 for earlier, later in itertools.pairwise(calls))
        assert "chat.postMessage to C0NOTIFY failed" in caplog.text and "message 0" in caplog.text


def test_a_keyed_message_is_updated_in_place_and_a_burst_is_one_summary() -> None:
    with FakeSlack() as slack:
        channel = poster(slack)
        channel.start()
        channel.show("web", ("web",), lambda: ("web crashed", []))
        first = slack.wait_for("chat.postMessage")
        channel.show("web", ("web",), lambda: ("web crashed twice", []))
        update = slack.wait_for("chat.update")
        assert (first.body["text"], update.body["text"]) == ("web crashed", "web crashed twice")
        for n in range(5):
            channel.show(f"c{n}", (f"c{n}",), lambda: ("never rendered: folded", []))
        summary = slack.wait_for("chat.postMessage", count=2)
        channel.close()
        assert summary.body["text"] == ":rotating_light: 5 containers need attention:"
        assert "c0\nc1\nc2\nc3\nc4" in str(summary.body["blocks"][1]["text"]["text"])


def test_a_burst_takes_in_the_message_sent_just_before_it() -> None:
    """On a loaded host the first of many exits can arrive a gather window early: still one message."""
    with FakeSlack() as slack:
        channel = poster(slack)
        channel.start()
        channel.show("early", ("early",), lambda: ("early crashed", []))
        first = slack.wait_for("chat.postMessage")
        for n in range(4):
            channel.show(f"c{n}", (f"c{n}",), lambda: ("never rendered: folded", []))
        summary = slack.wait_for("chat.update")
        channel.close()
        assert first.body["text"] == "early crashed"
        assert len(slack.calls_to("chat.postMessage")) == 1, "the early message became the summary"
        assert summary.body["text"] == ":rotating_light: 5 containers need attention:"
        assert "early\nc0\nc1\nc2\nc3" in str(summary.body["blocks"][1]["text"]["text"])
