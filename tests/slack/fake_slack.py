"""A fake Slack Web API on 127.0.0.1 that records every request and answers like Slack does.

Slack is not reachable from the tests, and mocking slack_sdk would hide what the bot really sends; so
the bot talks HTTP to this server (``WebClient(base_url=fake.api_url)``) and tests assert on ``calls``.
"""

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.slack.limits import check_message
from tests.slack.signing import TEAM_DOMAIN, TEAM_ID
from tests.slack.slack_objects import file_object, message_object, user_object, usergroup_object
from tests.slack.wire import (
    ApiResult,
    Call,
    FilePart,
    Reply,
    error_reply,
    json_reply,
    parse_body,
    start_server,
    strings,
    text_reply,
)


@dataclass
class Upload:
    """A file announced by files.getUploadURLExternal; ``content`` once posted, ``completed`` once shared."""

    file_id: str
    filename: str
    length: int
    content: bytes | None = None
    completed: dict[str, Any] | None = None


@dataclass
class _Failure:
    status: int
    error: str
    retry_after: int


@dataclass
class _State:
    ts: Callable[[], int] = field(default_factory=lambda: itertools.count(1).__next__)
    posted: set[tuple[str, str]] = field(default_factory=set)
    failures: dict[str, list[_Failure]] = field(default_factory=dict)


