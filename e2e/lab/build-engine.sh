#!/usr/bin/env bash
# Build the Pulumi engine (CLI, Node.js language host, command provider) into a per-version cache
# OUTSIDE the repo:
#
#   ${SOVEREIGN_TOOLS_DIR:-$HOME/.cache/sovereign/tools}/pulumi-v3.259.0/bin/
#       pulumi                          CLI v3.259.0 (Go module proxy, tagged module)
#       pulumi-language-nodejs          Node.js language host of v3.259.0 (upstream source)
#       pulumi-resource-pulumi-nodejs   dynamic-provider shim (2-line shell script)
#   ${SOVEREIGN_TOOLS_DIR}/pulumi-home/plugins/resource-command-v1.2.1/
#       pulumi-resource-command         the upstream pulumi-command provider v1.2.1
#
# The language host and pulumi-command are untagged modules the module proxy here refuses by
# commit. Their upstream sources sit in the vendor folder (shared/vendor/, see its README):
# ${SOVEREIGN_VENDOR_DIR:-<repo>/../shared/vendor}. When that folder is absent, both are fetched
# from the module proxy by commit; when neither works the build fails (no stand-ins).
#
# Plugin discovery for the command provider: the engine looks for a plugin
#   1) on PATH (ambient plugins; any version, unless PULUMI_IGNORE_AMBIENT_PLUGINS),
#   2) in $PULUMI_HOME/plugins/resource-<name>-v<version>/ (exact version; the
#      directory counts as installed when no "<dir>.partial" file sits beside it).
# We use (2): the binary is NOT on PATH, $PULUMI_HOME (set by env.sh) holds
# plugins/resource-command-v1.2.1/pulumi-resource-command, so with
# PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true the engine still resolves
# "resource-command 1.2.1" (the version @pulumi/command@1.2.1 asks for).
#
# Usage: e2e/lab/build-engine.sh [step...]   steps: lang cli command shim (default: all)
# Env:   SOVEREIGN_TOOLS_DIR, SOVEREIGN_VENDOR_DIR, SOVEREIGN_FORCE_REBUILD=1 (ignore cache),
#        GOPROXY/GOFLAGS as usual; GONOSUMDB defaults to github.com/pulumi.
# Every binary is skipped when already cached (keyed by version, in `<binary>.stamp`).
set -Eeuo pipefail

LAB_DIR_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$LAB_DIR_SRC/../.." && pwd)"
PULUMI_VERSION=v3.259.0
# Node.js language host: its own module, never tagged; 0ac56e876614 = the v3.259.0 commit.
LANG_MODULE=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
LANG_COMMIT=0ac56e876614
COMMAND_VERSION=1.2.1
COMMAND_MODULE=github.com/pulumi/pulumi-command/provider
COMMAND_COMMIT=7f3eb6f3b77c   # = pulumi-command v1.2.1
# Upstream sources of both (shared/vendor/README.md); in CI shared/ sits beside the checkout.
VENDOR_DIR="${SOVEREIGN_VENDOR_DIR:-$REPO_ROOT/../shared/vendor}"
LANG_SRC="$VENDOR_DIR/pulumi-language-nodejs-$PULUMI_VERSION"
COMMAND_SRC="$VENDOR_DIR/pulumi-command-v$COMMAND_VERSION/provider"

TOOLS_DIR="${SOVEREIGN_TOOLS_DIR:-$HOME/.cache/sovereign/tools}"
BIN_DIR="$TOOLS_DIR/pulumi-$PULUMI_VERSION/bin"
PULUMI_HOME_DIR="${PULUMI_HOME:-$TOOLS_DIR/pulumi-home}"
PLUGIN_DIR="$PULUMI_HOME_DIR/plugins/resource-command-v$COMMAND_VERSION"
WORK="$TOOLS_DIR/build"
export GONOSUMDB="${GONOSUMDB:-github.com/pulumi}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export CGO_ENABLED=0
export GOFLAGS="-mod=mod -buildvcs=false"
FORCE="${SOVEREIGN_FORCE_REBUILD:-0}"

STEP="init"
log() { printf '[build-engine %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[build-engine] FAILED at step "%s": %s\n' "$STEP" "$*" >&2; exit 1; }
trap 'rc=$?; printf "[build-engine] FAILED at step \"%s\" (exit %s): command: %s\n" "$STEP" "$rc" "$BASH_COMMAND" >&2' ERR

command -v go >/dev/null || die "go not found on PATH (need Go >= 1.25)"
mkdir -p "$BIN_DIR" "$WORK" "$PULUMI_HOME_DIR/plugins"

stamp_ok() { # stamp_ok FILE CONTENT -> 0 when cached
  [[ "$FORCE" != 1 && -x "$1" && -f "$1.stamp" && "$(cat "$1.stamp")" == "$2" ]]
}

# new_wrapper NAME : fresh wrapper module dir (outside the repo), prints its path
new_wrapper() {
  local d="$WORK/$1"
  rm -rf "$d"; mkdir -p "$d"
  printf 'module sovereign.local/enginebuild/%s\n\ngo 1.25\n' "$1" >"$d/go.mod"
  echo "$d"
}

