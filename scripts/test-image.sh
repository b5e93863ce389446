#!/usr/bin/env bash
# Builds the real Dockerfile and checks the image it makes: its HEALTHCHECK, /healthz, a submitted
# task that finishes, the non-root user, a read-only root file system with data in the volume, and
# SIGTERM handling. There is no Docker engine here: Debian's buildah builds (chroot isolation,
# overlay or vfs storage) and podman runs (runc). The base image is made locally — a minimal
# Debian from debootstrap plus this machine's Node.js — and kept between runs, as are the build's
# layers, in the test's own image store (CS_AGENTS_IMAGE_STORE, default ~/.cache/cs-agents/image-store).
#
#   npm run test:image                       # .ci/run calls this
#   CS_AGENTS_IMAGE_REBUILD_BASE=1 npm run test:image   # make the base image again
#   CS_AGENTS_IMAGE_STORAGE_DRIVER=vfs npm run test:image # where overlay mounts misbehave
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in podman buildah debootstrap runc; do
  command -v "$tool" >/dev/null || { echo "test-image: $tool is missing: apt-get install -y podman buildah debootstrap runc" >&2; exit 1; }
done

SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
NODE_BIN=$(readlink -f "$(command -v node)")
NODE_VERSION=$(node -p 'process.versions.node')
# Bump RECIPE when the way the base is made changes, so a kept base of the old recipe is not used.
RECIPE=3
BASE=localhost/cs-agents-base:${SUITE}-node${NODE_VERSION}-r${RECIPE}
IMAGE=localhost/cs-agents:test
# The test's own image store, kept between runs (base image, build layers). overlay where the
# kernel allows it (2-3x faster builds), else vfs, which works everywhere but copies every layer.
STORE_DIR=${CS_AGENTS_IMAGE_STORE:-${XDG_CACHE_HOME:-$HOME/.cache}/cs-agents/image-store}
storage_for() { echo "--root $STORE_DIR/$1 --runroot /tmp/cs-agents-image-run-$(id -u)-$1 --storage-driver $1"; }
DRIVER=${CS_AGENTS_IMAGE_STORAGE_DRIVER:-}
if [ -z "$DRIVER" ]; then
  DRIVER=vfs
  # shellcheck disable=SC2046
  podman $(storage_for overlay) info >/dev/null 2>&1 && DRIVER=overlay
fi
read -r -a STORAGE <<<"$(storage_for "$DRIVER")"
PORT=${CS_AGENTS_IMAGE_PORT:-18080}
NAME=cs-agents-image-test-$$
VOLUME=$NAME-data
step() { printf '\n--> %s\n' "$*"; }

cleanup() {
  podman "${STORAGE[@]}" rm -f "$NAME" >/dev/null 2>&1 || true
  podman "${STORAGE[@]}" volume rm -f "$VOLUME" >/dev/null 2>&1 || true
  [ -n "${ROOTFS:-}" ] && rm -rf "$ROOTFS"
  # Drop what earlier builds left (the current layers stay cached).
  podman "${STORAGE[@]}" image prune -f --filter until=6h >/dev/null 2>&1 || true
}
trap cleanup EXIT

