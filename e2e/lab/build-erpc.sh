#!/usr/bin/env bash
# Build eRPC (the JSON-RPC proxy the gateways' integrity layer runs: consensus across operators)
# from its vendored upstream source, and the lab image sovereign/erpc:<version> on every lab host.
#   ${SOVEREIGN_TOOLS_DIR:-$HOME/.cache/sovereign/tools}/erpc-<version>/erpc-server
#       go build of ${SOVEREIGN_VENDOR_DIR:-<repo>/../shared/vendor}/erpc-<version> (the module proxy
#       refuses eRPC; its manifesto dependency is vendored beside it), cached by version (*.stamp)
#   sovereign/erpc:<version>  the binary + busybox-static, FROM scratch with the legacy builder
#       (e2e/lab/erpc-image/Dockerfile), cached by the build context's hash (label sovereign.lab.hash).
# Real hosts run the official image the catalog pins (ghcr.io/erpc/erpc:<version>); this one has its layout.
# Usage: build-erpc.sh [--binary-only] [--force] [--hosts sov-h23[,sov-h24]]   (prints the binary's path, then the image, on stdout)
# Env:   SOVEREIGN_TOOLS_DIR, SOVEREIGN_VENDOR_DIR, SOVEREIGN_LAB_DIR, SOVEREIGN_CACHE_DIR, SOVEREIGN_FORCE_REBUILD=1
set -Eeuo pipefail
LAB_SCRIPT=build-erpc
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$SRC/lib.sh"
trap 'printf "[build-erpc] FAILED (exit %s) at: %s\n" "$?" "$BASH_COMMAND" >&2' ERR
ERPC_VERSION=0.0.56
VENDOR_DIR="${SOVEREIGN_VENDOR_DIR:-$SRC/../../../shared/vendor}"
ERPC_SRC="$VENDOR_DIR/erpc-$ERPC_VERSION"
OUT="$TOOLS_DIR/erpc-$ERPC_VERSION/erpc-server"
STAMP="erpc $ERPC_VERSION vendored"
BINARY_ONLY=0; FORCE="${SOVEREIGN_FORCE_REBUILD:-0}"; ONLY=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --binary-only) BINARY_ONLY=1 ;; --force) FORCE=1 ;;
    --hosts) ONLY="${2:?--hosts needs a list, e.g. sov-h23,sov-h24}"; shift ;;
    *) lab_die "unknown argument $1 (use --binary-only, --force, --hosts LIST)" ;;
  esac
  shift
done

build_binary() {
  if [[ $FORCE != 1 && -x "$OUT" && "$(cat "$OUT.stamp" 2>/dev/null)" == "$STAMP" ]]; then
    lab_log "cached: $OUT" >&2; return
  fi
  command -v go >/dev/null || lab_die "go not found on PATH (need Go >= 1.25; this machine kind ships it in /usr/local/go)"
  [[ -f "$ERPC_SRC/go.mod" ]] ||
    lab_die "no eRPC source at $ERPC_SRC (set SOVEREIGN_VENDOR_DIR to the folder holding shared/vendor; see its README)"
  mkdir -p "$(dirname "$OUT")"
  lab_log "go build ./cmd/erpc in $ERPC_SRC -> $OUT" >&2
  (cd "$ERPC_SRC" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" go build -trimpath \
    -ldflags "-s -w -X github.com/erpc/erpc/common.ErpcVersion=$ERPC_VERSION" -o "$OUT.tmp" ./cmd/erpc) ||
    lab_die "go build of eRPC failed (see messages above)"
  mv -f "$OUT.tmp" "$OUT"
  echo "$STAMP" >"$OUT.stamp"
  lab_log "built $OUT" >&2
}

build_image() {
  [[ -f "$LAB_DIR/hosts.json" ]] || lab_die "no $LAB_DIR/hosts.json: run e2e/lab/hosts-up.sh first"
  local filter='.[]'
  [[ -z "$ONLY" ]] || filter=".[] | select(.name as \$n | \"$ONLY\" | split(\",\") | index(\$n))"
  mapfile -t NAMES < <(jq -r "$filter | .name" "$LAB_DIR/hosts.json")
  mapfile -t SOCKS < <(jq -r "$filter | .dockerSocket" "$LAB_DIR/hosts.json")
  [[ ${#NAMES[@]} -ge 1 ]] || lab_die "no lab host matches '$ONLY' in $LAB_DIR/hosts.json"
  local cache="${SOVEREIGN_CACHE_DIR:-$HOME/.cache/sovereign}/erpc-image"
  local bb_deb
  bb_deb=$(ls "${SOVEREIGN_CACHE_DIR:-$HOME/.cache/sovereign}"/devnet-image/busybox-static_*_amd64.deb 2>/dev/null | head -1 || true)
  [[ -n "$bb_deb" ]] || lab_die "no busybox-static .deb in the devnet-image cache: run build-devnet-image.sh first"
  local image="sovereign/erpc:$ERPC_VERSION"
  export DOCKER_BUILDKIT=0
  mkdir -p "$cache"
  local ctx="$cache/context"
  rm -rf "$ctx"; mkdir -p "$ctx/rootfs"/{bin,etc,tmp,root}
  local r="$ctx/rootfs"
  chmod 1777 "$r/tmp"; chmod 700 "$r/root"
  install -m 755 "$OUT" "$r/erpc-server"
  dpkg-deb --fsys-tarfile "$bb_deb" | tar -x -C "$cache" ./bin/busybox
  install -m 755 "$cache/bin/busybox" "$r/bin/busybox"
  for app in sh wget cat ls ps echo grep sleep env kill netstat; do ln -sf busybox "$r/bin/$app"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532:nonroot:/home/nonroot:/bin/false\n' >"$r/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$r/etc/group"
  cp "$SRC/erpc-image/Dockerfile" "$ctx/Dockerfile"
  local hash; hash=$(lab_context_hash "$ctx")
  lab_log "context hash $hash" >&2
  lab_image_on_hosts "$image" "$hash" "$ctx" "$cache/erpc-$ERPC_VERSION-$hash.tar" "$FORCE" "$cache/erpc-*.tar" >&2
  lab_log "$image present on ${#NAMES[@]} hosts" >&2
  echo "$image"
}

build_binary
echo "$OUT"
[[ $BINARY_ONLY == 1 ]] || build_image
