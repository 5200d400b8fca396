#!/usr/bin/env bash
# Build the monitor image sovereign/monitor:<Debian prometheus version> (e.g. 2.42.0) without any
# image registry, and load it into the lab hosts' dockerd (every host in hosts.json, or the ones
# named with --hosts). One image holds the four programs a monitor and a machine run, at the paths
# of the official images (prom/prometheus: /bin/prometheus, ...), so the same compose project runs
# either: Debian's prometheus, prometheus-alertmanager, prometheus-blackbox-exporter and
# prometheus-node-exporter (installed by setup.sh), their shared libraries, busybox-static.
# Cached like build-gateway-image.sh: a host is skipped when its image carries the label
# sovereign.lab.hash equal to the hash of the build context. Verification (on the first host: each
# program prints its version) runs when anything was built/loaded, or with --verify. Prints the image
# name on the last line.
# Usage: build-monitor-image.sh [--verify] [--force] [--hosts sov-h19[,sov-h20]]
# Env:   SOVEREIGN_LAB_DIR, SOVEREIGN_CACHE_DIR (default ~/.cache/sovereign)
set -Eeuo pipefail
LAB_SCRIPT=monitor-image
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$SRC/lib.sh"
trap 'printf "[monitor-image] FAILED (exit %s) at: %s\n" "$?" "$BASH_COMMAND" >&2' ERR

CACHE="${SOVEREIGN_CACHE_DIR:-$HOME/.cache/sovereign}/monitor-image"
VERIFY=0; FORCE=0; ONLY=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --verify) VERIFY=1 ;; --force) FORCE=1 ;;
    --hosts) ONLY="${2:?--hosts needs a list, e.g. sov-h19,sov-h20}"; shift ;;
    *) lab_die "unknown argument $1 (use --verify, --force, --hosts LIST)" ;;
  esac
  shift
