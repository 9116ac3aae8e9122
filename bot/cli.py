"""`python -m bot`: the process entry point (console or Slack server)."""

from __future__ import annotations

import argparse
import logging

from pydantic import ValidationError

from bot import messages
from bot.dispatch import Dispatcher
from bot.settings import Settings
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


def build_dispatcher(settings: Settings) -> Dispatcher:
    try:
        presets = Presets.load(settings.chatops_presets_file) if settings.chatops_presets_file else Presets.empty()
    except PresetError as err:
        raise SystemExit(messages.settings_invalid("CHATOPS_PRESETS_FILE", err.message)) from None
    engine = Engine(base_url=settings.docker_host, max_pool_size=settings.chatops_workers + 8)
    return Dispatcher(engine, presets, plan_ttl=settings.chatops_plan_ttl_seconds)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    mode = args.mode or ("serve" if settings.has_slack or settings.slack_app_token else "shell")
    dispatcher = build_dispatcher(settings)
    if mode == "shell":
        from bot.console import run_console

        return run_console(dispatcher)
    return serve(settings, dispatcher, socket=_use_socket(settings, args), port=args.port if args.mode else 3000)


def _use_socket(settings: Settings, args: argparse.Namespace) -> bool:
    """Socket Mode when forced, or when an app token is set and HTTP was not forced."""
    if getattr(args, "socket", False):
        return True
    return not getattr(args, "http", False) and settings.slack_app_token is not None


def serve(settings: Settings, dispatcher: Dispatcher, *, socket: bool, port: int) -> int:
    from bot.app import build_app
    from bot.server import serve_http, serve_socket

    if settings.slack_bot_token is None:
        raise SystemExit(messages.settings_invalid("SLACK_BOT_TOKEN", "required to serve Slack (xoxb-...)"))
    if socket and settings.slack_app_token is None:
        raise SystemExit(messages.settings_invalid("SLACK_APP_TOKEN", "required for Socket Mode (xapp-...)"))
    if not socket and settings.slack_signing_secret is None:
        raise SystemExit(messages.settings_invalid("SLACK_SIGNING_SECRET", "required for HTTP mode"))
    try:
        app = build_app(settings, dispatcher)
    except Exception as err:  # bolt checks the token with auth.test at once
        raise SystemExit(messages.settings_invalid("SLACK_BOT_TOKEN", f"Slack refused it: {err}")) from None
    if socket:
        assert settings.slack_app_token is not None
        serve_socket(app, settings.slack_app_token.get_secret_value())
    else:
        serve_http(app, dispatcher.engine, port)
    return 0