class FakeSlack:
    """Threaded fake of the Web API, upload URLs and response_urls; a context manager."""

    def __init__(self) -> None:
        self.bot_user_id = "UBOT"
        self.bot_id = "B0001"
        self.team_id = TEAM_ID
        self.team = TEAM_DOMAIN
        self.users: dict[str, dict[str, Any]] = {}  # user id -> Slack user object (see add_user)
        self.usergroups: dict[str, dict[str, Any]] = {}  # group id -> usergroup object with "users"
        self.connections_url: str | None = None  # what apps.connections.open hands out
        self.uploads: dict[str, Upload] = {}
        self._calls: list[Call] = []
        self._changed = threading.Condition()
        self._state = _State()
        self._server, self._thread = start_server(self.handle, "fake-slack")
        self.port: int = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.api_url = f"{self.url}/api/"

    def __enter__(self) -> "FakeSlack":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- configuration -------------------------------------------------------------------------

    def add_user(self, user_id: str, name: str, email: str | None = None, **extra: Any) -> dict[str, Any]:
        """Register a user for users.info; ``extra`` overrides fields (e.g. ``deleted=True``)."""
        user = user_object(user_id, name, email, team_id=self.team_id) | extra
        self.users[user_id] = user
        return user

    def add_usergroup(self, group_id: str, handle: str, members: list[str], **extra: Any) -> dict[str, Any]:
        """Register a user group (``@handle``) with its member ids."""
        group = usergroup_object(group_id, handle, members, team_id=self.team_id) | extra
        self.usergroups[group_id] = group
        return group

    def response_url(self, name: str) -> str:
        """A response_url served here; posts to it are recorded as calls to ``/response/<name>``."""
        return f"{self.url}/response/{name}"

    def fail_next(
        self,
        method: str,
        status: int | None = None,
        *,
        error: str | None = None,
        retry_after: int = 1,
        times: int = 1,
    ) -> None:
        """Script the next ``times`` answers to ``method``.

        Default: HTTP 429 with ``Retry-After`` (what RateLimitErrorRetryHandler retries). With
        ``error`` only: HTTP 200 ``{"ok": false, "error": error}``, as Slack reports API errors.
        """
        code = status if status is not None else (200 if error else 429)
        reason = error or ("ratelimited" if code == 429 else "internal_error")
        with self._changed:
            self._state.failures.setdefault(method, []).extend([_Failure(code, reason, retry_after)] * times)

    # -- inspection ----------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """A snapshot of every request so far, oldest first."""
        with self._changed:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        """Calls to one API method (``"chat.postMessage"``) or path (``"/response/cmd1"``)."""
        return [c for c in self.calls if c.method == method]

    def responses(self, name: str) -> list[Call]:
        """Posts to ``response_url(name)``; Slack accepts 5 within 30 minutes."""
        return self.calls_to(f"/response/{name}")

    def wait_for(self, what: str | Callable[[Call], bool], timeout: float = 10, count: int = 1) -> Call:
        """Block until ``count`` calls match (a method/path or a predicate); return the last of them."""
        match = (lambda c: c.method == what) if isinstance(what, str) else what
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self._calls if match(c)]
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = ", ".join(c.method for c in self._calls) or "nothing"
                    raise AssertionError(f"no {count} call(s) matching {what!r} within {timeout}s; got {seen}")
                self._changed.wait(left)

    def all_text(self) -> str:
        """Every string the fake received, decoded, for secret-leak scans.

        Uploaded bytes are included. Headers and the ``token`` field are left out: they carry the
        credentials legitimately.
        """
        parts: list[str] = []
        for call in self.calls:
            body = {k: v for k, v in call.body.items() if k != "token"}
            parts.extend(strings(body) if body else [call.raw.decode("utf-8", "replace")])
        return "\n".join(parts)

    # -- serving -------------------------------------------------------------------------------

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> Reply:
        """Answer one request and record it (after handling, so waiters see its effects)."""
        url = urlsplit(path)
        content_type = headers.get("content-type", "")
        is_upload = url.path.startswith("/upload/v1/")
        # urllib labels an upload's raw bytes as form data: only a multipart upload has fields
        parsed = parse_body(content_type, raw) if not is_upload or "multipart" in content_type else {}
        body = dict(parse_qsl(url.query)) | parsed
        method = url.path.removeprefix("/api/") if url.path.startswith("/api/") else url.path
        with self._changed:
            scripted = self._state.failures.get(method)
            failure = scripted.pop(0) if scripted else None
        if failure is not None:
            reply = error_reply(failure.status, failure.error, failure.retry_after)
        elif url.path.startswith("/api/"):
            reply = json_reply(200, self._api(method, body, headers))
        elif is_upload:
            reply = self._upload(url.path.removeprefix("/upload/v1/"), body, raw)
        elif url.path.startswith("/response/"):
            reply = self._respond(body)
        else:
            reply = text_reply(404, "not found")
        with self._changed:
            self._calls.append(Call(method, body, headers, raw, time.time()))
            self._changed.notify_all()
        return reply

    def _api(self, method: str, body: dict[str, Any], headers: dict[str, str]) -> ApiResult:
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        token = headers.get("authorization", "").removeprefix("Bearer ") or body.get("token", "")
        if not token:
            return {"ok": False, "error": "not_authed"}
        if token.startswith("xapp-") != (method == "apps.connections.open"):
            return {"ok": False, "error": "not_allowed_token_type"}
        result: ApiResult = handler(body)
        return result

    def _new_ts(self) -> str:
        return f"{int(time.time())}.{self._state.ts():06d}"

    def _m_auth_test(self, body: dict[str, Any]) -> ApiResult:
        return {
            "ok": True,
            "url": f"https://{self.team}.slack.com/",
            "team": self.team,
            "user": "dockbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _m_chat_postMessage(self, body: dict[str, Any]) -> ApiResult:
        problem = _message_problem(body)
        if problem:
            return problem
        ts = self._new_ts()
        # a user id as channel posts to the DM, whose id (not the user's) chat.update needs
        channel = "D" + body["channel"][1:] if body["channel"][0] in "UW" else body["channel"]
        self._state.posted.add((channel, ts))
        message = message_object(body, ts, self.bot_user_id, self.bot_id, self.team_id)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _m_chat_update(self, body: dict[str, Any]) -> ApiResult:
        if (body.get("channel"), body.get("ts")) not in self._state.posted:
            return {"ok": False, "error": "message_not_found"}
        problem = _message_problem(body)
        if problem:
            return problem
        message = message_object(body, body["ts"], self.bot_user_id, self.bot_id, self.team_id)
        return {"ok": True, "channel": body["channel"], "ts": body["ts"], "text": message["text"], "message": message}

    def _m_chat_postEphemeral(self, body: dict[str, Any]) -> ApiResult:
        if not body.get("user"):
            return {"ok": False, "error": "user_not_found"}
        return _message_problem(body) or {"ok": True, "message_ts": self._new_ts()}

    def _m_files_getUploadURLExternal(self, body: dict[str, Any]) -> ApiResult:
        if not body.get("filename") or not str(body.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{self._state.ts():010d}"
        self.uploads[file_id] = Upload(file_id, body["filename"], int(body["length"]))
        return {"ok": True, "upload_url": f"{self.url}/upload/v1/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, body: dict[str, Any]) -> ApiResult:
        wanted = body.get("files") or []
        uploads = [self.uploads.get(str(f.get("id"))) for f in wanted]
        if not wanted or any(u is None or u.content is None for u in uploads):
            return {"ok": False, "error": "file_not_found"}
        shared = {k: body.get(k) for k in ("channel_id", "channels", "initial_comment", "thread_ts")}
        files = []
        for spec, upload in zip(wanted, uploads, strict=True):
            assert upload is not None and upload.content is not None
            upload.completed = shared | {"title": spec.get("title") or upload.filename}
            files.append(file_object(upload.file_id, upload.filename, upload.completed["title"],
                                     upload.content, self.bot_user_id, self.team))  # fmt: skip
        return {"ok": True, "files": files}

    def _m_apps_connections_open(self, body: dict[str, Any]) -> ApiResult:
        if self.connections_url is None:
            return {"ok": False, "error": "fake_connections_url_not_set"}
        return {"ok": True, "url": self.connections_url}

    def _m_usergroups_list(self, body: dict[str, Any]) -> ApiResult:
        with_users = str(body.get("include_users", "")).lower() in ("true", "1")
        with_disabled = str(body.get("include_disabled", "")).lower() in ("true", "1")
        groups = [
            {k: v for k, v in g.items() if with_users or k != "users"}
            for g in self.usergroups.values()
            if with_disabled or not g.get("date_delete")
        ]
        return {"ok": True, "usergroups": groups}

    def _m_usergroups_users_list(self, body: dict[str, Any]) -> ApiResult:
        group = self.usergroups.get(body.get("usergroup", ""))
        if group is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(group["users"])}

    def _m_users_info(self, body: dict[str, Any]) -> ApiResult:
        user = self.users.get(body.get("user", ""))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _upload(self, file_id: str, body: dict[str, Any], raw: bytes) -> Reply:
        upload = self.uploads.get(file_id)
        if upload is None:
            return text_reply(404, "not found")
        parts = [v for v in body.values() if isinstance(v, FilePart)]
        upload.content = parts[0].content if parts else raw
        return text_reply(200, f"OK - {len(upload.content)}")

    def _respond(self, body: dict[str, Any]) -> Reply:
        """Answer a response_url post the way incoming webhooks do: plain-text errors, HTTP 400."""
        if not body.get("delete_original") and not any(body.get(k) for k in ("text", "blocks", "attachments")):
            return text_reply(400, "no_text")
        if check_message(body):
            return text_reply(400, "invalid_blocks")
        return json_reply(200, {"ok": True})


def _message_problem(body: dict[str, Any]) -> ApiResult | None:
    """Slack's refusal of a chat.* message, or None when Slack would accept it."""
    if not body.get("channel"):
        return {"ok": False, "error": "channel_not_found"}
    if not any(body.get(k) for k in ("text", "blocks", "attachments", "markdown_text")):
        return {"ok": False, "error": "no_text"}
    problems = check_message(body)
    if not problems:
        return None
    error = "msg_too_long" if all(p.startswith("text:") for p in problems) else "invalid_blocks"
    return {"ok": False, "error": error, "errors": problems}