if [ -n "${CS_AGENTS_IMAGE_REBUILD_BASE:-}" ] || ! podman "${STORAGE[@]}" image exists "$BASE"; then
  step "base image $BASE: debootstrap $SUITE + Node.js $NODE_VERSION from this machine"
  ROOTFS=$(mktemp -d /tmp/cs-agents-rootfs-XXXXXX)
  # mktemp makes it 0700, and it becomes the image's "/": the non-root user must be able to enter it.
  chmod 0755 "$ROOTFS"
  debootstrap --variant=minbase --include=ca-certificates,libstdc++6 "$SUITE" "$ROOTFS" "$MIRROR" >/tmp/cs-agents-debootstrap.log 2>&1 \
    || { tail -20 /tmp/cs-agents-debootstrap.log >&2; exit 1; }
  install -m 0755 "$NODE_BIN" "$ROOTFS/usr/bin/node"
  NODE_PREFIX=$(dirname "$(dirname "$NODE_BIN")")
  mkdir -p "$ROOTFS/usr/lib/node_modules" "$ROOTFS/usr/include"
  cp -a "$NODE_PREFIX/lib/node_modules/npm" "$ROOTFS/usr/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/bin/npx"
  # Node's headers, so node-gyp builds better-sqlite3 without downloading them.
  [ -d "$NODE_PREFIX/include/node" ] && cp -a "$NODE_PREFIX/include/node" "$ROOTFS/usr/include/node"
  # This machine's trust store: where the network is reached through a TLS-inspecting proxy,
  # npm in the build needs its certificate authority too. (A test base image; never shipped.)
  cp /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
  # What the official node images set: a PATH (an imported file system has none) and node as the command.
  tar -C "$ROOTFS" -c . | podman "${STORAGE[@]}" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV npm_config_nodedir=/usr' --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["node"]' - "$BASE" >>/tmp/cs-agents-debootstrap.log 2>&1 || { tail -20 /tmp/cs-agents-debootstrap.log >&2; exit 1; }
  rm -rf "$ROOTFS"
  ROOTFS=
  # Bases of other Node.js versions or recipes.
  podman "${STORAGE[@]}" images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/cs-agents-base:' | grep -vxF "$BASE" \
    | xargs -r podman "${STORAGE[@]}" rmi -f >/dev/null 2>&1 || true
fi

# The shipped base (the Dockerfile's default, by digest) when the registry can be reached; else the
# local base above: the same Debian suite, this machine's Node.js.
SHIPPED=$(sed -n 's/^ARG BASE_IMAGE=//p' Dockerfile)
if timeout 120 podman "${STORAGE[@]}" pull -q "docker.io/library/$SHIPPED" >/dev/null 2>&1; then
  BASE=docker.io/library/$SHIPPED
  echo "building on the shipped base $SHIPPED"
else
  echo "the shipped base $SHIPPED cannot be pulled here: building on the local $BASE"
fi

step "build the Dockerfile on $BASE ($DRIVER storage)"
started=$(date +%s)
# docker format: the OCI format has no HEALTHCHECK.
buildah "${STORAGE[@]}" bud --format docker --isolation chroot --layers --build-arg "BASE_IMAGE=$BASE" -t "$IMAGE" . >/tmp/cs-agents-image-build.log 2>&1 \
  || { tail -40 /tmp/cs-agents-image-build.log >&2; exit 1; }
echo "built in $(( $(date +%s) - started )) s"

step "run it: read-only root, data in a volume, auth off on loopback"
podman "${STORAGE[@]}" volume create "$VOLUME" >/dev/null
# --health-interval=disable: no systemd timers here (podman logs that it cannot reach systemd;
# the check is run by hand below). The port is set through CS_AGENTS_PORT, which the image's
# HEALTHCHECK reads too.
podman "${STORAGE[@]}" run -d --name "$NAME" --runtime runc --network host --read-only --health-interval=disable \
  --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
  -v "$VOLUME:/var/lib/agents" -e CS_AGENTS_AUTH=off -e CS_AGENTS_LOG_FORMAT=json -e CS_AGENTS_PORT="$PORT" \
  -e NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2 \
  "$IMAGE" serve --host 127.0.0.1 --workers 2 >/dev/null 2>/tmp/cs-agents-image-run.log \
  || { cat /tmp/cs-agents-image-run.log >&2; exit 1; }
BASE_URL=http://127.0.0.1:$PORT
for _ in $(seq 1 60); do curl -fsS "$BASE_URL/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fsS "$BASE_URL/healthz" >/dev/null || { podman "${STORAGE[@]}" logs "$NAME" >&2; echo "test-image: /healthz did not answer" >&2; exit 1; }
echo "/healthz answers"

