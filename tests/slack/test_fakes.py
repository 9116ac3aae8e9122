"""The fakes must behave like Slack, or the bot's Slack tests prove nothing: check them with real clients."""

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Ack, App, BoltRequest, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.webhook import WebhookClient

from tests.slack.fake_slack import FakeSlack
from tests.slack.limits import assert_within_limits, check_message
from tests.slack.signing import (
    block_actions_payload,
    interaction_body,
    sign,
    slash_command_body,
    slash_command_fields,
)
from tests.slack.socket_server import FakeSocketModeServer
from tests.slack.wire import parse_body

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.api_url)


# -- FakeSlack ---------------------------------------------------------------------------------------


def test_auth_test_and_post_message_are_recorded(fake: FakeSlack, client: WebClient) -> None:
    assert client.auth_test()["user_id"] == fake.bot_user_id
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    reply = client.chat_postMessage(channel="C1", text="hi", blocks=blocks)
    assert reply["channel"] == "C1" and reply["message"]["blocks"] == blocks
    call = fake.wait_for("chat.postMessage")
    assert call.body["text"] == "hi" and call.body["blocks"] == blocks
    assert call.headers["authorization"] == "Bearer xoxb-test"
    updated = client.chat_update(channel="C1", ts=reply["ts"], text="bye")
    assert updated["ts"] == reply["ts"]
    assert client.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"]
    assert client.chat_postMessage(channel="U1", text="dm")["channel"] == "D1"
    assert [c.method for c in fake.calls] == [
        "auth.test", "chat.postMessage", "chat.update", "chat.postEphemeral", "chat.postMessage",
    ]  # fmt: skip


def test_slack_errors_are_reproduced(fake: FakeSlack, client: WebClient) -> None:
    for call, error in [
        (lambda: client.chat_update(channel="C1", ts="1.2", text="x"), "message_not_found"),
        (lambda: client.chat_postMessage(channel="C1", text="x", blocks=[{"type": "divider"}] * 51), "invalid_blocks"),
        (lambda: client.chat_postMessage(channel="C1", text="x" * 40_001), "msg_too_long"),
        (lambda: client.api_call("no.such.method"), "unknown_method"),
        (lambda: WebClient(base_url=fake.api_url).auth_test(), "not_authed"),
        (lambda: client.apps_connections_open(app_token="xoxb-test"), "not_allowed_token_type"),
        (lambda: client.users_info(user="U404"), "user_not_found"),
    ]:
        with pytest.raises(SlackApiError) as raised:
            call()
        assert raised.value.response["error"] == error


def test_files_upload_v2_records_the_bytes(fake: FakeSlack, client: WebClient) -> None:
    content = "".join(f"line {i:07d}\n" for i in range(80_000)).encode()[: 1 << 20]
    reply = client.files_upload_v2(channel="C1", content=content, filename="ps.txt", initial_comment="ps")
    (upload,) = fake.uploads.values()
    assert upload.filename == "ps.txt" and upload.content == content and upload.length == len(content)
    assert upload.completed is not None and upload.completed["channel_id"] == "C1"
    assert reply["file"]["id"] == upload.file_id and reply["file"]["size"] == len(content)
    methods = [c.method for c in fake.calls]
    assert methods == ["files.getUploadURLExternal", f"/upload/v1/{upload.file_id}", "files.completeUploadExternal"]
    assert "line 0000042" in fake.all_text()


def test_rate_limit_is_retried_once_after_retry_after(fake: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake.api_url, retry_handlers=[RateLimitErrorRetryHandler()])
    fake.fail_next("chat.postMessage", retry_after=0)
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert len(fake.calls_to("chat.postMessage")) == 2


def test_without_retry_handler_429_raises(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="hi")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["retry-after"] == "7"


def test_scripted_api_error(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", error="channel_not_found", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError, match="channel_not_found"):
            client.chat_postMessage(channel="C1", text="hi")
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]


