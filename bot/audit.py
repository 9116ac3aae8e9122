"""The audit trail: every command, allowed or not, with who, where, what happened and how long it took.

SQLite, one row per decision, committed before the answer goes out, so the record survives a crash or a
restart of the bot. It never stores output (logs can hold anything), only the command and its outcome line.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from commands.results import Table

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    channel TEXT NOT NULL,
    command TEXT NOT NULL,
    decision TEXT NOT NULL,
    outcome TEXT NOT NULL,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_user ON audit (user_id);
"""


@dataclass(frozen=True)
class Entry:
    user_id: str
    user_name: str
    channel: str
    command: str
    decision: str
    outcome: str
    duration_ms: int
    at: datetime | None = None


class AuditTrail:
    """Thread-safe: workers record concurrently through one connection guarded by a lock."""

    def __init__(self, path: Path | str) -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.executescript(SCHEMA)

    def record(self, entry: Entry) -> None:
        at = (entry.at or datetime.now(UTC)).isoformat(timespec="seconds")
        with self._lock:
            self._db.execute(
                "INSERT INTO audit (at, user_id, user_name, channel, command, decision, outcome, duration_ms)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    at,
                    entry.user_id,
                    entry.user_name,
                    entry.channel,
                    entry.command[:1000],
                    entry.decision,
                    entry.outcome[:1000],
                    entry.duration_ms,
                ),
            )

    def entries(self, *, last: int, user: str | None = None) -> list[Entry]:
        """Newest first; `user` matches a user id or a user name (with or without @)."""
        query = "SELECT at, user_id, user_name, channel, command, decision, outcome, duration_ms FROM audit"
        args: tuple[object, ...] = ()
        if user:
            query += " WHERE user_id = ? OR user_name = ?"
            args = (user, user.removeprefix("@"))
        with self._lock:
            rows = self._db.execute(query + " ORDER BY id DESC LIMIT ?", (*args, last)).fetchall()
        return [
            Entry(user_id, name, channel, command, decision, outcome, duration, datetime.fromisoformat(at))
            for at, user_id, name, channel, command, decision, outcome, duration in rows
        ]

    def recent(self, *, last: int, user: str | None = None) -> Table:
        rows = tuple(
            (
                e.at.strftime("%Y-%m-%d %H:%M:%S") if e.at else "",
                e.user_name or e.user_id,
                e.channel,
                e.command,
                e.decision,
                e.outcome,
                f"{e.duration_ms} ms",
            )
            for e in self.entries(last=last, user=user)
        )
        columns = ("TIME (UTC)", "USER", "CHANNEL", "COMMAND", "DECISION", "OUTCOME", "TOOK")
        return Table(columns, rows, title="Audit trail, newest first", empty="No audit records yet.")

    def close(self) -> None:
        with self._lock:
            self._db.close()
