#!/usr/bin/env bash
# Build the lab's non-EVM nodes from the Go module proxy into the tools cache, OUTSIDE the repo:
#   ${SOVEREIGN_TOOLS_DIR:-$HOME/.cache/sovereign/tools}/btcd-<version>/btcd          Bitcoin full node (regtest),
#                                                     Bitcoin Core-compatible JSON-RPC (github.com/btcsuite/btcd)
#   ${SOVEREIGN_TOOLS_DIR}/cometbft-<version>/cometbft CometBFT with its built-in kvstore app
# Used by test/gateway (on loopback) and by the Bitcoin devnet image (build-devnet-image.sh btcd).
# Idempotent: a binary is skipped when the one for its version is cached (*.stamp).
# Usage: e2e/lab/build-nodes.sh [btcd] [cometbft]   (default both; prints each binary's path on stdout)
# Env: SOVEREIGN_TOOLS_DIR, SOVEREIGN_FORCE_REBUILD=1
set -Eeuo pipefail
trap 'printf "[build-nodes] FAILED (exit %s) at: %s\n" "$?" "$BASH_COMMAND" >&2' ERR
BTCD_VERSION=v0.24.2
COMETBFT_VERSION=v1.0.1
TOOLS_DIR="${SOVEREIGN_TOOLS_DIR:-$HOME/.cache/sovereign/tools}"
log() { printf '[build-nodes %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
command -v go >/dev/null || { log "go not found on PATH (need Go >= 1.23)"; exit 1; }

# build NAME MODULE VERSION PACKAGE : go build PACKAGE of MODULE@VERSION into the cache.
build() {
  local name=$1 module=$2 version=$3 pkg=$4
  local out="$TOOLS_DIR/$name-$version/$name"
  if [[ "${SOVEREIGN_FORCE_REBUILD:-0}" != 1 && -x "$out" && "$(cat "$out.stamp" 2>/dev/null)" == "$module@$version" ]]; then
    log "cached: $out"; echo "$out"; return
  fi
  mkdir -p "$(dirname "$out")" "$TOOLS_DIR/build"
  local work; work=$(mktemp -d "$TOOLS_DIR/build/$name.XXXXXX")
  printf 'module sovereign.local/%sbuild\n\ngo 1.23\n' "$name" >"$work/go.mod"
  log "go get $module@$version"
  (cd "$work" && GOFLAGS=-mod=mod GOTOOLCHAIN=local go get "$module@$version")
  log "go build $pkg -> $out"
  (cd "$work" && CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local go build -trimpath -ldflags "-s -w" -o "$out.tmp" "$pkg")
  rm -rf "$work"
  mv -f "$out.tmp" "$out"
  echo "$module@$version" >"$out.stamp"
  log "built $out"
  echo "$out"
}

steps=("$@"); [[ ${#steps[@]} -gt 0 ]] || steps=(btcd cometbft)
for s in "${steps[@]}"; do
  case "$s" in
    btcd) build btcd github.com/btcsuite/btcd "$BTCD_VERSION" github.com/btcsuite/btcd ;;
    cometbft) build cometbft github.com/cometbft/cometbft "$COMETBFT_VERSION" github.com/cometbft/cometbft/cmd/cometbft ;;
    *) log "unknown node '$s' (use: btcd cometbft)"; exit 2 ;;
  esac
done