podman "${STORAGE[@]}" healthcheck run "$NAME" 2>>/tmp/cs-agents-image-run.log || { echo "test-image: the image's HEALTHCHECK failed or is missing" >&2; exit 1; }
echo "the image's HEALTHCHECK passes"

uid=$(podman "${STORAGE[@]}" exec "$NAME" node -p 'process.getuid()')
[ "$uid" = "10001" ] || { echo "test-image: the service runs as uid $uid, not 10001" >&2; exit 1; }
echo "runs as uid $uid"
if podman "${STORAGE[@]}" exec "$NAME" node -e 'require("fs").writeFileSync("/app/x", "x")' 2>/dev/null; then
  echo "test-image: the root file system is writable" >&2; exit 1
fi
echo "root file system is read-only"

id=$(curl -fsS -X POST -H 'content-type: application/json' -d '{"description":"生成季度财务报告"}' "$BASE_URL/v1/tasks" | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).id')
status=
for _ in $(seq 1 120); do
  status=$(curl -fsS "$BASE_URL/v1/tasks/$id" | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).status')
  case "$status" in succeeded|failed|cancelled) break ;; esac
  sleep 0.5
done
[ "$status" = "succeeded" ] || { podman "${STORAGE[@]}" logs "$NAME" >&2; echo "test-image: task $id ended $status" >&2; exit 1; }
# Read the whole body first: `grep -q` stops at the first match, and under pipefail curl's
# failed write to the closed pipe would fail the check.
report=$(curl -fsS "$BASE_URL/v1/tasks/$id/artifacts/report.md") || { echo "test-image: the report artifact could not be read" >&2; exit 1; }
grep -q "银松" <<<"$report" || { echo "test-image: the report artifact is missing its content" >&2; exit 1; }
echo "task $id succeeded and its report is in the volume"

step "heap snapshot: the runbook's command (docs/operations.md#memory-growth)"
podman "${STORAGE[@]}" exec "$NAME" node -e 'process.kill(1, "SIGUSR2")' || { echo "test-image: the runbook's heap-snapshot command failed" >&2; exit 1; }
snapshot=
for _ in $(seq 1 120); do
  snapshot=$(podman "${STORAGE[@]}" exec "$NAME" node -e 'console.log(require("fs").readdirSync("/var/lib/agents").filter((f) => f.endsWith(".heapsnapshot")).join(" "))' 2>/dev/null || true)
  [ -n "$snapshot" ] && break
  sleep 0.5
done
[ -n "$snapshot" ] || { echo "test-image: no .heapsnapshot in /var/lib/agents after SIGUSR2" >&2; exit 1; }
curl -fsS "$BASE_URL/healthz" >/dev/null || { echo "test-image: /healthz failed after the heap snapshot" >&2; exit 1; }
echo "SIGUSR2 wrote $snapshot to the volume; the service still answers"

step "SIGTERM: drain and exit 0"
started=$(date +%s)
podman "${STORAGE[@]}" kill --signal TERM "$NAME" >/dev/null 2>>/tmp/cs-agents-image-run.log
podman "${STORAGE[@]}" wait "$NAME" >/tmp/cs-agents-image-exit 2>/dev/null || true
code=$(cat /tmp/cs-agents-image-exit)
took=$(( $(date +%s) - started ))
logs=$(podman "${STORAGE[@]}" logs "$NAME" 2>&1)
[ "$code" = "0" ] || { echo "$logs" >&2; echo "test-image: exit code $code after SIGTERM" >&2; exit 1; }
echo "$logs" | grep -q 'SIGTERM: draining' || { echo "$logs" >&2; echo "test-image: no drain on SIGTERM" >&2; exit 1; }
echo "$logs" | grep -q '"msg":"stopped"' || { echo "$logs" >&2; echo "test-image: did not stop cleanly" >&2; exit 1; }
echo "stopped with exit 0 in ${took} s"
echo
echo "image test passed"
