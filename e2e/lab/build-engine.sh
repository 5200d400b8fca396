#!/usr/bin/env bash
# Build the Pulumi engine (CLI, Node.js language host, command provider) from Go
# modules served by the Go module proxy, into a per-version cache OUTSIDE the repo:
#
#   ${SOVEREIGN_TOOLS_DIR:-$HOME/.cache/sovereign/tools}/pulumi-v3.259.0/bin/
#       pulumi                          CLI v3.259.0
#       pulumi-language-nodejs          Node.js language host
#       pulumi-resource-pulumi-nodejs   dynamic-provider shim (2-line shell script)
#   ${SOVEREIGN_TOOLS_DIR}/pulumi-home/plugins/resource-command-v1.2.1/
#       pulumi-resource-command         command provider, reports version 1.2.1
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
# Env:   SOVEREIGN_TOOLS_DIR, SOVEREIGN_FORCE_REBUILD=1 (ignore cache),
#        GOPROXY/GOFLAGS as usual; GONOSUMDB defaults to github.com/pulumi.
# Every binary is skipped when already cached (keyed by version).
set -Eeuo pipefail

LAB_DIR_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PULUMI_VERSION=v3.259.0
# Node.js language host: its own module, never tagged; a05d88f24d05 = the v3.259.0 commit.
LANG_MODULE=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
LANG_COMMIT=a05d88f24d05
# Fallback: up to v3.68.0 the host was a package of the (tagged) sdk/v3 module.
LANG_FALLBACK_SDK=v3.68.0
COMMAND_VERSION=1.2.1
COMMAND_COMMIT=7f3eb6f3b77c   # = pulumi-command v1.2.1

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

build_lang() {
  STEP="lang (pulumi-language-nodejs)"
  local out="$BIN_DIR/pulumi-language-nodejs"
  if stamp_ok "$out" "$LANG_MODULE@$LANG_COMMIT" || stamp_ok "$out" "sdk/v3@$LANG_FALLBACK_SDK"; then
    log "cached: $out ($(cat "$out.stamp"))"; return; fi
  local d; d=$(new_wrapper lang)
  log "go get $LANG_MODULE@$LANG_COMMIT"
  if (cd "$d" && go get "$LANG_MODULE@$LANG_COMMIT" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION") 2>"$d/get.err"; then
    gobuild "$d" "$out" "$LANG_MODULE" "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
    echo "$LANG_MODULE@$LANG_COMMIT" >"$out.stamp"
  else
    log "module proxy refused the language host by commit: $(tr '\n' ' ' <"$d/get.err")"
    log "falling back to the last in-SDK language host: github.com/pulumi/pulumi/sdk/v3@$LANG_FALLBACK_SDK"
    d=$(new_wrapper lang)
    (cd "$d" && go get "github.com/pulumi/pulumi/sdk/v3@$LANG_FALLBACK_SDK") || die "go get sdk/v3@$LANG_FALLBACK_SDK failed"
    gobuild "$d" "$out" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
      "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANG_FALLBACK_SDK"
    echo "sdk/v3@$LANG_FALLBACK_SDK" >"$out.stamp"
  fi
  log "built $out ($(cat "$out.stamp"))"
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
  local out="$PLUGIN_DIR/pulumi-resource-command"
  mkdir -p "$PLUGIN_DIR"
  if stamp_ok "$out" "$COMMAND_VERSION upstream" || stamp_ok "$out" "$COMMAND_VERSION lab $(lab_provider_hash)"; then
    log "cached: $out ($(cat "$out.stamp"))"; return; fi
  local d; d=$(new_wrapper command)
  log "go get github.com/pulumi/pulumi-command/provider@$COMMAND_COMMIT"
  if (cd "$d" && go get "github.com/pulumi/pulumi-command/provider@$COMMAND_COMMIT") 2>"$d/get.err"; then
    gobuild "$d" "$out" github.com/pulumi/pulumi-command/provider/cmd/pulumi-resource-command \
      "-X github.com/pulumi/pulumi-command/provider/pkg/version.Version=$COMMAND_VERSION"
    echo "$COMMAND_VERSION upstream" >"$out.stamp"
  else
    log "module proxy refused pulumi-command by commit: $(tr '\n' ' ' <"$d/get.err")"
    log "falling back to the lab's own command provider (e2e/lab/command-provider)"
    rm -rf "$d"; mkdir -p "$d"; cp -r "$LAB_DIR_SRC/command-provider/." "$d/"
    gobuild "$d" "$out" . "-X main.Version=$COMMAND_VERSION"
    echo "$COMMAND_VERSION lab $(lab_provider_hash)" >"$out.stamp"
  fi
  rm -f "$PLUGIN_DIR.partial"
  log "installed $out ($(cat "$out.stamp"))"
}

lab_provider_hash() { cat "$LAB_DIR_SRC"/command-provider/*.go "$LAB_DIR_SRC"/command-provider/go.mod 2>/dev/null | sha256sum | cut -c1-12; }

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
log "tools dir: $TOOLS_DIR  (go: $(go version | cut -d' ' -f3), GOPROXY=$(go env GOPROXY))"
for s in "${steps[@]}"; do
  case "$s" in
    lang) build_lang ;; cli) build_cli ;; command) build_command ;; shim) build_shim ;;
    *) die "unknown step '$s' (use: lang cli command shim)" ;;
  esac
done
STEP=done
log "engine ready in $BIN_DIR (+ $PLUGIN_DIR) after $((SECONDS - t0))s"