def test_users_and_usergroups(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U1", "alice", "alice@example.com")
    fake.add_usergroup("S1", "ops", ["U1", "U2"])
    fake.add_usergroup("S2", "old", ["U3"], date_delete=1700000001)
    assert client.users_info(user="U1")["user"]["profile"]["email"] == "alice@example.com"
    groups = client.usergroups_list()["usergroups"]
    assert [(g["handle"], "users" in g) for g in groups] == [("ops", False)]
    assert len(client.usergroups_list(include_users=True, include_disabled=True)["usergroups"]) == 2
    assert client.usergroups_users_list(usergroup="S1")["users"] == ["U1", "U2"]
    with pytest.raises(SlackApiError, match="no_such_subteam"):
        client.usergroups_users_list(usergroup="S404")


def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    url = fake.response_url("cmd1")
    assert WebhookClient(url).send(text="done", response_type="ephemeral").status_code == 200
    assert fake.wait_for("/response/cmd1").body == {"text": "done", "response_type": "ephemeral"}
    assert WebhookClient(url).send_dict({"blocks": [{"type": "nope"}]}).body == "invalid_blocks"
    assert len(fake.responses("cmd1")) == 2


def test_wait_for_times_out_with_what_was_seen(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    with pytest.raises(AssertionError, match=r"auth\.test"):
        fake.wait_for(lambda c: c.method == "chat.postMessage", timeout=0.2)


def test_all_text_has_bodies_but_not_tokens(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(
        channel="C1", text="a", blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "s3cr/t"}}]
    )
    fake.connections_url = "ws://127.0.0.1:9/link/"
    client.apps_connections_open(app_token="xapp-secret")
    text = fake.all_text()
    assert "s3cr/t" in text and "xoxb-test" not in text and "xapp-secret" not in text


def test_multipart_bodies_are_parsed() -> None:
    body = b'--B\r\nContent-Disposition: form-data; name="channels"\r\n\r\nC1\r\n--B\r\n'
    body += b'Content-Disposition: form-data; name="file"; filename="a.bin"\r\n'
    body += b"Content-Type: application/octet-stream\r\n\r\n\x00\xff\r\n--B--\r\n"
    parsed = parse_body("multipart/form-data; boundary=B", body)
    assert parsed["channels"] == "C1"
    assert (parsed["file"].filename, parsed["file"].content) == ("a.bin", b"\x00\xff")


# -- signing ---------------------------------------------------------------------------------------


def test_signature_verified_by_slack_sdk() -> None:
    body = slash_command_body("ps -a", user_id="U1", channel_id="C1", response_url="http://127.0.0.1/r")
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(body, sign(SECRET, body))
    assert not verifier.is_valid_request(body, sign("other", body))
    assert not verifier.is_valid_request(body, sign(SECRET, body, int(time.time()) - 301))


def test_slash_command_body_has_slacks_fields() -> None:
    body = slash_command_body("ps -a", user_id="U1", channel_id="C1", response_url="http://x/r")
    fields = parse_body("application/x-www-form-urlencoded", body)
    assert fields["text"] == "ps -a" and fields["command"] == "/docker" and fields["user_id"] == "U1"
    expected = {"token", "team_id", "team_domain", "channel_id", "channel_name", "user_id", "user_name",
                "command", "text", "api_app_id", "is_enterprise_install", "response_url", "trigger_id"}  # fmt: skip
    assert set(fields) == expected


def test_interaction_body_is_one_payload_field() -> None:
    payload = block_actions_payload("confirm", "rm web", user_id="U1", channel_id="C1", response_url="http://x/r")
    fields = parse_body("application/x-www-form-urlencoded", interaction_body(payload))
    assert list(fields) == ["payload"] and json.loads(fields["payload"]) == payload


# -- limits ----------------------------------------------------------------------------------------


def _button(**overrides: Any) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "action_id": "go", "value": "v"} | overrides


