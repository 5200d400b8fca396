# Shared settings for the e2e lab scripts (sourced, not executed).
# Env: SOVEREIGN_LAB_DIR (state), SOVEREIGN_LAB_HOSTS (host count, default 27: sov-h1..3 for the
#      bare-metal suites, sov-h7 for the gateway deploy, sov-h4..6 and sov-h8..11 for the outage
#      drill: nodes h4..h6, gateways h8/h9, DNS servers h10/h11; sov-h12/h13 for the access layer
#      through the program: a node, a gateway and a DNS server on each; sov-h14/h15 gateways in
#      front of an Akash lease that the lease runner starts on sov-h16; sov-h17/h18 EVM and Bitcoin
#      nodes behind gateways that serve both, test/e2e/bitcoin.e2e.test.ts; sov-h19/h20 monitors
#      (Prometheus + Alertmanager) deployed with a fleet; sov-h21/h22 rolling upgrades;
#      sov-h23..h25 quorum across operators; sov-h26/h27 drift (a host broken by hand)),
#      SOVEREIGN_TOOLS_DIR (engine cache).
LAB_DIR="${SOVEREIGN_LAB_DIR:-$HOME/.cache/sovereign/lab}"
TOOLS_DIR="${SOVEREIGN_TOOLS_DIR:-$HOME/.cache/sovereign/tools}"
LAB_BRIDGE=sovbr0
LAB_NET_PREFIX=10.77.0
LAB_BRIDGE_ADDR=$LAB_NET_PREFIX.1
LAB_KEY="$LAB_DIR/id_ed25519"

lab_log() { printf '[%s %s] %s\n' "${LAB_SCRIPT:-lab}" "$(date +%H:%M:%S)" "$*"; }
lab_die() { printf '[%s] FAILED: %s\n' "${LAB_SCRIPT:-lab}" "$*" >&2; exit 1; }

# lab_host_names [COUNT] -> sov-h1 .. sov-hN
lab_host_names() {
  local n=${1:-${SOVEREIGN_LAB_HOSTS:-27}} i
  [[ "$n" =~ ^[0-9]+$ && "$n" -ge 1 && "$n" -le 200 ]] || lab_die "host count must be 1..200, got '$n'"
  for ((i = 1; i <= n; i++)); do echo "sov-h$i"; done
}
lab_host_index() { local i=${1#sov-h}; [[ "$i" =~ ^[0-9]+$ ]] || lab_die "not a lab host name: $1"; echo "$i"; }
lab_host_addr() { echo "$LAB_NET_PREFIX.$((10 + $(lab_host_index "$1")))"; }
lab_host_dir() { echo "$LAB_DIR/hosts/$1"; }
lab_host_veth() { echo "$1-r"; }   # root-side end of the host's veth pair
# True when the host's root-side link is administratively down (host-down.sh cut it on purpose).
lab_host_cut() { ip -o link show "$(lab_host_veth "$1")" 2>/dev/null | grep -qv '[<,]UP[,>]'; }
# The host's namespace holder process (its mount+UTS namespaces), if alive.
lab_holder_pid() {
  local f; f="$(lab_host_dir "$1")/holder.pid"
  [[ -f "$f" ]] || return 1
  local pid; pid=$(cat "$f")
  [[ -n "$pid" && -d /proc/$pid ]] || return 1
  # must still sit in the host's network namespace
  [[ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" == "$(ip netns exec "$1" readlink /proc/self/ns/net 2>/dev/null)" ]] || return 1
  echo "$pid"
}
# lab_pidfile_in_host FILE NAME : the pid in FILE is alive and inside host NAME's netns.
lab_pidfile_in_host() {
  [[ -f "$1" ]] || return 1
  local pid; pid=$(cat "$1")
  [[ -n "$pid" && -d /proc/$pid ]] || return 1
  [[ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" == "$(ip netns exec "$2" readlink /proc/self/ns/net 2>/dev/null)" ]]
}
# lab_in_host NAME CMD... : run CMD inside the host (net, mount and UTS namespaces).
lab_in_host() {
  local name=$1; shift
  local pid; pid=$(lab_holder_pid "$name") || lab_die "host $name is not running"
  nsenter --target "$pid" --mount --uts --net -- "$@"
}

# lab_context_hash DIR : 16 hex chars over a build context's files and links (what the image label records).
lab_context_hash() {
  (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum; find . -type l -printf '%p -> %l\n' | sort) |
    sha256sum | cut -c1-16
}

# lab_image_label SOCK IMAGE : the sovereign.lab.hash label of IMAGE on the dockerd at SOCK (empty if absent).
lab_image_label() {
  docker -H "unix://$1" image inspect --format '{{index .Config.Labels "sovereign.lab.hash"}}' "$2" 2>/dev/null || true
}

# lab_image_on_hosts IMAGE HASH CTX TAR FORCE STALE_GLOB : puts IMAGE (label sovereign.lab.hash=HASH) on
# every host of the caller's NAMES/SOCKS arrays: built from CTX on the first host that lacks it and saved
# to TAR (other tars matching STALE_GLOB are removed), loaded from TAR on the others; FORCE=1 rebuilds everywhere.
# Sets LAB_IMAGE_CHANGED=1 when any host got the image.
lab_image_on_hosts() {
  local image=$1 hash=$2 ctx=$3 tar=$4 force=$5 stale=$6 i name sock
  LAB_IMAGE_CHANGED=0
  for i in "${!NAMES[@]}"; do
    name=${NAMES[$i]} sock=${SOCKS[$i]}
    docker -H "unix://$sock" version >/dev/null 2>&1 || lab_die "$name: dockerd at $sock does not answer (hosts-up.sh?)"
    if [[ $force != 1 && "$(lab_image_label "$sock" "$image")" == "$hash" ]]; then
      lab_log "$name: $image up to date"; continue
    fi
    if [[ ! -s "$tar" || $force == 1 ]]; then
      lab_log "$name: docker build $image (legacy builder, FROM scratch)"
      docker -H "unix://$sock" build -q --label "sovereign.lab.hash=$hash" -t "$image" "$ctx" >/dev/null 2>"$tar.build.log" ||
        lab_die "docker build failed on $name: $(cat "$tar.build.log")"
      docker -H "unix://$sock" save "$image" -o "$tar.tmp" && mv -f "$tar.tmp" "$tar"
      rm -f $(ls $stale 2>/dev/null | grep -v "$hash") 2>/dev/null || true
    else
      lab_log "$name: docker load $image"
      docker -H "unix://$sock" load -q -i "$tar" >/dev/null || lab_die "docker load failed on $name"
    fi
    [[ "$(lab_image_label "$sock" "$image")" == "$hash" ]] || lab_die "$name: image label mismatch after build/load"
    LAB_IMAGE_CHANGED=1
  done
}
