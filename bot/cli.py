"""`python -m bot`: the process entry point (console or Slack server)."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import re
import sqlite3
from pathlib import Path

from pydantic import ValidationError
from slack_sdk import WebClient

from bot import messages
from bot.access import Directory, Membership, Policy
from bot.announce import Announcer
from bot.app import build_app, web_client
from bot.audit import AuditTrail
from bot.console import run_console
from bot.dispatch import Dispatcher
from bot.notify import channel_poster, start_notifications
from bot.server import serve_http, serve_socket
from bot.settings import Settings
from bot.slack_directory import SlackDirectory
from commands.engine import Engine
from commands.errors import PresetError
from commands.presets import Presets

DESCRIPTION = """\
dockbot: run Docker from Slack.

modes:
  shell   a local console: type the same commands as in Slack (`ps -a`, `logs web --tail 50`, ...)
          against the local Docker engine; destructive commands ask y/N.
  serve   the Slack app: Socket Mode when SLACK_APP_TOKEN is set, else HTTP mode
          (SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET) on --port.

With no mode: serve when Slack tokens are configured, else shell.
Settings come from the environment or .env (see .env.example)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    modes = parser.add_subparsers(dest="mode")
    modes.add_parser("shell", help="local console against the local engine")
    serve = modes.add_parser("serve", help="the Slack app (HTTP or Socket Mode)")
    transport = serve.add_mutually_exclusive_group()
    transport.add_argument("--http", action="store_true", help="force HTTP mode")
    transport.add_argument("--socket", action="store_true", help="force Socket Mode")
    serve.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    return parser


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as err:
        first = err.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise SystemExit(messages.settings_invalid(variable, str(first["msg"]).removeprefix("Value error, "))) from None


def build_dispatcher(settings: Settings, policy: Policy | None = None) -> Dispatcher:
    try:
        presets = (
            Presets.load(settings.chatops_presets_file, variables=os.environ)
            if settings.chatops_presets_file
            else Presets.empty()
        )
    except PresetError as err:
        raise SystemExit(messages.settings_invalid("CHATOPS_PRESETS_FILE", err.message)) from None
    try:
        audit = AuditTrail(settings.chatops_audit_db)
    except sqlite3.Error as err:
        raise SystemExit(messages.settings_invalid("CHATOPS_AUDIT_DB", f"cannot open it: {err}")) from None
    engine = Engine(base_url=settings.docker_host, max_pool_size=settings.chatops_workers + 8)
    return Dispatcher(
        engine,
        presets,
        plan_ttl=settings.chatops_plan_ttl_seconds,
        policy=policy,
        audit=audit,
        own_container=own_container_id(),
    )


def build_policy(settings: Settings, directory: Directory) -> Policy:
    membership = Membership(
        users=settings.docker_group_users,
        usergroup=settings.chatops_docker_group_usergroup,
        unix_group=settings.chatops_docker_group_unix,
        user_map=settings.user_map,
        directory=directory,
        group_file=settings.chatops_group_file,
        cache_seconds=settings.chatops_membership_cache_seconds,
    )
    return Policy(membership, settings.chatops_readers == "everyone", settings.allowed_channels)


def own_container_id(mountinfo: Path = Path("/proc/self/mountinfo")) -> str | None:
    """The id of the container this process runs in (docker mounts its hostname file from there)."""
    try:
        match = re.search(r"/containers/([0-9a-f]{64})/", mountinfo.read_text())
    except OSError:
        return None
    return match.group(1) if match else None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    mode = args.mode or ("serve" if settings.has_slack or settings.slack_app_token else "shell")
    if mode == "shell":
        return run_console(build_dispatcher(settings), user=f"console:{getpass.getuser()}")
    client = web_client(settings)
    dispatcher = build_dispatcher(settings, build_policy(settings, SlackDirectory(client)))
    socket = _use_socket(settings, args)
    return serve(settings, dispatcher, client, socket=socket, port=args.port if args.mode else 3000)


def _use_socket(settings: Settings, args: argparse.Namespace) -> bool:
    """Socket Mode when forced, or when an app token is set and HTTP was not forced."""
    if getattr(args, "socket", False):
        return True
    return not getattr(args, "http", False) and settings.slack_app_token is not None


def serve(settings: Settings, dispatcher: Dispatcher, client: WebClient, *, socket: bool, port: int) -> int:
    if settings.slack_bot_token is None:
        raise SystemExit(messages.settings_invalid("SLACK_BOT_TOKEN", "required to serve Slack (xoxb-...)"))
    if socket and settings.slack_app_token is None:
        raise SystemExit(messages.settings_invalid("SLACK_APP_TOKEN", "required for Socket Mode (xapp-...)"))
    if not socket and not (settings.slack_signing_secret and settings.slack_signing_secret.get_secret_value()):
        raise SystemExit(messages.settings_invalid("SLACK_SIGNING_SECRET", "required for HTTP mode"))
    try:
        app = build_app(settings, dispatcher, client)
    except Exception as err:  # bolt checks the token with auth.test at once
        raise SystemExit(
            messages.settings_invalid("SLACK_BOT_TOKEN", f"could not be checked with Slack (auth.test): {err}")
        ) from None
    if settings.chatops_notify_channel:  # the watcher's threads are daemons: they end with the process
        poster = channel_poster(settings, client)
        start_notifications(settings, dispatcher, poster)
        dispatcher.on_change = Announcer(poster)
    if socket:
        assert settings.slack_app_token is not None
        serve_socket(app, settings.slack_app_token.get_secret_value())
    else:
        try:
            serve_http(app, dispatcher.engine, port)
        except OSError as err:  # waitress binds the port on start
            raise SystemExit(messages.settings_invalid("--port", f"cannot listen on {port}: {err.strerror}")) from None
    return 0
