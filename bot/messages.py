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


# -- team channel notifications (bot/notify.py) ---------------------------------------------------------


def notify_exit(name: str, image: str, code: int | None, ran: str) -> str:
    return f":red_circle: *{name}* ({image}) exited with code {code}{ran and f' after {ran}'}."


def notify_oom(name: str, image: str, ran: str) -> str:
    return f":boom: *{name}* ({image}) was killed: out of memory (exit code 137){ran and f' after {ran}'}."


def notify_restart_loop(name: str, image: str, count: int, span: str, code: int | None) -> str:
    return (
        f":repeat: *{name}* ({image}) is in a restart loop: it exited {count} times in {span}, last with code {code}."
    )


def notify_unhealthy(name: str, image: str) -> str:
    return f":large_orange_circle: *{name}* ({image}) is unhealthy: its health check fails."


def notify_healthy(name: str, image: str) -> str:
    return f":large_green_circle: *{name}* ({image}) is healthy again."


def notify_stopped(name: str, image: str, signal: str, code: int | None) -> str:
    return f":octagonal_sign: *{name}* ({image}) was stopped outside dockbot (signal {signal}, exit code {code})."


def notify_action(user: str, verb: str, names: list[str]) -> str:
    done = {"stop": "stopped", "restart": "restarted", "rm": "removed"}.get(verb, verb)
    return f":wrench: <@{user}> {done} {', '.join(f'*{n}*' for n in names)} through dockbot."


def notify_log_tail() -> str:
    return "Last log lines:"


def notify_burst(count: int) -> str:
    return f":rotating_light: {count} containers need attention:"


def engine_down(where: str, down_for: str) -> str:
    return f":warning: The Docker engine at {where} has not answered for {down_for}. I will say when it is back."


def engine_back(down_for: str) -> str:
    return f":white_check_mark: The Docker engine is back after {down_for}; events from the gap are reported."
