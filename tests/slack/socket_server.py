"""A local Socket Mode endpoint speaking Slack's envelope protocol, for tests of the Socket Mode bot.

Slack's websocket sends ``hello`` on connect, then envelopes (``envelope_id``, ``type``, ``payload``,
``accepts_response_payload``); the app acks each with ``{"envelope_id": ..., "payload": ...}``.  The
server runs its own asyncio loop in a thread so tests drive it with plain blocking calls.
"""

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from tests.slack.signing import APP_ID

T = TypeVar("T")
DEBUG_INFO = {"host": "applink-fake", "build_number": 10, "approximate_connection_time": 18060}


class FakeSocketModeServer:
    """Websocket server on 127.0.0.1; give ``url`` to FakeSlack as ``connections_url``. A context manager."""

    def __init__(self, app_id: str = APP_ID) -> None:
        self.app_id = app_id
        self._connections: list[ServerConnection] = []
        self._sessions = 0
        self._received: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-socket-mode", daemon=True)
        self._thread.start()
        self._server: Server = self._run(self._start())
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/link/?ticket=fake-ticket&app_id={app_id}"

    def __enter__(self) -> "FakeSocketModeServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Drop every connection, stop the loop and its thread."""
        self._server.close()
        self._run(self._server.wait_closed())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    # -- what Slack sends --------------------------------------------------------------------------

    def send_slash_command(self, form_fields: dict[str, str], timeout: float = 10) -> str:
        """Deliver a slash command (the fields Slack would form-post) and return its envelope_id."""
        return self._send_envelope("slash_commands", form_fields, accepts_response_payload=True, timeout=timeout)

    def send_interactive(
        self, payload: dict[str, Any], *, accepts_response_payload: bool = False, timeout: float = 10
    ) -> str:
        """Deliver an interaction (e.g. block_actions; Slack accepts no response payload for those)."""
        return self._send_envelope("interactive", payload, accepts_response_payload, timeout)

    def send_disconnect(self, reason: str = "refresh_requested", timeout: float = 10) -> None:
        """Ask the client to reconnect, as Slack does every few hours."""
        self._send({"type": "disconnect", "reason": reason, "debug_info": DEBUG_INFO}, timeout)

    # -- what the client sent ----------------------------------------------------------------------

    @property
    def received(self) -> list[dict[str, Any]]:
        """Every JSON message clients sent, oldest first."""
        with self._changed:
            return list(self._received)

    @property
    def connection_count(self) -> int:
        """Open connections that got their ``hello``."""
        with self._changed:
            return len(self._connections)

    def wait_for_session(self, number: int = 1, timeout: float = 10) -> None:
        """Block until the ``number``-th connection since start got its hello (reconnects count too)."""
        self._wait(lambda: self._sessions >= number, timeout, f"connection number {number}")

    def wait_for_ack(self, envelope_id: str, timeout: float = 10) -> dict[str, Any]:
        """Block until the client acks ``envelope_id``; return the ack (``envelope_id`` and maybe ``payload``)."""

        def find() -> dict[str, Any] | None:
            return next((m for m in self._received if m.get("envelope_id") == envelope_id), None)

        self._wait(lambda: find() is not None, timeout, f"an ack of {envelope_id}")
        with self._changed:
            ack = find()
        assert ack is not None
        return ack

    # -- plumbing ----------------------------------------------------------------------------------

    def _send_envelope(self, kind: str, payload: dict[str, Any], accepts_response_payload: bool, timeout: float) -> str:
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": kind,
            "accepts_response_payload": accepts_response_payload,
        }
        self._send(envelope, timeout)
        return envelope_id

    def _send(self, message: dict[str, Any], timeout: float) -> None:
        """Send to the newest connection, waiting for one; Slack picks one of the app's connections."""
        self._wait(lambda: bool(self._connections), timeout, "connection")
        with self._changed:
            connection = self._connections[-1]
        self._run(connection.send(json.dumps(message)), timeout)

    def _wait(self, done: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not done():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {what} within {timeout}s; received {self._received}")
                self._changed.wait(left)

    def _run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _start(self) -> Server:
        return await serve(self._session, "127.0.0.1", 0)

    async def _session(self, connection: ServerConnection) -> None:
        """One client: hello first (as Slack), then record what it sends until it goes away."""
        with self._changed:
            count = len(self._connections) + 1
        hello = {
            "type": "hello",
            "num_connections": count,
            "debug_info": DEBUG_INFO,
            "connection_info": {"app_id": self.app_id},
        }
        await connection.send(json.dumps(hello))
        with self._changed:
            self._connections.append(connection)
            self._sessions += 1
            self._changed.notify_all()
        try:
            async for message in connection:
                with self._changed:
                    self._received.append(json.loads(message))
                    self._changed.notify_all()
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                self._connections.remove(connection)
                self._changed.notify_all()
