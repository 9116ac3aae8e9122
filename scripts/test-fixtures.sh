#!/usr/bin/env bash
# Prepare what the engine tests use, without internet (DESIGN.md section 6):
#   - image dockbot-test/busybox:latest, built FROM scratch with Debian's static busybox;
#   - a docker-registry on 127.0.0.1:5000 holding that image, so pull tests never leave loopback.
# Idempotent: a second run finds the image, the registry and the pushed digest, and does nothing.
#
# Usage: scripts/test-fixtures.sh          prepare (needs an engine: scripts/ensure-engine.sh)
#        scripts/test-fixtures.sh stop     stop the registry this script started (by its pidfile)
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=dockbot-test/busybox:latest
REGISTRY=127.0.0.1:5000
REMOTE=$REGISTRY/$IMAGE
BUSYBOX=/bin/busybox
REG_DIR=$PWD/.cache/registry
REG_LOG=$PWD/.cache/registry.log
REG_PID=$PWD/.cache/registry.pid

say() { echo "test-fixtures: $*" >&2; }
die() { say "$*"; exit 1; }

# HTTP GET on loopback; prints the Docker-Content-Digest header. python3 rather than curl: it is
# always present, and an empty ProxyHandler guarantees no http_proxy detour.
http_digest() {
    python3 - "$1" <<'EOF'
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
req = urllib.request.Request(sys.argv[1], method="HEAD", headers={
    "Accept": "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json"})
try:
    with opener.open(req, timeout=3) as r:
        print(r.headers.get("Docker-Content-Digest") or "")
except Exception:
    sys.exit(1)
EOF
}
registry_answers() { http_digest "http://$REGISTRY/v2/" >/dev/null; }

if [[ ${1:-} == stop ]]; then
    pid=$(cat "$REG_PID" 2>/dev/null || true)
    if [[ -n $pid ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == *registry* ]]; then
        kill "$pid" && say "registry (pid $pid) stopped"
    fi
    rm -f "$REG_PID"
    exit 0
fi

docker info >/dev/null 2>&1 || die "no Docker engine answers; run scripts/ensure-engine.sh first"

# --- 1. the image ------------------------------------------------------------------------------
# Rebuilt when missing, or when that tag is on an image we did not build (no label).
label=$(docker image inspect -f '{{index .Config.Labels "dockbot.test-image"}}' "$IMAGE" 2>/dev/null || true)
if [[ $label != true ]]; then
    [[ -x $BUSYBOX ]] || die "$BUSYBOX missing: apt-get install busybox-static"
    ctx=$(mktemp -d)
    trap 'rm -rf "$ctx"' EXIT
    cp "$BUSYBOX" "$ctx/busybox"
    # Exec-form RUN: there is no /bin/sh in scratch until busybox has installed its links.
    cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
LABEL dockbot.test-image=true
CMD ["sh"]
EOF
    say "building $IMAGE"
    # Output only on failure: the legacy builder's deprecation notice is noise.
    out=$(docker build -q -t "$IMAGE" "$ctx" 2>&1) ||
        die "$out"$'\n'"build failed; is $BUSYBOX the static one (package busybox-static, not busybox)?"
fi

# --- 2. the registry ---------------------------------------------------------------------------
if ! registry_answers; then
    command -v docker-registry >/dev/null || die "docker-registry missing: apt-get install docker-registry"
    mkdir -p "$REG_DIR/data"
    # Bound to loopback only; delete enabled so tests may delete what they push.
    cat >"$REG_DIR/config.yml" <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $REG_DIR/data
  delete:
    enabled: true
http:
  addr: $REGISTRY
EOF
    say "starting docker-registry on $REGISTRY (log: $REG_LOG)"
    # Same reasons as for dockerd: outlive make, keep no fd of the caller.
    setsid nohup docker-registry serve "$REG_DIR/config.yml" </dev/null >>"$REG_LOG" 2>&1 &
    pid=$!
    echo "$pid" >"$REG_PID"
    for ((i = 0; i < 30; i++)); do
        registry_answers && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    registry_answers || { tail -n 20 "$REG_LOG" >&2; die "registry did not answer on http://$REGISTRY/v2/"; }
fi

# --- 3. the image in the registry ---------------------------------------------------------------
# Push only when the registry lacks the digest of the image we have now (it may have been rebuilt).
have=$(http_digest "http://$REGISTRY/v2/${IMAGE%:*}/manifests/${IMAGE##*:}" || true)
if [[ -z $have ]] || ! docker image inspect -f '{{join .RepoDigests "\n"}}' "$IMAGE" | grep -qxF "${REMOTE%:*}@$have"; then
    say "pushing $REMOTE"
    docker tag "$IMAGE" "$REMOTE"
    docker push "$REMOTE" >/dev/null
fi
say "ready: $IMAGE, $REMOTE"