def _confirm(**overrides: Any) -> dict[str, Any]:
    plain = {"type": "plain_text", "text": "Sure?"}
    return {"title": plain, "text": {"type": "mrkdwn", "text": "Really?"}, "confirm": plain, "deny": plain} | overrides


GOOD: dict[str, Any] = {
    "response_type": "ephemeral",
    "text": "fallback",
    "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "Containers"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3000}, "accessory": _button()},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2000}] * 10},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 10},
        {"type": "actions", "block_id": "b" * 255, "elements": [_button(confirm=_confirm())] * 25},
        {"type": "rich_text", "elements": []},
        {"type": "markdown", "text": "m" * 12_000},
        {"type": "divider"},
    ],
}


def test_good_payloads_pass() -> None:
    assert check_message(GOOD) == []
    assert_within_limits({"blocks": [{"type": "divider"}] * 50, "text": "t" * 40_000})
    assert_within_limits({"blocks": json.dumps(GOOD["blocks"])})  # form-encoded clients send a JSON string


def _in_section(text: dict[str, Any]) -> dict[str, Any]:
    return {"blocks": [{"type": "section", "text": text}]}


def _in_actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"blocks": [{"type": "actions", "elements": list(elements)}]}


def _plain(n: int) -> dict[str, str]:
    return {"type": "plain_text", "text": "p" * n}


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"blocks": [{"type": "divider"}] * 51}, "51 blocks > 50"),
        ({"text": "t" * 40_001}, "text: 40001 chars > 40000"),
        ({"markdown_text": "m" * 12_001}, "markdown_text: 12001 chars > 12000"),
        ({"response_type": "public"}, "response_type"),
        (_in_section({"type": "mrkdwn", "text": "x" * 3001}), "(section).text: 3001 chars > 3000"),
        ({"blocks": [{"type": "section", "fields": [_plain(1)] * 11}]}, "fields: 11 items > 10"),
        ({"blocks": [{"type": "section", "fields": [_plain(2001)]}]}, "fields[0]: 2001 chars > 2000"),
        ({"blocks": [{"type": "section"}]}, "needs text or fields"),
        ({"blocks": [{"type": "header", "text": _plain(151)}]}, "(header).text: 151 chars > 150"),
        ({"blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}]}, "must be plain_text"),
        ({"blocks": [{"type": "context", "elements": [_plain(1)] * 11}]}, "elements: 11 items > 10"),
        (_in_actions(*[_button()] * 26), "elements: 26 items > 25"),
        (_in_actions(_button(text=_plain(76))), "elements[0].text: 76 chars > 75"),
        (_in_actions(_button(text={"type": "mrkdwn", "text": "b"})), "elements[0].text: type must be plain_text"),
        (_in_actions(_button(value="v" * 2001)), "value: 2001 chars > 2000"),
        (_in_actions(_button(action_id="a" * 256)), "action_id: 256 chars > 255"),
        ({"blocks": [{"type": "divider", "block_id": "b" * 256}]}, "block_id: 256 chars > 255"),
        (_in_actions(_button(url="https://" + "u" * 2993)), "url: 3001 chars > 3000"),
        (_in_actions(_button(confirm=_confirm(title=_plain(101)))), "confirm.title: 101 chars > 100"),
        (
            _in_actions(_button(confirm=_confirm(text={"type": "mrkdwn", "text": "t" * 301}))),
            "confirm.text: 301 chars > 300",
        ),
        (_in_actions(_button(confirm=_confirm(confirm=_plain(31)))), "confirm.confirm: 31 chars > 30"),
        (_in_actions(_button(confirm=_confirm(deny=_plain(31)))), "confirm.deny: 31 chars > 30"),
        (
            _in_actions(_button(confirm=_confirm(deny={"type": "mrkdwn", "text": "no"}))),
            "confirm.deny: type must be plain_text",
        ),
        ({"blocks": [{"type": "table_of_doom"}]}, "unknown block type 'table_of_doom'"),
        ({"blocks": [{"type": "markdown", "text": "m" * 6001}] * 2}, "12002 chars in all > 12000 cumulative"),
        (_in_section({"type": "mrkdwn", "text": ""}), "text must not be empty"),
        (_in_section({"type": "html", "text": "x"}), "unknown text object type 'html'"),
    ],
)
def test_each_limit_is_named(payload: dict[str, Any], expected: str) -> None:
    problems = check_message(payload)
    assert any(expected in p for p in problems), problems
    with pytest.raises(AssertionError, match="Slack limits broken"):
        assert_within_limits(payload)


