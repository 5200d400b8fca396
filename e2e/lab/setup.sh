#!/usr/bin/env bash
# One entry point that prepares a fresh machine for the e2e tests (root, non-interactive,
# CI=true, no stdin all fine). Idempotent; a second run with everything cached takes seconds.
#   1. Debian packages (apt-get only when something is missing)
#   2. build-engine.sh        Pulumi CLI + language host + command provider (cached by version)
#   3. hosts-up.sh [COUNT]    lab hosts sov-h1..N (netns + sshd + dockerd)
#   4. build-devnet-image.sh  sovereign/devnet-anvil:1.7.1 on every host (cached by content hash)
#   5. build-gateway-image.sh sovereign/gateway-haproxy:<Debian's haproxy> on every host (cached by content hash)
#   6. build-wireguard.sh     wireguard-go (userspace WireGuard for the overlay; cached by version)
#   7. build-btcd-image.sh    sovereign/devnet-btcd:<btcd> on every host: btcd from the Go module proxy
#                             (build-nodes.sh, cached by version), FROM scratch (cached by content hash)
#   8. build-monitor-image.sh sovereign/monitor:<Debian's prometheus> on every host: Prometheus,
#                             Alertmanager, blackbox and node exporters from Debian (cached by content hash)
#   9. build-erpc.sh          eRPC from shared/vendor (cached by version) and sovereign/erpc:<version> on
#                             every host (the gateways' integrity layer; cached by content hash)
# Usage: e2e/lab/setup.sh [COUNT]   then: source e2e/lab/env.sh
# Env: SOVEREIGN_TOOLS_DIR, SOVEREIGN_LAB_DIR, SOVEREIGN_LAB_HOSTS, SOVEREIGN_SKIP_APT=1
set -Eeuo pipefail
exec </dev/null
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PHASE=init
trap 'printf "[setup] FAILED in phase \"%s\" (exit %s) at: %s\n" "$PHASE" "$?" "$BASH_COMMAND" >&2' ERR
if [[ $(id -u) != 0 ]]; then
  # `npm test` runs this first: as a user with password-less sudo, prepare the lab through it.
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then exec sudo -n -E bash "$0" "$@"; fi
  echo "[setup] must run as root (or as a user with password-less sudo): sudo bash e2e/lab/setup.sh" >&2; exit 1
fi

declare -a TIMES=()
phase() { # phase NAME CMD...
  PHASE=$1; shift
  local t0=$SECONDS
  echo "[setup] ==> $PHASE"
  "$@"
  TIMES+=("$(printf '%-14s %4ds' "$PHASE" $((SECONDS - t0)))")
}

PACKAGES=(openssh-server openssh-client docker.io docker-compose iptables nftables iproute2 util-linux
          curl jq ca-certificates chromium
          wireguard-tools haproxy knot knot-dnsutils unbound
          prometheus prometheus-alertmanager prometheus-node-exporter prometheus-blackbox-exporter)

install_packages() {
  [[ "${SOVEREIGN_SKIP_APT:-0}" == 1 ]] && { echo "[setup] SOVEREIGN_SKIP_APT=1: not touching packages"; return; }
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [[ ${#missing[@]} == 0 ]]; then echo "[setup] all packages present"; return; fi
  echo "[setup] installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # keep package scripts from starting sshd/dockerd in the root namespace
  local rc_policy_added=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; rc_policy_added=1
  fi
  apt-get update -q
  apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
  ((rc_policy_added)) && rm -f /usr/sbin/policy-rc.d
  return 0
}

check_tools() {
  command -v go >/dev/null || { echo "[setup] go not found: this machine kind ships Go >= 1.25 in /usr/local/go" >&2; return 1; }
  command -v node >/dev/null && command -v npm >/dev/null || { echo "[setup] node/npm not found" >&2; return 1; }
  echo "[setup] $(go version), node $(node --version), npm $(npm --version)"
}

T0=$SECONDS
phase packages install_packages
phase toolchains check_tools
phase engine "$HERE/build-engine.sh"
phase hosts "$HERE/hosts-up.sh" "${1:-}"
phase devnet-image "$HERE/build-devnet-image.sh"
phase gateway-image "$HERE/build-gateway-image.sh"
phase wireguard "$HERE/build-wireguard.sh"
phase btcd-image "$HERE/build-btcd-image.sh"
phase monitor-image "$HERE/build-monitor-image.sh"
phase erpc-image "$HERE/build-erpc.sh"
PHASE=done
echo "[setup] ---- times ----"
printf '[setup] %s\n' "${TIMES[@]}"
printf '[setup] %-14s %4ds\n' total $((SECONDS - T0))
echo "[setup] ready: source $HERE/env.sh ; hosts in ${SOVEREIGN_LAB_DIR:-$HOME/.cache/sovereign/lab}/hosts.json"
