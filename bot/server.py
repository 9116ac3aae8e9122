"""Runs the Slack app: HTTP mode on waitress (a production WSGI server), or Socket Mode."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler

from commands.engine import Engine

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
HTTP_THREADS = 16


def wsgi_app(app: App, engine: Engine) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """`POST /slack/events` to bolt, `GET /healthz` answered here (200, engine reachability in the body)."""
    slack = SlackRequestHandler(app, path="/slack/events")

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            body = json.dumps({"ok": True, "engine": "reachable" if engine.ping() else "unreachable"}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        try:
            return slack(environ, start_response)
        except ValueError as err:  # bolt parses the body (JSON payload) before it checks the signature
            log.warning("unreadable request to %s: %s", environ.get("PATH_INFO"), err)
            start_response("400 Bad Request", [("Content-Type", "text/plain"), ("Content-Length", "11")])
            return [b"bad request"]

    return application


def serve_http(app: App, engine: Engine, port: int) -> None:
    from waitress import serve

    log.info("dockbot HTTP mode on port %s: POST /slack/events, GET /healthz", port)
    serve(wsgi_app(app, engine), host="0.0.0.0", port=port, threads=HTTP_THREADS, ident="dockbot")


def serve_socket(app: App, app_token: str) -> None:
    log.info("dockbot Socket Mode: connecting to Slack")
    SocketModeHandler(app, app_token=app_token, web_client=app.client).start()
