#!/usr/bin/env bash
# Tear the lab down: stop every lab host's sshd and dockerd (and its containers),
# end the namespace holders, delete the network namespaces, veths and the bridge.
# Keeps $SOVEREIGN_LAB_DIR (keys, images in each host's docker data root) unless
# --purge is given, which also deletes the per-host state (srv/, docker/).
# Usage: hosts-down.sh [--purge]   Idempotent.
set -Euo pipefail
LAB_SCRIPT=hosts-down
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ $(id -u) == 0 ]] || lab_die "must run as root"
PURGE=0; [[ "${1:-}" == "--purge" ]] && PURGE=1

stop_pidfile() { # stop_pidfile FILE WHAT SECONDS
  local f=$1 what=$2 t=${3:-20} pid
  [[ -f "$f" ]] || return 0
  pid=$(cat "$f"); rm -f "$f"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  local end=$((SECONDS + t))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < end)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    lab_log "$what (pid $pid) did not stop in ${t}s, killing"; kill -KILL "$pid" 2>/dev/null
  fi
}

# hosts = namespaces named sov-h* plus state dirs
mapfile -t HOSTS < <({ ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^sov-h[0-9]+$'
                       ls "$LAB_DIR/hosts" 2>/dev/null | grep -E '^sov-h[0-9]+$'; } | sort -u)
for h in "${HOSTS[@]}"; do
  dir=$(lab_host_dir "$h")
  # remove containers first, so dockerd leaves no mounts or shims behind
  if [[ -S "$dir/docker.sock" ]] && ids=$(timeout 20 docker -H "unix://$dir/docker.sock" ps -aq 2>/dev/null) && [[ -n "$ids" ]]; then
    timeout 60 docker -H "unix://$dir/docker.sock" rm -f $ids >/dev/null 2>&1 || true
  fi
  stop_pidfile "$dir/sshd.pid" "$h sshd" 10
  stop_pidfile "$dir/dockerd.pid" "$h dockerd" 30
  # any process still inside the host's network namespace (containerd, shims, ssh sessions)
  if ip netns list | awk '{print $1}' | grep -qx "$h"; then
    pids=$(ip netns pids "$h" 2>/dev/null | tr '\n' ' ')
    [[ -n "${pids// }" ]] && { kill -TERM $pids 2>/dev/null; sleep 1; kill -KILL $(ip netns pids "$h" 2>/dev/null) 2>/dev/null; }
    ip netns del "$h" 2>/dev/null || lab_log "could not delete netns $h"
  fi
  stop_pidfile "$dir/holder.pid" "$h holder" 5
  ip link del "$(lab_host_veth "$h")" 2>/dev/null || true
  rm -f "$dir/docker.sock" "$dir/holder.ready"
  if ((PURGE)); then rm -rf "$dir"; fi
  lab_log "$h down"
done
ip link del "$LAB_BRIDGE" 2>/dev/null && lab_log "bridge $LAB_BRIDGE removed" || true
((PURGE)) && rm -f "$LAB_DIR/hosts.json" "$LAB_DIR/known_hosts"
lab_log "lab down"
exit 0
