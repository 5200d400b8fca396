#!/usr/bin/env bash
# Bring up N lab hosts (default 16, lib.sh: sov-h1..sov-hN at 10.77.0.11..), each one:
#   - a network namespace "sov-hI" with eth0 = 10.77.0.(10+I)/24, joined by a veth
#     ("sov-hI-r" on the root side) to bridge sovbr0 = 10.77.0.1/24 in the root
#     namespace (no default route: hosts reach each other and 10.77.0.1 only);
#   - private mount + UTS namespaces (hostname = NAME), held by a "holder" process,
#     in which /run and /tmp are fresh tmpfs, and /srv/sovereign, /var/lib/docker
#     are bind mounts of $SOVEREIGN_LAB_DIR/hosts/NAME/{srv,docker};
#   - its own dockerd (iptables inside the host's netns, own data/exec root,
#     /run/docker.sock inside the host, plus $LAB/hosts/NAME/docker.sock outside);
#   - its own sshd on ADDRESS:22, key-only root login with $LAB/id_ed25519.
# Writes $SOVEREIGN_LAB_DIR/hosts.json and $SOVEREIGN_LAB_DIR/known_hosts.
# Usage: hosts-up.sh [COUNT]     (or SOVEREIGN_LAB_HOSTS=COUNT); idempotent.
set -Eeuo pipefail
LAB_SCRIPT=hosts-up
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'printf "[hosts-up] FAILED (exit %s) at: %s\n" "$?" "$BASH_COMMAND" >&2' ERR

[[ $(id -u) == 0 ]] || lab_die "must run as root"
for b in ip nsenter unshare dockerd sshd ssh-keygen nft jq curl; do
  command -v "$b" >/dev/null || lab_die "missing '$b' (run e2e/lab/setup.sh, or apt-get install the lab packages)"
done
SSHD=$(command -v sshd)
mapfile -t HOSTS < <(lab_host_names "${1:-}")
mkdir -p "$LAB_DIR/hosts"
chmod 700 "$LAB_DIR"

# ---- client key (generated once, never in the repo) ----
if [[ ! -f "$LAB_KEY" ]]; then
  ssh-keygen -q -t ed25519 -N '' -C sovereign-lab -f "$LAB_KEY"
  lab_log "generated SSH key $LAB_KEY"
fi
install -m 600 "$LAB_KEY.pub" "$LAB_DIR/authorized_keys"

# ---- bridge ----
if ! ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then
  ip link add "$LAB_BRIDGE" type bridge
  lab_log "created bridge $LAB_BRIDGE"
fi
ip addr replace "$LAB_BRIDGE_ADDR/24" dev "$LAB_BRIDGE"
ip link set "$LAB_BRIDGE" up
# mount targets (empty dirs) in the root filesystem
mkdir -p /srv/sovereign /var/lib/docker

wait_for() { # wait_for SECONDS DESCRIPTION CMD...
  local t=$1 what=$2; shift 2
  local end=$((SECONDS + t))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || return 1
    sleep 0.2
  done
}

