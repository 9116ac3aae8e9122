"""The HTTP side of the fakes: what a recorded request looks like and how bodies are parsed.

slack_sdk sends form, JSON or multipart bodies depending on the method; tests should not care, so every
body is parsed into one dict with JSON-valued form fields decoded.
"""

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

JSON_FIELDS = ("blocks", "attachments", "files", "metadata")  # JSON strings inside form bodies
Reply = tuple[int, dict[str, str], bytes]  # status, headers, body
ApiResult = dict[str, Any]
Handle = Callable[[str, dict[str, str], bytes], Reply]  # path, lower-case headers, body -> reply


@dataclass(frozen=True)
class FilePart:
    """A file sent in a multipart body."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class Call:
    """One request: ``method`` is the API method, or the path for uploads and response_urls."""

    method: str
    body: dict[str, Any]  # parsed form/JSON/multipart, query string merged in, JSON fields decoded
    headers: dict[str, str]  # lower-case names
    raw: bytes
    at: float  # time.time() when received


def parse_body(content_type: str, raw: bytes) -> dict[str, Any]:
    """Parse JSON, form or multipart bodies; anything else (an upload's bytes) gives {}."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        parsed = json.loads(raw or b"{}")
        return parsed if isinstance(parsed, dict) else {"": parsed}
    if kind == "application/x-www-form-urlencoded":
        fields: dict[str, Any] = dict(parse_qsl(raw.decode(), keep_blank_values=True))
        for name in JSON_FIELDS:
            if isinstance(fields.get(name), str) and fields[name][:1] in ("[", "{"):
                fields[name] = json.loads(fields[name])
        return fields
    if kind == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
        parts: dict[str, Any] = {}
        for part in message.iter_parts():
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            name = str(part.get_param("name", header="content-disposition"))
            filename = part.get_filename()
            parts[name] = FilePart(filename, data) if filename else data.decode("utf-8", "replace")
        return parts
    return {}


def strings(value: Any) -> list[str]:
    """Every string (keys, values, file names and contents) inside a parsed body."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, FilePart):
        return [value.filename, value.content.decode("utf-8", "replace")]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def json_reply(status: int, payload: ApiResult) -> Reply:
    """A JSON answer, as the Web API gives."""
    return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(payload).encode()


def text_reply(status: int, text: str) -> Reply:
    """A plain-text answer, as upload URLs and response_urls give."""
    return status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode()


def error_reply(status: int, error: str, retry_after: int) -> Reply:
    """A Web API error; a 429 carries ``Retry-After`` like Slack's rate limiter."""
    status, headers, body = json_reply(status, {"ok": False, "error": error})
    if status == 429:
        headers["Retry-After"] = str(retry_after)
    return status, headers, body


def start_server(handle: Handle, name: str) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Serve ``handle`` on 127.0.0.1 at a free port, a thread per request (Bolt calls concurrently)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, reply_headers, payload = handle(self.path, headers, raw)
            self.send_response(status)
            for key, value in reply_headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output clean; the recorded calls are the log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name=name, daemon=True)
    thread.start()
    return server, thread