# -- Socket Mode -----------------------------------------------------------------------------------


def test_socket_mode_round_trip_with_the_real_client(fake: FakeSlack) -> None:
    with FakeSocketModeServer() as socket_server:
        fake.connections_url = socket_server.url
        client = SocketModeClient(app_token="xapp-test", web_client=WebClient(base_url=fake.api_url))

        def ack(sm_client: BaseSocketModeClient, request: SocketModeRequest) -> None:
            if request.type == "slash_commands":
                response = SocketModeResponse(
                    envelope_id=request.envelope_id, payload={"text": request.payload["text"]}
                )
                sm_client.send_socket_mode_response(response)

        client.socket_mode_request_listeners.append(ack)
        client.connect()
        try:
            fields = slash_command_fields("ps", user_id="U1", channel_id="C1", response_url=fake.response_url("r"))
            envelope_id = socket_server.send_slash_command(fields)
            assert socket_server.wait_for_ack(envelope_id) == {"envelope_id": envelope_id, "payload": {"text": "ps"}}
            assert fake.calls_to("apps.connections.open")[0].headers["authorization"] == "Bearer xapp-test"

            socket_server.send_disconnect()  # the client must fetch a new URL and reconnect
            socket_server.wait_for_session(2)
            envelope_id = socket_server.send_slash_command(fields | {"text": "images"})
            assert socket_server.wait_for_ack(envelope_id)["payload"] == {"text": "images"}
        finally:
            client.close()


def test_upload_url_rejects_unknown_files(fake: FakeSlack) -> None:
    request = urllib.request.Request(f"{fake.url}/upload/v1/F404", data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=5)
    raised.value.close()
    assert raised.value.code == 404


# -- a real Bolt app accepts what we send ------------------------------------------------------------


def test_bolt_accepts_signed_requests_and_responds_to_the_fake(fake: FakeSlack) -> None:
    app = App(client=WebClient(token="xoxb-test", base_url=fake.api_url), signing_secret=SECRET)

    @app.command("/docker")
    def docker(ack: Ack, respond: Respond, command: dict[str, Any]) -> None:
        ack()
        respond(f"ran {command['text']}")

    @app.action("confirm")
    def confirm(ack: Ack, respond: Respond, action: dict[str, Any]) -> None:
        ack()
        respond(replace_original=True, text=f"confirmed {action['value']}")

    def dispatch(body: bytes, headers: dict[str, str]) -> int:
        return app.dispatch(BoltRequest(body=body.decode(), headers={k: [v] for k, v in headers.items()})).status

    url = fake.response_url("cmd")
    body = slash_command_body("ps", user_id="U1", channel_id="C1", response_url=url)
    assert dispatch(body, sign(SECRET, body)) == 200
    assert fake.wait_for("/response/cmd").body == {"text": "ran ps"}

    payload = block_actions_payload("confirm", "rm web", user_id="U1", channel_id="C1", response_url=url)
    body = interaction_body(payload)
    assert dispatch(body, sign(SECRET, body)) == 200
    assert fake.wait_for("/response/cmd", count=2).body == {"text": "confirmed rm web", "replace_original": True}

    stale = sign(SECRET, body, int(time.time()) - 301)
    assert dispatch(body, stale) == 401
