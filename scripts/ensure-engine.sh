#!/usr/bin/env bash
# Make sure a Docker engine answers, and that the tools the test bed needs are installed.
#
# Why: CI kills every process before a run and a fresh machine has no packages, so `make test`
# must be able to bring the engine up by itself. Idempotent: when everything is there it only
# runs `docker info` and exits 0.
#
# Env: DOCKER_HOST  as docker reads it; if it is unix://PATH, a dockerd we start listens there.
#      DOCKERD_ARGS extra dockerd arguments (word-split), e.g. a private --data-root.
#                   Beware: --bridge=none makes dockerd delete docker0, breaking another engine.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=.cache
LOG=$CACHE/dockerd.log
PIDFILE=$CACHE/dockerd.pid
WAIT_S=60
APT_UPDATED=

say() { echo "ensure-engine: $*" >&2; }
engine_answers() { timeout 15 docker info >/dev/null 2>&1; }
is_root() { [[ $(id -u) == 0 ]]; }
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

apt_install() {
    # `apt-get update` at most once per run: it is the slow part.
    if [[ -z $APT_UPDATED ]]; then
        apt-get update -qq
        APT_UPDATED=1
    fi
    say "installing: $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Packages we need: the engine and CLI, a static busybox (the test image is FROM scratch, so a
# dynamically linked busybox would not run in it) and a registry for pull tests.
missing=()
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
pkg_installed busybox-static || missing+=(busybox-static)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)

if ((${#missing[@]})); then
    if is_root; then
        apt_install "${missing[@]}"
    elif [[ ${missing[*]} == *docker.io* ]]; then
        say "the docker CLI is missing. Install it: sudo apt-get install docker.io busybox-static docker-registry"
        exit 1
    else
        # Not fatal here (`make run` does not need them); scripts/test-fixtures.sh fails clearly.
        say "warning: missing ${missing[*]} (needed by the tests): sudo apt-get install ${missing[*]}"
    fi
fi

engine_answers && exit 0

if ! is_root; then
    err=$(timeout 15 docker info 2>&1 >/dev/null | tail -n 3 || true)
    say "no Docker engine answers${DOCKER_HOST:+ at $DOCKER_HOST}:"
    say "  $err"
    say "fix: start the engine (sudo systemctl start docker, or sudo dockerd &), then let yourself use it:"
    say "  sudo usermod -aG docker \"$(id -un)\" (and log in again), or point DOCKER_HOST at an engine you can reach."
    exit 1
fi

# We can only start an engine on this machine, on a unix socket (never open a TCP port).
dockerd_args=()
default_socket=
case ${DOCKER_HOST:-} in
    "" | unix:///var/run/docker.sock | unix:///run/docker.sock) default_socket=1 ;;
    unix://*) dockerd_args+=(-H "$DOCKER_HOST") ;;
    *)
        say "DOCKER_HOST=$DOCKER_HOST does not answer and is not a local socket; start that engine yourself."
        exit 1
        ;;
esac
# shellcheck disable=SC2206 # word-splitting DOCKERD_ARGS is the point
dockerd_args+=(${DOCKERD_ARGS:-})

mkdir -p "$CACHE"
pid=$(cat "$PIDFILE" 2>/dev/null || true)
if [[ -n $pid ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]]; then
    say "dockerd (pid $pid) started earlier is still coming up; waiting"
elif [[ -n $default_socket ]] && pid=$(pgrep -xo dockerd); then
    # e.g. the docker.io postinst just started one: a second would fail on /var/run/docker.pid.
    say "a dockerd (pid $pid) is already running; waiting for it to answer"
else
    say "starting dockerd ${dockerd_args[*]} (log: $LOG)"
    echo "--- $(date -Is) ensure-engine: dockerd ${dockerd_args[*]}" >>"$LOG"
    # setsid + nohup: the engine must outlive this script and make; no fd may stay tied to our
    # caller, or make/CI would wait on the pipe forever.
    setsid nohup dockerd "${dockerd_args[@]}" </dev/null >>"$LOG" 2>&1 &
    pid=$!
    echo "$pid" >"$PIDFILE"
fi

for ((i = 0; i < WAIT_S; i++)); do
    engine_answers && { say "engine up (dockerd pid $pid)"; exit 0; }
    kill -0 "$pid" 2>/dev/null || break # died: no point waiting the full minute
    sleep 1
done

if kill -0 "$pid" 2>/dev/null; then
    say "dockerd (pid $pid) runs but the engine did not answer within ${WAIT_S}s."
else
    say "dockerd (pid $pid) exited."
fi
say "last lines of $LOG:"
tail -n 20 "$LOG" >&2 || true
exit 1