gobuild() { # gobuild DIR OUT PKG LDFLAGS
  local dir=$1 out=$2 pkg=$3 ldflags=$4
  log "go build $pkg -> $out"
  ( cd "$dir" && go build -trimpath -tags osusergo,grpcnotrace -ldflags "-s -w $ldflags" -o "$out.tmp" "$pkg" ) \
    || die "go build $pkg failed (see messages above)"
  mv -f "$out.tmp" "$out"
}

# build_from SRC OUT PKG LDFLAGS : go build PKG in the module at SRC, dependencies from go.sum only.
build_from() {
  local src=$1 out=$2 pkg=$3 ldflags=$4
  log "go build $pkg in $src -> $out"
  ( cd "$src" && GOFLAGS="-mod=readonly -buildvcs=false" go build -trimpath -tags osusergo,grpcnotrace \
      -ldflags "-s -w $ldflags" -o "$out.tmp" "$pkg" ) || die "go build in $src failed (see messages above)"
  mv -f "$out.tmp" "$out"
}

# build_module MODULE@COMMIT OUT PKG LDFLAGS [EXTRA_REQUIRES...] : fetch by commit, then build.
build_module() {
  local ref=$1 out=$2 pkg=$3 ldflags=$4; shift 4
  local d; d=$(new_wrapper "$(basename "$out")")
  log "$VENDOR_DIR not found: go get $ref from the module proxy"
  (cd "$d" && go get "$ref" "$@") \
    || die "the module proxy refused $ref and no upstream source is at $VENDOR_DIR (set SOVEREIGN_VENDOR_DIR to the folder holding shared/vendor)"
  gobuild "$d" "$out" "$pkg" "$ldflags"
}

build_lang() {
  STEP="lang (pulumi-language-nodejs $PULUMI_VERSION)"
  local out="$BIN_DIR/pulumi-language-nodejs" stamp="$PULUMI_VERSION upstream"
  if stamp_ok "$out" "$stamp"; then log "cached: $out ($stamp)"; return; fi
  local ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
  if [[ -f "$LANG_SRC/go.mod" ]]; then
    build_from "$LANG_SRC" "$out" . "$ldflags"
  else
    build_module "$LANG_MODULE@$LANG_COMMIT" "$out" "$LANG_MODULE" "$ldflags" \
      "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION"
  fi
  echo "$stamp" >"$out.stamp"
  log "built $out ($stamp)"
}

build_cli() {
  STEP="cli (pulumi $PULUMI_VERSION)"
  local out="$BIN_DIR/pulumi"
  if stamp_ok "$out" "$PULUMI_VERSION"; then log "cached: $out"; return; fi
  local d; d=$(new_wrapper cli)
  log "go get pkg/v3@$PULUMI_VERSION sdk/v3@$PULUMI_VERSION"
  (cd "$d" && go get "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION") \
    || die "go get github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION failed"
  gobuild "$d" "$out" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
  local v; v=$("$out" version) || die "$out version failed"
  [[ "$v" == "$PULUMI_VERSION" ]] || die "$out reports '$v', expected $PULUMI_VERSION"
  echo "$PULUMI_VERSION" >"$out.stamp"
  log "built $out ($v)"
}

build_command() {
  STEP="command (pulumi-resource-command $COMMAND_VERSION)"
  local out="$PLUGIN_DIR/pulumi-resource-command" stamp="$COMMAND_VERSION upstream"
  mkdir -p "$PLUGIN_DIR"
  if stamp_ok "$out" "$stamp"; then log "cached: $out ($stamp)"; return; fi
  local ldflags="-X $COMMAND_MODULE/pkg/version.Version=$COMMAND_VERSION"
  if [[ -f "$COMMAND_SRC/go.mod" ]]; then
    build_from "$COMMAND_SRC" "$out" ./cmd/pulumi-resource-command "$ldflags"
  else
    build_module "$COMMAND_MODULE@$COMMAND_COMMIT" "$out" "$COMMAND_MODULE/cmd/pulumi-resource-command" "$ldflags"
  fi
  echo "$stamp" >"$out.stamp"
  rm -f "$PLUGIN_DIR.partial"
  log "installed $out ($stamp)"
}

build_shim() {
  STEP="shim (pulumi-resource-pulumi-nodejs)"
  local out="$BIN_DIR/pulumi-resource-pulumi-nodejs"
  cat >"$out.tmp" <<'SH'
#!/bin/sh
exec node "$(node -e 'process.stdout.write(require.resolve("@pulumi/pulumi/cmd/dynamic-provider", {paths: [process.cwd()]}))')" "$@"
SH
  chmod +x "$out.tmp"; mv -f "$out.tmp" "$out"
  log "wrote $out"
}

steps=("$@"); [[ ${#steps[@]} -gt 0 ]] || steps=(lang cli command shim)
t0=$SECONDS
log "tools dir: $TOOLS_DIR  vendor: $VENDOR_DIR$([[ -d $VENDOR_DIR ]] || echo " (absent)")  (go: $(go version | cut -d' ' -f3), GOPROXY=$(go env GOPROXY))"
for s in "${steps[@]}"; do
  case "$s" in
    lang) build_lang ;; cli) build_cli ;; command) build_command ;; shim) build_shim ;;
    *) die "unknown step '$s' (use: lang cli command shim)" ;;
  esac
done
STEP=done
log "engine ready in $BIN_DIR (+ $PLUGIN_DIR) after $((SECONDS - t0))s"