done
[[ -f "$LAB_DIR/hosts.json" ]] || lab_die "no $LAB_DIR/hosts.json: run e2e/lab/hosts-up.sh first"
filter='.[]'
if [[ -n "$ONLY" ]]; then filter=".[] | select(.name as \$n | \"$ONLY\" | split(\",\") | index(\$n))"; fi
mapfile -t NAMES < <(jq -r "$filter | .name" "$LAB_DIR/hosts.json")
mapfile -t SOCKS < <(jq -r "$filter | .dockerSocket" "$LAB_DIR/hosts.json")
[[ ${#NAMES[@]} -ge 1 ]] || lab_die "no lab host matches '${ONLY}' in $LAB_DIR/hosts.json"
mkdir -p "$CACHE"
export DOCKER_BUILDKIT=0   # legacy builder: FROM scratch + COPY, no BuildKit/registry

# ---- inputs: program in the image <- Debian's binary ----
declare -A PROGRAMS=(
  [prometheus]=/usr/bin/prometheus
  [alertmanager]=/usr/bin/prometheus-alertmanager
  [blackbox_exporter]=/usr/bin/prometheus-blackbox-exporter
  [node_exporter]=/usr/bin/prometheus-node-exporter
)
for p in "${!PROGRAMS[@]}"; do
  [[ -x "${PROGRAMS[$p]}" ]] || lab_die "${PROGRAMS[$p]} is missing: run e2e/lab/setup.sh (it installs Debian's prometheus packages)"
done
VERSION=$(/usr/bin/prometheus --version 2>&1 | sed -n 's/^prometheus, version \([0-9.]*\).*/\1/p')
[[ -n "$VERSION" ]] || lab_die "cannot read the prometheus version"
IMAGE="sovereign/monitor:$VERSION"
BB_DEB=$(ls "$CACHE"/busybox-static_*_amd64.deb 2>/dev/null | head -1 || true)
if [[ -z "$BB_DEB" ]]; then
  lab_log "apt-get download busybox-static"
  (cd "$CACHE" && apt-get download busybox-static 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
  BB_DEB=$(ls "$CACHE"/busybox-static_*_amd64.deb 2>/dev/null | head -1 || true)
  [[ -n "$BB_DEB" ]] || lab_die "apt-get download busybox-static failed (run apt-get update?)"
fi

# ---- build context ----
CTX="$CACHE/context"
rm -rf "$CTX"; mkdir -p "$CTX/rootfs"/{bin,etc/ssl/certs,tmp,root,lib64}
R="$CTX/rootfs"
chmod 1777 "$R/tmp"; chmod 700 "$R/root"
for p in "${!PROGRAMS[@]}"; do
  install -m 755 "${PROGRAMS[$p]}" "$R/bin/$p"
  while read -r lib; do
    [[ -f "$lib" ]] || continue
    mkdir -p "$R$(dirname "$lib")"; cp -L "$lib" "$R$lib"
  done < <(ldd "${PROGRAMS[$p]}" | awk '/=>/ {print $3} !/=>/ && $1 ~ /^\// {print $1}')
done
[[ -f "$R/lib64/ld-linux-x86-64.so.2" ]] || lab_die "loader /lib64/ld-linux-x86-64.so.2 not found via ldd"
# Debian's Alertmanager reads its notification templates from here (the official image embeds them).
TEMPLATES=/usr/share/prometheus/alertmanager
[[ -f "$TEMPLATES/default.tmpl" ]] || lab_die "$TEMPLATES/default.tmpl is missing (Debian's prometheus-alertmanager)"
mkdir -p "$R$TEMPLATES" && cp -rL "$TEMPLATES/." "$R$TEMPLATES/"
[[ -f /etc/ssl/certs/ca-certificates.crt ]] && cp /etc/ssl/certs/ca-certificates.crt "$R/etc/ssl/certs/"
dpkg-deb --fsys-tarfile "$BB_DEB" | tar -x -C "$CACHE" ./bin/busybox
install -m 755 "$CACHE/bin/busybox" "$R/bin/busybox"
for app in sh wget nc cat ls ps echo grep sleep env id kill netstat mkdir; do ln -sf busybox "$R/bin/$app"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
printf 'hosts: files dns\n' >"$R/etc/nsswitch.conf"
cp "$SRC/monitor-image/Dockerfile" "$CTX/Dockerfile"
HASH=$(lab_context_hash "$CTX")
TAR="$CACHE/monitor-$VERSION-$HASH.tar"
lab_log "context hash $HASH"

lab_image_on_hosts "$IMAGE" "$HASH" "$CTX" "$TAR" "$FORCE" "$CACHE/monitor-*.tar"

# ---- verify on the first host: every program runs in the image ----
if [[ $LAB_IMAGE_CHANGED == 1 || $VERIFY == 1 ]]; then
  D=(docker -H "unix://${SOCKS[0]}")
  for p in "${!PROGRAMS[@]}"; do
    out=$("${D[@]}" run --rm --entrypoint "/bin/$p" "$IMAGE" --version 2>&1 || true)
    [[ "$out" == *version* ]] || lab_die "/bin/$p --version in the image: ${out:0:300}"
  done
  # Alertmanager loads its templates with a config: a receiver-less one must load and serve.
  cfg='route: { receiver: none }
receivers: [{ name: none }]'
  out=$("${D[@]}" run --rm --entrypoint /bin/sh "$IMAGE" -c "printf '%s\n' '$cfg' > /tmp/a.yml && (/bin/alertmanager --config.file=/tmp/a.yml --storage.path=/tmp --web.listen-address=127.0.0.1:19093 --cluster.listen-address= >/tmp/log 2>&1 &) && sleep 2 && wget -qO- http://127.0.0.1:19093/-/ready; cat /tmp/log" 2>&1 || true)
  [[ "$out" == OK* && "$out" != *"failed to parse templates"* ]] || lab_die "alertmanager does not start in the image: ${out:0:600}"
  lab_log "verified on ${NAMES[0]}: ${!PROGRAMS[*]} run"
fi
lab_log "$IMAGE present on ${#NAMES[@]} host(s): ${NAMES[*]}"
echo "$IMAGE"
