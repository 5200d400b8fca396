#!/usr/bin/env bash
# Build wireguard-go (the official userspace WireGuard, golang.zx2c4.com/wireguard) from the Go
# module proxy into the tools cache, OUTSIDE the repo:
#   ${SOVEREIGN_TOOLS_DIR:-$HOME/.cache/sovereign/tools}/wireguard-go-<version>/wireguard-go
# The lab's kernel has no WireGuard module; the overlay component falls back to this binary on
# bare-metal hosts (it creates the interface over /dev/net/tun). `wg` comes from Debian's
# wireguard-tools. Idempotent: skipped when the binary for this version is cached (*.stamp).
# Usage: e2e/lab/build-wireguard.sh      (prints the binary's path last)
# Env: SOVEREIGN_TOOLS_DIR, SOVEREIGN_FORCE_REBUILD=1
set -Eeuo pipefail
trap 'printf "[build-wireguard] FAILED (exit %s) at: %s\n" "$?" "$BASH_COMMAND" >&2' ERR
# Pseudo-version of the module's newest commit as served by the module proxy (2026-05-22);
# golang.zx2c4.com/wireguard has no semver tags.
WG_MODULE=golang.zx2c4.com/wireguard
WG_VERSION=v0.0.0-20260522210424-ecfc5a8d5446
TOOLS_DIR="${SOVEREIGN_TOOLS_DIR:-$HOME/.cache/sovereign/tools}"
OUT_DIR="$TOOLS_DIR/wireguard-go-$WG_VERSION"
OUT="$OUT_DIR/wireguard-go"
log() { printf '[build-wireguard %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

command -v go >/dev/null || { log "go not found on PATH (need Go >= 1.23)"; exit 1; }
if [[ "${SOVEREIGN_FORCE_REBUILD:-0}" != 1 && -x "$OUT" && "$(cat "$OUT.stamp" 2>/dev/null)" == "$WG_MODULE@$WG_VERSION" ]]; then
  log "cached: $OUT"
  echo "$OUT"; exit 0
fi
mkdir -p "$OUT_DIR" "$TOOLS_DIR/build"
work=$(mktemp -d "$TOOLS_DIR/build/wireguard.XXXXXX")
trap 'rm -rf "$work"' EXIT
printf 'module sovereign.local/wgbuild\n\ngo 1.23\n' >"$work/go.mod"
log "go get $WG_MODULE@$WG_VERSION"
(cd "$work" && GOFLAGS=-mod=mod GOTOOLCHAIN=local go get "$WG_MODULE@$WG_VERSION")
log "go build -> $OUT"
(cd "$work" && CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local go build -trimpath -ldflags "-s -w" -o "$OUT.tmp" "$WG_MODULE")
mv -f "$OUT.tmp" "$OUT"
echo "$WG_MODULE@$WG_VERSION" >"$OUT.stamp"
log "built $OUT ($("$OUT" --version | head -1))"
echo "$OUT"
