#!/usr/bin/env bash
# Tag a "release" of the lab's devnet image for rolling-upgrade tests: sovereign/devnet-anvil:TAG,
# built FROM sovereign/devnet-anvil:<ANVIL_VERSION> (e2e/lab/build-devnet-image.sh; the same anvil)
# with a label sovereign.lab.release=TAG, on the named lab hosts' dockerd. With --broken the
# release starts a fresh chain that never mines (it ignores --state and --block-time): its node
# answers and passes Docker's health check but never reaches the rollout's health bar.
# Cached: a host whose TAG image carries the label sovereign.lab.hash of this context and base is skipped.
# Usage: build-devnet-release.sh --tag TAG [--broken] --hosts sov-h21[,sov-h22]
# Env:   SOVEREIGN_LAB_DIR, SOVEREIGN_CACHE_DIR (default ~/.cache/sovereign), ANVIL_VERSION
set -Eeuo pipefail
LAB_SCRIPT=devnet-release
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$SRC/lib.sh"
trap 'printf "[devnet-release] FAILED (exit %s) at: %s\n" "$?" "$BASH_COMMAND" >&2' ERR

BASE="sovereign/devnet-anvil:${ANVIL_VERSION:-1.7.1}"
CACHE="${SOVEREIGN_CACHE_DIR:-$HOME/.cache/sovereign}/devnet-release"
TAG=""; BROKEN=0; ONLY=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tag) TAG="${2:?--tag needs a value}"; shift ;;
    --broken) BROKEN=1 ;;
    --hosts) ONLY="${2:?--hosts needs a list, e.g. sov-h21,sov-h22}"; shift ;;
    *) lab_die "unknown argument $1 (use --tag TAG, --broken, --hosts LIST)" ;;
  esac
  shift
done
[[ "$TAG" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || lab_die "--tag '$TAG' is not a Docker tag"
[[ -n "$ONLY" ]] || lab_die "name the hosts with --hosts (the image goes only where a test needs it)"
[[ -f "$LAB_DIR/hosts.json" ]] || lab_die "no $LAB_DIR/hosts.json: run e2e/lab/hosts-up.sh first"
filter=".[] | select(.name as \$n | \"$ONLY\" | split(\",\") | index(\$n))"
mapfile -t NAMES < <(jq -r "$filter | .name" "$LAB_DIR/hosts.json")
mapfile -t SOCKS < <(jq -r "$filter | .dockerSocket" "$LAB_DIR/hosts.json")
[[ ${#NAMES[@]} -ge 1 ]] || lab_die "no lab host matches '$ONLY' in $LAB_DIR/hosts.json"
export DOCKER_BUILDKIT=0   # legacy builder: FROM a local image, no registry

CTX="$CACHE/$TAG"
rm -rf "$CTX"; mkdir -p "$CTX"
{
  echo "FROM $BASE"
  echo "LABEL sovereign.lab.release=\"$TAG\""
  if [[ $BROKEN == 1 ]]; then
    echo "COPY anvil-broken /usr/local/bin/anvil-broken"
    echo 'ENTRYPOINT ["/usr/local/bin/anvil-broken"]'
  fi
} >"$CTX/Dockerfile"
if [[ $BROKEN == 1 ]]; then
  cat >"$CTX/anvil-broken" <<'SH'
#!/bin/sh
# A broken release: drops --state (starts a fresh chain, leaves the kept state file alone) and
# --block-time, and never mines; it still answers JSON-RPC, so only the rollout's health bar fails.
n=$#
while [ "$n" -gt 0 ]; do
  case "$1" in
    --state|--block-time) shift 2; n=$((n - 2)); continue ;;
  esac
  set -- "$@" "$1"; shift; n=$((n - 1))
done
exec /usr/local/bin/anvil "$@" --no-mining
SH
  chmod 755 "$CTX/anvil-broken"
fi
IMAGE="sovereign/devnet-anvil:$TAG"
for i in "${!NAMES[@]}"; do
  name=${NAMES[$i]} sock=${SOCKS[$i]}
  D=(docker -H "unix://$sock")
  base_id=$("${D[@]}" image inspect -f '{{.Id}}' "$BASE" 2>/dev/null) ||
    lab_die "$name has no $BASE: run e2e/lab/build-devnet-image.sh first"
  hash=$( (lab_context_hash "$CTX"; echo "$base_id") | sha256sum | cut -c1-16)
  if [[ "$(lab_image_label "$sock" "$IMAGE")" == "$hash" ]]; then lab_log "$name: $IMAGE up to date"; continue; fi
  lab_log "$name: docker build $IMAGE from $BASE"
  "${D[@]}" build -q --label "sovereign.lab.hash=$hash" -t "$IMAGE" "$CTX" >/dev/null ||
    lab_die "docker build $IMAGE failed on $name"
done
lab_log "$IMAGE present on ${NAMES[*]}"
