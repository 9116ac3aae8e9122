"""Slack API objects (user, usergroup, message, file) shaped like the real responses.

The bot parses these; fields it might read are present with Slack's names and types.
"""

import mimetypes
import time
from typing import Any


def user_object(user_id: str, name: str, email: str | None, *, team_id: str) -> dict[str, Any]:
    """A users.info ``user``; Slack only includes ``profile.email`` with the users:read.email scope."""
    profile: dict[str, Any] = {"real_name": name, "display_name": name}
    if email is not None:
        profile["email"] = email
    return {
        "id": user_id,
        "team_id": team_id,
        "name": name,
        "real_name": name,
        "deleted": False,
        "is_bot": False,
        "is_admin": False,
        "is_restricted": False,
        "tz": "Europe/Berlin",
        "updated": 1700000000,
        "profile": profile,
    }


def usergroup_object(group_id: str, handle: str, members: list[str], *, team_id: str) -> dict[str, Any]:
    """A usergroups.list entry; ``users`` is dropped unless the caller asks for include_users."""
    return {
        "id": group_id,
        "team_id": team_id,
        "is_usergroup": True,
        "name": handle,
        "description": "",
        "handle": handle,
        "is_external": False,
        "date_create": 1700000000,
        "date_update": 1700000000,
        "date_delete": 0,
        "auto_type": None,
        "created_by": "U0ADMIN",
        "updated_by": "U0ADMIN",
        "deleted_by": None,
        "prefs": {"channels": [], "groups": []},
        "users": list(members),
        "user_count": len(members),
    }


def message_object(body: dict[str, Any], ts: str, user_id: str, bot_id: str, team_id: str) -> dict[str, Any]:
    """The ``message`` chat.postMessage / chat.update echo back."""
    return {
        "type": "message",
        "text": body.get("text", ""),
        "user": user_id,
        "bot_id": bot_id,
        "ts": ts,
        "team": team_id,
        "blocks": body.get("blocks", []),
    }


def file_object(file_id: str, name: str, title: str, content: bytes, user_id: str, team: str) -> dict[str, Any]:
    """A files.completeUploadExternal ``files`` entry; Slack shares asynchronously, so no shares yet."""
    now = int(time.time())
    filetype = name.rsplit(".", 1)[-1] if "." in name else "text"
    return {
        "id": file_id,
        "created": now,
        "timestamp": now,
        "name": name,
        "title": title,
        "mimetype": mimetypes.guess_type(name)[0] or "text/plain",
        "filetype": filetype,
        "user": user_id,
        "size": len(content),
        "is_external": False,
        "url_private": f"https://files.slack.com/files-pri/{team}-{file_id}/{name}",
        "permalink": f"https://{team}.slack.com/files/{user_id}/{file_id}/{name}",
        "shares": {},
        "channels": [],
        "groups": [],
        "ims": [],
    }
