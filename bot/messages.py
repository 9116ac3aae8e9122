"""Every sentence the bot says about itself (not command results), as small functions, in one place."""

from __future__ import annotations


def nothing_to_do(action: str, left_alone: list[str]) -> str:
    if left_alone:
        return f"Nothing to {action.lower()}. Left alone: {'; '.join(left_alone)}."
    return f"Nothing to {action.lower()}: no container or image matches."


def plan_expired() -> str:
    return "This plan has expired or was already used. Run the command again to see a fresh plan."


def cancelled() -> str:
    return "Cancelled. Nothing was changed."


def unexpected_error() -> str:
    return "Something went wrong on dockbot's side; nothing more was done. The details are in the bot's log."


def confirm_question(count: int) -> str:
    return f"Proceed and remove these {count}? [y/N] "


def console_banner(where: str) -> str:
    return f"dockbot console on {where}. Type `help` for commands, `exit` to leave."


def settings_invalid(variable: str, problem: str) -> str:
    return f"dockbot cannot start: {variable}: {problem}"


def upload_failed(error: str) -> str:
    return f"Could not attach the output as a file ({error}). Invite the bot to this channel and try again."


def wrong_channel(channels: list[str]) -> str:
    return f"dockbot does not take commands in this channel. Use one of these channels: {', '.join(channels)}."


def no_docker_group() -> str:
    return (
        "Got permission denied: no docker group is configured, so nobody may run this. "
        "An admin sets CHATOPS_DOCKER_GROUP_USERS, CHATOPS_DOCKER_GROUP_USERGROUP or CHATOPS_DOCKER_GROUP_UNIX."
    )


def membership_unknown(why: str) -> str:
    return f"Got permission denied: could not check docker group membership ({why}). Nothing was run."


def not_in_docker_group(user: str, how: str) -> str:
    return (
        f"Got permission denied: you ({user}) are not in the docker group, and access to the Docker daemon "
        f"is limited to its members. An admin can add you by {how}."
    )
