#!/usr/bin/env bash
# Make a lab host reachable again after host-down.sh.
# Usage: host-up.sh NAME
set -Eeuo pipefail
LAB_SCRIPT=host-up
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ $# == 1 ]] || lab_die "usage: host-up.sh NAME (e.g. sov-h2)"
veth=$(lab_host_veth "$1")
ip link set "$veth" up || lab_die "no such lab host link: $veth"
addr=$(lab_host_addr "$1")
for _ in $(seq 50); do (exec 3<>"/dev/tcp/$addr/22") 2>/dev/null && { lab_log "$1 ($addr) reachable again"; exit 0; }; sleep 0.2; done
lab_die "$1 ($addr): port 22 not reachable 10s after link up"
