#!/usr/bin/env bash
# Build the Bitcoin devnet image sovereign/devnet-btcd:<BTCD_VERSION> without any image registry and
# load it into every lab host's dockerd (from hosts.json): btcd (build-nodes.sh, cached) + busybox-static
# (the one devnet-image downloaded) + e2e/lab/devnet-btcd/*, FROM scratch with the legacy builder.
# Cached by the build context's hash (label sovereign.lab.hash), like build-devnet-image.sh.
# Usage: build-btcd-image.sh [--force]
# Env:   SOVEREIGN_LAB_DIR, SOVEREIGN_CACHE_DIR (default ~/.cache/sovereign), SOVEREIGN_TOOLS_DIR
set -Eeuo pipefail
LAB_SCRIPT=btcd-image
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$SRC/lib.sh"
trap 'printf "[btcd-image] FAILED (exit %s) at: %s\n" "$?" "$BASH_COMMAND" >&2' ERR
FORCE=0
for a in "$@"; do case "$a" in --force) FORCE=1 ;; *) lab_die "unknown argument $a" ;; esac; done
[[ -f "$LAB_DIR/hosts.json" ]] || lab_die "no $LAB_DIR/hosts.json: run e2e/lab/hosts-up.sh first"
mapfile -t NAMES < <(jq -r '.[].name' "$LAB_DIR/hosts.json")
mapfile -t SOCKS < <(jq -r '.[].dockerSocket' "$LAB_DIR/hosts.json")
CACHE="${SOVEREIGN_CACHE_DIR:-$HOME/.cache/sovereign}/btcd-image"
BB_DEB=$(ls "${SOVEREIGN_CACHE_DIR:-$HOME/.cache/sovereign}"/devnet-image/busybox-static_*_amd64.deb 2>/dev/null | head -1 || true)
[[ -n "$BB_DEB" ]] || lab_die "no busybox-static .deb in the devnet-image cache: run build-devnet-image.sh first"
BTCD=$("$SRC/build-nodes.sh" btcd)
VERSION=$(basename "$(dirname "$BTCD")"); VERSION=${VERSION#btcd-v}
IMAGE="sovereign/devnet-btcd:$VERSION"
export DOCKER_BUILDKIT=0

mkdir -p "$CACHE"
CTX="$CACHE/context"
rm -rf "$CTX"; mkdir -p "$CTX/rootfs"/{usr/local/bin,bin,etc,tmp,root}
R="$CTX/rootfs"
chmod 1777 "$R/tmp"; chmod 700 "$R/root"
install -m 755 "$BTCD" "$R/usr/local/bin/btcd"
dpkg-deb --fsys-tarfile "$BB_DEB" | tar -x -C "$CACHE" ./bin/busybox
install -m 755 "$CACHE/bin/busybox" "$R/bin/busybox"
for app in sh nc wget cat ls ps echo grep sleep env kill netstat; do ln -sf busybox "$R/bin/$app"; done
install -m 755 "$SRC/devnet-btcd/btcd-start" "$SRC/devnet-btcd/btcd-healthcheck" "$R/usr/local/bin/"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
cp "$SRC/devnet-btcd/Dockerfile" "$CTX/Dockerfile"
HASH=$(lab_context_hash "$CTX")
lab_log "context hash $HASH"
lab_image_on_hosts "$IMAGE" "$HASH" "$CTX" "$CACHE/devnet-btcd-$VERSION-$HASH.tar" "$FORCE" "$CACHE/devnet-btcd-*.tar"
lab_log "$IMAGE present on ${#NAMES[@]} hosts"
