#!/usr/bin/env bash
# Make one lab host unreachable (its processes keep running): sets the root-side
# veth of the host down, so SSH/TCP to its address times out.  Undo: host-up.sh NAME.
# Usage: host-down.sh NAME
set -Eeuo pipefail
LAB_SCRIPT=host-down
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ $# == 1 ]] || lab_die "usage: host-down.sh NAME (e.g. sov-h2)"
ip link set "$(lab_host_veth "$1")" down || lab_die "no such lab host link: $(lab_host_veth "$1")"
lab_log "$1 ($(lab_host_addr "$1")) is now unreachable"