host_up() {
  local name=$1 addr dir veth pid
  addr=$(lab_host_addr "$name"); dir=$(lab_host_dir "$name"); veth=$(lab_host_veth "$name")
  mkdir -p "$dir/srv" "$dir/docker"

  # -- network namespace + veth --
  ip netns list | grep -qw "^$name" || ip netns add "$name"
  local created=0
  if ! ip link show "$veth" >/dev/null 2>&1; then
    ip netns exec "$name" ip link del eth0 2>/dev/null || true
    ip link add "$veth" type veth peer name "$name-c"
    ip link set "$name-c" netns "$name"
    ip netns exec "$name" ip link set "$name-c" name eth0
    created=1
  fi
  ip link set "$veth" master "$LAB_BRIDGE"
  # A link host-down.sh cut stays cut (another suite's outage test owns it; host-up.sh restores it).
  if ((created)) || ! lab_host_cut "$name"; then ip link set "$veth" up; else lab_log "$name: link left down (host-down.sh)"; fi
  ip netns exec "$name" ip addr replace "$addr/24" dev eth0
  ip netns exec "$name" ip link set eth0 up
  ip netns exec "$name" ip link set lo up

  # -- namespace holder: private mounts + hostname --
  if ! pid=$(lab_holder_pid "$name"); then
    # a new holder means new mount namespaces: daemons left from an old one must go
    for d in sshd dockerd; do
      if lab_pidfile_in_host "$dir/$d.pid" "$name"; then
        lab_log "$name: stopping stale $d"; kill "$(cat "$dir/$d.pid")" 2>/dev/null || true
        for _ in $(seq 100); do lab_pidfile_in_host "$dir/$d.pid" "$name" || break; sleep 0.2; done
      fi
    done
    rm -f "$dir/holder.pid" "$dir/sshd.pid" "$dir/dockerd.pid"
    # The holder sets up the host's filesystem view, then sleeps; dockerd and sshd
    # join its namespaces with nsenter.
    # "ip netns exec" mounts a fresh /sys for the namespace, which hides the cgroup
    # mounts dockerd needs: the holder mounts them again from this list.
    awk '$2 ~ "^/sys/fs/cgroup" {print $3, $2, $4}' /proc/self/mounts >"$dir/cgroup.mounts"
    nohup ip netns exec "$name" unshare --mount --uts --propagation private -- sh -euc '
      hostname "$1"
      while read -r fstype dir opts; do
        mkdir -p "$dir"; mount -t "$fstype" -o "$opts" "$fstype" "$dir"
      done <"$2/cgroup.mounts"
      mount -t tmpfs -o mode=755 tmpfs /run
      mkdir -p /run/sshd /run/netns
      mount -t tmpfs -o mode=1777 tmpfs /tmp
      mount --bind "$2/srv" /srv/sovereign
      mount --bind "$2/docker" /var/lib/docker
      touch "$2/holder.ready"
      exec sleep infinity' holder "$name" "$dir" >"$dir/holder.log" 2>&1 &
    echo $! >"$dir/holder.pid"
    rm -f "$dir/holder.ready"
    wait_for 10 "holder" test -f "$dir/holder.ready" || lab_die "$name: namespace holder did not start: $(cat "$dir/holder.log")"
    pid=$(lab_holder_pid "$name") || lab_die "$name: namespace holder died: $(cat "$dir/holder.log")"
    lab_log "$name: namespaces ready (holder pid $pid)"
  fi

  # -- dockerd --
  if ! lab_pidfile_in_host "$dir/dockerd.pid" "$name"; then
    rm -f "$dir/docker.sock"
    nohup nsenter --target "$pid" --mount --uts --net -- dockerd \
      --data-root /var/lib/docker --exec-root /run/docker --pidfile /run/docker.pid \
      -H unix:///run/docker.sock -H "unix://$dir/docker.sock" \
      --iptables=true --ip-forward=true --ip-masq=true \
      --cgroup-parent "/sovereign-lab-$name" \
      --storage-driver overlay2 --log-level warn \
      >"$dir/dockerd.log" 2>&1 &
    echo $! >"$dir/dockerd.pid"
    wait_for 60 dockerd docker -H "unix://$dir/docker.sock" version ||
      lab_die "$name: dockerd did not answer within 60s; tail of $dir/dockerd.log: $(tail -n 20 "$dir/dockerd.log")"
    lab_log "$name: dockerd up ($dir/docker.sock)"
  fi

  # -- sshd --
  [[ -f "$dir/ssh_host_ed25519_key" ]] || ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$dir/ssh_host_ed25519_key"
  cat >"$dir/sshd_config" <<EOF
# generated by e2e/lab/hosts-up.sh for $name
ListenAddress $addr:22
HostKey $dir/ssh_host_ed25519_key
PidFile /run/sshd.pid
AuthorizedKeysFile $LAB_DIR/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AcceptEnv LANG LC_*
MaxStartups 100:30:200
MaxSessions 50
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
  if ! lab_pidfile_in_host "$dir/sshd.pid" "$name"; then
    nsenter --target "$pid" --mount --uts --net -- "$SSHD" -t -f "$dir/sshd_config" ||
      lab_die "$name: sshd config test failed"
    nohup nsenter --target "$pid" --mount --uts --net -- "$SSHD" -D -e -f "$dir/sshd_config" \
      >"$dir/sshd.log" 2>&1 &
    echo $! >"$dir/sshd.pid"
    wait_for 10 sshd bash -c "exec 3<>/dev/tcp/$addr/22" ||
      lab_die "$name: sshd not listening on $addr:22: $(tail -n 20 "$dir/sshd.log")"
    lab_log "$name: sshd up on $addr:22"
  fi
}

for h in "${HOSTS[@]}"; do host_up "$h"; done

# ---- known_hosts + hosts.json ----
: >"$LAB_DIR/known_hosts.tmp"
json='[]'
for h in "${HOSTS[@]}"; do
  addr=$(lab_host_addr "$h"); dir=$(lab_host_dir "$h")
  hostkey=$(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")
  echo "$addr $hostkey" >>"$LAB_DIR/known_hosts.tmp"
  json=$(jq -c --arg n "$h" --arg a "$addr" --arg k "$LAB_KEY" --arg s "$dir/docker.sock" \
    --arg hk "$hostkey" --arg srv "$dir/srv" \
    '. + [{name: $n, address: $a, port: 22, user: "root", privateKeyPath: $k, dockerSocket: $s,
           hostKey: $hk, srvDir: $srv}]' <<<"$json")
done
mv -f "$LAB_DIR/known_hosts.tmp" "$LAB_DIR/known_hosts"
jq . <<<"$json" >"$LAB_DIR/hosts.json.tmp" && mv -f "$LAB_DIR/hosts.json.tmp" "$LAB_DIR/hosts.json"

# ---- check every host answers over SSH, from its own address ----
for h in "${HOSTS[@]}"; do
  lab_host_cut "$h" && { lab_log "$h: cut (host-down.sh), not checked"; continue; }
  addr=$(lab_host_addr "$h")
  got=$(ssh -i "$LAB_KEY" -o BatchMode=yes -o UserKnownHostsFile="$LAB_DIR/known_hosts" \
        -o StrictHostKeyChecking=yes -o ConnectTimeout=5 "root@$addr" \
        'echo "$(hostname) $(docker info --format {{.Name}})"' </dev/null) ||
    lab_die "$h: ssh root@$addr failed"
  [[ "$got" == "$h $h" ]] || lab_die "$h: unexpected answer over ssh: '$got'"
done
lab_log "lab up: ${#HOSTS[@]} hosts, $LAB_DIR/hosts.json"
