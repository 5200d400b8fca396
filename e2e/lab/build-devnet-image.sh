#!/usr/bin/env bash
# Build the devnet image sovereign/devnet-anvil:<ANVIL_VERSION> (default 1.7.1) without
# any image registry, and load it into EVERY lab host's dockerd (from hosts.json).
#   - anvil: npm pack @foundry-rs/anvil-linux-amd64@VERSION (cached)
#   - busybox-static: apt-get download (cached; not installed on the machine)
#   - rootfs = anvil + its shared libraries + loader + busybox + anvil-healthcheck,
#     built FROM scratch with the legacy builder (e2e/lab/devnet-image/Dockerfile)
#     on the first lab host, saved to a cache tar, `docker load`ed on the others.
# Cached: a host is skipped when its image carries the label sovereign.lab.hash
# equal to the hash of the build context. Verification (run on the first host,
# eth_chainId from the root namespace, healthcheck, remove) runs when anything was
# built/loaded, or with --verify.
# Usage: build-devnet-image.sh [--verify] [--force]
# Env:   SOVEREIGN_LAB_DIR, SOVEREIGN_CACHE_DIR (default ~/.cache/sovereign), ANVIL_VERSION
set -Eeuo pipefail
LAB_SCRIPT=devnet-image
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$SRC/lib.sh"
trap 'printf "[devnet-image] FAILED (exit %s) at: %s\n" "$?" "$BASH_COMMAND" >&2' ERR

ANVIL_VERSION="${ANVIL_VERSION:-1.7.1}"
IMAGE="sovereign/devnet-anvil:$ANVIL_VERSION"
CACHE="${SOVEREIGN_CACHE_DIR:-$HOME/.cache/sovereign}/devnet-image"
VERIFY=0; FORCE=0
for a in "$@"; do case "$a" in --verify) VERIFY=1 ;; --force) FORCE=1 ;; *) lab_die "unknown argument $a" ;; esac; done
[[ -f "$LAB_DIR/hosts.json" ]] || lab_die "no $LAB_DIR/hosts.json: run e2e/lab/hosts-up.sh first"
mapfile -t NAMES < <(jq -r '.[].name' "$LAB_DIR/hosts.json")
mapfile -t SOCKS < <(jq -r '.[].dockerSocket' "$LAB_DIR/hosts.json")
mkdir -p "$CACHE"
export DOCKER_BUILDKIT=0   # legacy builder: FROM scratch + COPY, no BuildKit/registry

# ---- inputs (cached downloads) ----
ANVIL_TGZ="$CACHE/foundry-rs-anvil-linux-amd64-$ANVIL_VERSION.tgz"
if [[ ! -s "$ANVIL_TGZ" ]]; then
  lab_log "npm pack @foundry-rs/anvil-linux-amd64@$ANVIL_VERSION"
  (cd "$CACHE" && npm pack --silent "@foundry-rs/anvil-linux-amd64@$ANVIL_VERSION" >/dev/null) ||
    lab_die "npm pack @foundry-rs/anvil-linux-amd64@$ANVIL_VERSION failed"
fi
BB_DEB=$(ls "$CACHE"/busybox-static_*_amd64.deb 2>/dev/null | head -1 || true)
if [[ -z "$BB_DEB" ]]; then
  lab_log "apt-get download busybox-static"
  (cd "$CACHE" && apt-get download busybox-static 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
  BB_DEB=$(ls "$CACHE"/busybox-static_*_amd64.deb 2>/dev/null | head -1 || true)
  [[ -n "$BB_DEB" ]] || lab_die "apt-get download busybox-static failed (run apt-get update?)"
fi

# ---- build context ----
CTX="$CACHE/context"
rm -rf "$CTX"; mkdir -p "$CTX/rootfs"/{usr/local/bin,bin,etc,tmp,root,lib64}
R="$CTX/rootfs"
chmod 1777 "$R/tmp"; chmod 700 "$R/root"
tar -xzf "$ANVIL_TGZ" -C "$CACHE" package/bin/anvil
install -m 755 "$CACHE/package/bin/anvil" "$R/usr/local/bin/anvil"
"$R/usr/local/bin/anvil" --version | grep -q "Version: $ANVIL_VERSION" ||
  lab_die "the anvil binary from npm does not report version $ANVIL_VERSION"
# shared libraries + loader exactly as the binary resolves them here
while read -r lib; do
  [[ -f "$lib" ]] || continue
  mkdir -p "$R$(dirname "$lib")"; cp -L "$lib" "$R$lib"
done < <(ldd "$R/usr/local/bin/anvil" | awk '/=>/ {print $3} !/=>/ && $1 ~ /^\// {print $1}')
[[ -f "$R/lib64/ld-linux-x86-64.so.2" ]] || lab_die "loader /lib64/ld-linux-x86-64.so.2 not found via ldd"
dpkg-deb --fsys-tarfile "$BB_DEB" | tar -x -C "$CACHE" ./bin/busybox
install -m 755 "$CACHE/bin/busybox" "$R/bin/busybox"
for app in sh wget nc cat ls ps echo grep sleep env id kill netstat ip; do ln -sf busybox "$R/bin/$app"; done
install -m 755 "$SRC/devnet-image/anvil-healthcheck" "$R/usr/local/bin/anvil-healthcheck"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
cp "$SRC/devnet-image/Dockerfile" "$CTX/Dockerfile"
HASH=$(lab_context_hash "$CTX")
TAR="$CACHE/devnet-anvil-$ANVIL_VERSION-$HASH.tar"
lab_log "context hash $HASH"

lab_image_on_hosts "$IMAGE" "$HASH" "$CTX" "$TAR" "$FORCE" "$CACHE/devnet-anvil-*.tar"

# ---- verify on the first host: JSON-RPC from the root namespace + healthcheck ----
if [[ $LAB_IMAGE_CHANGED == 1 || $VERIFY == 1 ]]; then
  name=${NAMES[0]} sock=${SOCKS[0]} addr=$(jq -r '.[0].address' "$LAB_DIR/hosts.json")
  D=(docker -H "unix://$sock")
  "${D[@]}" rm -f sov-devnet-verify >/dev/null 2>&1 || true
  "${D[@]}" run -d --name sov-devnet-verify -p "$addr:8545:8545" "$IMAGE" \
    --host 0.0.0.0 --port 8545 --chain-id 31337 --block-time 2 >/dev/null
  ok=""
  for _ in $(seq 50); do
    ok=$(curl -s -m 2 -X POST -H 'content-type: application/json' \
      --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "http://$addr:8545" || true)
    [[ "$ok" == *'"result":"0x7a69"'* ]] && break
    sleep 0.2
  done
  hc=$("${D[@]}" exec sov-devnet-verify anvil-healthcheck 2>&1 || true)
  logs=$("${D[@]}" logs --tail 20 sov-devnet-verify 2>&1 || true)
  "${D[@]}" rm -f sov-devnet-verify >/dev/null
  [[ "$ok" == *'"result":"0x7a69"'* ]] || lab_die "eth_chainId via http://$addr:8545 answered '$ok'; container logs: $logs"
  [[ "$hc" == *'"result"'* ]] || lab_die "anvil-healthcheck inside the container failed: $hc"
  lab_log "verified on $name: eth_chainId from the root namespace -> $ok; healthcheck ok"
fi
lab_log "$IMAGE present on ${#NAMES[@]} hosts"
